"""The dashboard `/`: what needs attention, for any signed-in role, in a fixed number of queries."""

import pytest
from django.utils import timezone

from claims.services import claim_review
from provenance.models import Capture
from tests.factories import ClaimFactory, EvidenceFactory, PublishedClaimFactory

XSS = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"


def _data(editor, n: int):
    """n claims of each kind: drafts, in review, published; each draft with evidence whose
    capture is still queued, and one failed capture per published claim."""
    for i in range(n):
        draft = ClaimFactory(actor=editor, text=f"Draft {i}")
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
    # session, user, roles; awaiting review, recently changed; captures in progress,
    # failed; verdict counts.
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
