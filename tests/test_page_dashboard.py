"""The dashboard `/`: what needs attention, for any signed-in role, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import Claim, ClaimRelation
from claims.services import claim_relation_create, claim_review
from provenance.models import Appearance, Capture, EvidenceClaim
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
)

XSS = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"


def _data(editor, n: int):
    """n claims of each kind: drafts, in review, published; each draft with evidence whose
    capture is still queued, and one failed capture per published claim."""
    for i in range(n):
        draft = ClaimFactory(actor=editor, text=f"Draft {i}")
        AppearanceFactory(actor=editor, claim=draft)  # children the activity order reads
        EvidenceFactory(actor=editor, claims=[draft], title=f"Queued evidence {i}")
        in_review = ClaimFactory(actor=editor, text=f"Waiting {i}")
        claim_review(claim=in_review, actor=editor, to_state="in_review")
        published = PublishedClaimFactory(actor=editor, text=f"Out {i}", verdict="refuted")
        failed = EvidenceFactory(actor=editor, claims=[published], title=f"Broken {i}")
        Capture.objects.filter(evidence=failed).update(
            status=Capture.Status.FAILED,
            error_code="http_404",
            error_message=f"The server answered 404 Not Found ({i})",
            finished_at=timezone.now(),
        )


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_dashboard_shows_review_queue_recent_claims_captures_and_verdict_counts(client, editor):
    _data(editor, 2)
    claim = ClaimFactory(actor=editor, text=XSS)
    client.force_login(editor)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Awaiting review" in html and "Waiting 0" in html and "Waiting 1" in html
    assert f'href="/claims/{claim.public_id}/"' in html  # the newest change comes first
    assert "<script>window.__pwned" not in html and "&lt;script&gt;window.__pwned" in html
    assert "Queued evidence 0" in html
    assert "The server answered 404 Not Found (1)" in html
    groups = response.context["verdicts"]
    assert {row["value"]: row["count"] for row in groups}["refuted"] == 2
    assert {row["value"]: row["count"] for row in groups}[""] == 5
    failed = response.context["captures_failed"]
    assert {row["claim_text"] for row in failed} == {"Out 0", "Out 1"}
    assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_a_user_without_a_role_sees_only_published_claims(client, django_user_model, editor):
    _data(editor, 1)
    nobody = django_user_model.objects.create_user("nobody", password="pw-nobody-1")
    client.force_login(nobody)

    response = client.get("/")

    html = response.content.decode()
    assert "Out 0" in html
    assert "Draft 0" not in html and "Waiting 0" not in html
    assert "Awaiting review" not in html
    assert "Queued evidence 0" not in html  # the draft's evidence is not published


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 15])
def test_dashboard_query_count_is_fixed(client, editor, n, django_assert_max_num_queries):
    _data(editor, n)
    client.force_login(editor)
    # session, user, roles; awaiting review, recently changed (its latest activity is
    # subqueries of the same query); captures in progress, failed; verdict counts.
    with django_assert_max_num_queries(8):
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["recent"]) == min(3 * n, 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "shown"), [("viewer", False), ("analyst", False), ("editor", True)]
)
def test_review_queue_link_only_for_editors(client, request, persona, shown):
    client.force_login(request.getfixturevalue(persona))
    html = client.get("/").content.decode()
    assert ('href="/claims/review/">Review</a>' in html) is shown


def _age_everything(days: int = 30):
    """Push every claim's and child row's times `days` back (update() skips auto_now)."""
    past = timezone.now() - timedelta(days=days)
    Claim.objects.update(updated_at=past, created_at=past)
    Appearance.objects.update(updated_at=past, created_at=past)
    EvidenceClaim.objects.update(created_at=past)
    ClaimRelation.objects.update(updated_at=past, created_at=past)


def _recent_texts(client) -> list[str]:
    return [row["text"] for row in client.get("/").context["recent"]]


@pytest.mark.django_db
@pytest.mark.parametrize("activity", ["appearance", "evidence", "relation"])
def test_recent_activity_on_an_old_claim_brings_it_to_the_top(client, editor, activity):
    old = ClaimFactory(actor=editor, text="Old claim")
    other = ClaimFactory(actor=editor, text="Other claim")
    _age_everything(days=30)
    for i in range(3):
        ClaimFactory(actor=editor, text=f"Newer {i}")
    client.force_login(editor)
    assert _recent_texts(client)[-1] in {"Old claim", "Other claim"}

    if activity == "appearance":
        AppearanceFactory(actor=editor, claim=old)
    elif activity == "evidence":
        EvidenceFactory(actor=editor, claims=[old])
    else:
        claim_relation_create(actor=editor, from_claim=other, to_claim=old, kind="contradicts")
        ClaimRelation.objects.update(created_at=timezone.now())
        Claim.objects.filter(pk=other.pk).update(updated_at=timezone.now() - timedelta(days=30))
    # The claim row itself stays old: only the new child row is recent.
    Claim.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))

    response = client.get("/")
    rows = response.context["recent"]
    if activity == "relation":  # a relation is activity on both its claims
        assert {row["text"] for row in rows[:2]} == {"Old claim", "Other claim"}
        rows = [row for row in rows if row["text"] == "Old claim"]
    else:
        assert rows[0]["text"] == "Old claim"
    assert rows[0]["last_activity"] > timezone.now() - timedelta(minutes=5)
    assert '<th scope="col">Last activity</th>' in response.content.decode()


@pytest.mark.django_db
def test_unpublished_activity_does_not_reorder_what_a_visitor_sees(
    client, django_user_model, editor
):
    first = PublishedClaimFactory(actor=editor, text="Published first")
    PublishedClaimFactory(actor=editor, text="Published second")
    _age_everything(days=30)
    Claim.objects.filter(text="Published second").update(
        updated_at=timezone.now() - timedelta(days=20)
    )
    # An analyst's appearance waits for re-publication: a visitor must not see it move.
    AppearanceFactory(actor=editor, claim=first)
    Claim.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(days=30))
    client.force_login(django_user_model.objects.create_user("nobody"))

    assert _recent_texts(client) == ["Published second", "Published first"]
    client.force_login(editor)
    assert _recent_texts(client) == ["Published first", "Published second"]


@pytest.mark.django_db
def test_browser_captures_skipped_because_they_are_off_are_not_listed_as_failures(client, editor):
    claim = ClaimFactory(actor=editor, text="Claim with a skipped browser capture")
    evidence = EvidenceFactory(actor=editor, claims=[claim], title="Page without a browser")
    Capture.objects.filter(evidence=evidence).update(
        status=Capture.Status.FAILED,
        error_code="browser_off",
        error_message="Browser captures are off: Chromium is not installed.",
        finished_at=timezone.now(),
    )
    client.force_login(editor)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["captures_failed"] == []
    assert "Chromium is not installed" not in response.content.decode()
