"""The review queue, the review workspace, the editor's review panel and merge pages."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimRelation, ReviewEvent
from claims.services import claim_relation_create, claim_review
from provenance.models import Appearance
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory

XSS = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"
pytestmark = pytest.mark.django_db


def _in_review(actor, **kwargs) -> Claim:
    claim = ClaimFactory(**kwargs)
    claim_review(claim=claim, actor=actor, to_state="in_review")
    claim.refresh_from_db()
    return claim


def _workspace(claim) -> str:
    return reverse("claims:review-workspace", args=[claim.public_id])


# --- Queue ---------------------------------------------------------------------------------


def test_queue_lists_claims_in_review_oldest_first_with_submitter_and_counts(
    client, analyst, editor
):
    first = _in_review(analyst, text="First submitted claim")
    AppearanceFactory.create_batch(2, claim=first)
    EvidenceFactory(claims=[first])
    second = _in_review(editor, text="Second submitted claim")
    ClaimFactory(text="A draft, not for review")
    client.force_login(analyst)

    response = client.get(reverse("claims:review-queue"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "A draft, not for review" not in body
    assert body.index("First submitted claim") < body.index("Second submitted claim")
    rows = list(response.context["page"].object_list)
    assert [r["public_id"] for r in rows] == [first.public_id, second.public_id]
    assert (rows[0]["submitted_by"], rows[0]["appearance_count"], rows[0]["evidence_count"]) == (
        analyst.username,
        2,
        1,
    )
    assert rows[1]["submitted_by"] == editor.username
    assert _workspace(first) in body


def test_queue_refuses_viewers_and_sends_anonymous_visitors_to_login(client, viewer):
    url = reverse("claims:review-queue")
    assert client.get(url).status_code == 302
    client.force_login(viewer)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("claims", [2, 30])
def test_queue_query_count_is_fixed(client, analyst, django_assert_max_num_queries, claims):
    for _ in range(claims):
        claim = _in_review(analyst)
        AppearanceFactory(claim=claim)
    client.force_login(analyst)
    # session, user, roles, count, page rows (with submitter and counts as subqueries)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("claims:review-queue"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(claims, 25)


def test_queue_escapes_claim_text(client, analyst):
    _in_review(analyst, text=XSS)
    client.force_login(analyst)
    body = client.get(reverse("claims:review-queue")).content.decode()
    assert "<script>window.__pwned" not in body
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body


# --- Workspace -----------------------------------------------------------------------------


def test_workspace_shows_graph_evidence_with_capture_status_and_panel(
    client, editor, analyst, succeeded_capture
):
    claim = _in_review(analyst, text="Claim under review")
    captured = EvidenceFactory(claims=[claim], title="Captured video")
    capture = succeeded_capture(captured)
    EvidenceFactory(claims=[claim], title="Not yet captured")
    AppearanceFactory(claim=claim, source=SourceFactory(name="Later relay"), quote="Relayed")
    AppearanceFactory(
        claim=claim,
        source=SourceFactory(name="First poster"),
        quote="Original post",
        published_at=datetime(2023, 5, 1, tzinfo=UTC),
        published_precision="day",
    )
    client.force_login(editor)

    response = client.get(_workspace(claim))

    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-graph-url="/api/claims/{claim.public_id}/graph/"' in body
    assert "capture-succeeded" in body
    assert f"/api/captures/{capture.public_id}/blob/" in body
    assert body.count("capture-succeeded") == 1  # the other one's capture is still queued
    assert f'action="{reverse("claims:review", args=[claim.public_id])}"' in body
    assert "<html" in body
    # the timeline, earliest first, dated as precisely as the source said
    assert body.index("First poster") < body.index("Later relay")
    assert '<time datetime="2023-05-01T00:00:00+00:00">2023-05-01</time>' in body


def test_workspace_for_htmx_is_a_fragment(client, analyst):
    claim = _in_review(analyst)
    client.force_login(analyst)
    response = client.get(_workspace(claim), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="workspace"')


def test_workspace_offers_an_analyst_only_the_move_back_to_draft(client, analyst):
    claim = _in_review(analyst)
    client.force_login(analyst)
    body = client.get(_workspace(claim)).content.decode()
    assert reverse("claims:review", args=[claim.public_id]) in body
    assert ">Send back to draft</button>" in body
    assert "Publish" not in body and 'name="verdict"' not in body and "Merge" not in body


def test_analyst_submits_a_draft_for_review_from_the_claim_page(client, analyst):
    claim = ClaimFactory(actor=analyst, text="Ready for an editor")
    page = reverse("claims:detail", args=[claim.public_id])
    client.force_login(analyst)
    assert ">Submit for review</button>" in client.get(page).content.decode()

    response = _review(client, claim, to_state="in_review", comment="Sources checked.")

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.review_state == "in_review"
    event = claim.review_events.get()
    assert (event.actor, event.comment, event.to_verdict) == (analyst, "Sources checked.", "")


def test_analyst_cannot_set_a_verdict_through_the_review_form(client, analyst):
    claim = ClaimFactory(actor=analyst)
    client.force_login(analyst)
    response = _review(client, claim, verdict="refuted", credibility="2", to_state="in_review")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.review_state, claim.verdict, claim.credibility) == ("in_review", "", None)


def test_workspace_refuses_viewers_and_hides_missing_claims(client, viewer, analyst):
    claim = _in_review(analyst)
    client.force_login(viewer)
    assert client.get(_workspace(claim)).status_code == 403
    client.force_login(analyst)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("claims:review-workspace", args=[missing])).status_code == 404


@pytest.mark.parametrize("evidence", [2, 30])
def test_workspace_query_count_is_fixed(
    client, editor, analyst, django_assert_max_num_queries, evidence, succeeded_capture
):
    claim = _in_review(analyst)
    for item in EvidenceFactory.create_batch(evidence, claims=[claim]):
        succeeded_capture(item)
    client.force_login(editor)
    AppearanceFactory.create_batch(evidence, claim=claim)
    # session, user, roles, claim, appearances with sources, evidence links with their
    # latest capture
    with django_assert_max_num_queries(6):
        response = client.get(_workspace(claim))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("capture-succeeded") == evidence
    assert body.count('<li>\n            <time datetime="2023-') == evidence


# --- Review actions ------------------------------------------------------------------------


def _review(client, claim, **data):
    data = {"verdict": "", "credibility": "", "comment": "", **data}
    return client.post(reverse("claims:review", args=[claim.public_id]), data)


def test_editor_publishes_with_verdict_credibility_and_comment(client, editor, analyst):
    claim = _in_review(analyst)
    client.force_login(editor)
    response = _review(
        client,
        claim,
        verdict="refuted",
        credibility="5",
        comment="Geolocated elsewhere",
        to_state="published",
        next=reverse("claims:detail", args=[claim.public_id]),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[claim.public_id])
    claim.refresh_from_db()
    assert (claim.review_state, claim.verdict, claim.credibility) == ("published", "refuted", 5)
    event = ReviewEvent.objects.filter(claim=claim).latest("created_at")
    assert (event.actor, event.comment) == (editor, "Geolocated elsewhere")


def test_publishing_without_a_verdict_is_a_form_error_that_keeps_the_input(client, editor, analyst):
    claim = _in_review(analyst)
    client.force_login(editor)
    response = _review(client, claim, comment="My careful note", to_state="published")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Set a verdict to publish." in body
    assert "My careful note" in body
    claim.refresh_from_db()
    assert claim.review_state == "in_review"


def test_editor_sends_a_claim_back_to_draft(client, editor, analyst):
    claim = _in_review(analyst)
    client.force_login(editor)
    response = _review(client, claim, comment="Needs sources", to_state="draft")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.review_state == "draft"


def test_saving_nothing_new_is_a_form_error(client, editor, analyst):
    claim = _in_review(analyst)
    client.force_login(editor)
    response = _review(client, claim, to_state="in_review")
    assert response.status_code == 400
    assert "nothing to record" in response.content.decode()


@pytest.mark.parametrize("persona", ["analyst", "viewer"])
def test_review_post_is_refused_for_non_editors(client, request, analyst, persona):
    claim = _in_review(analyst)
    client.force_login(request.getfixturevalue(persona))
    response = _review(client, claim, verdict="refuted", to_state="published")
    assert response.status_code == 403
    claim.refresh_from_db()
    assert (claim.review_state, claim.verdict) == ("in_review", "")


def test_review_post_needs_csrf_token(editor, analyst):
    from django.test import Client

    claim = _in_review(analyst)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = _review(client, claim, verdict="refuted", to_state="published")
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.review_state == "in_review"


def test_review_redirect_ignores_foreign_next(client, editor, analyst):
    claim = _in_review(analyst)
    client.force_login(editor)
    response = _review(
        client, claim, verdict="refuted", to_state="in_review", next="https://evil.example/"
    )
    assert response.status_code == 302
    assert response["Location"] == _workspace(claim)


# --- Merge ---------------------------------------------------------------------------------


def _merge_url(claim, **params) -> str:
    from urllib.parse import urlencode

    url = reverse("claims:merge", args=[claim.public_id])
    return f"{url}?{urlencode(params)}" if params else url


def test_merge_search_finds_the_target_and_preview_counts_what_moves(client, editor, analyst):
    duplicate = _in_review(analyst, text="Duplicate about a balloon", tags=["balloon", "air"])
    target = ClaimFactory(text="Original balloon sighting", tags=["air"])
    AppearanceFactory.create_batch(3, claim=duplicate)
    shared = EvidenceFactory(claims=[duplicate, target], title="Shared photo")
    EvidenceFactory(claims=[duplicate], title="Own photo")
    other = ClaimFactory(text="Another claim")
    claim_relation_create(actor=editor, from_claim=duplicate, to_claim=other, kind="supports")
    claim_relation_create(actor=editor, from_claim=duplicate, to_claim=target, kind="supports")
    client.force_login(editor)

    found = client.get(_merge_url(duplicate, q="balloon")).content.decode()
    assert "Original balloon sighting" in found
    assert f"into={target.public_id}" in found

    response = client.get(_merge_url(duplicate, into=target.public_id))
    preview = response.context["preview"]
    assert response.status_code == 200
    assert len(preview["appearances"]) == 3
    assert [link.evidence.title for link in preview["evidence_moving"]] == ["Own photo"]
    assert [link.evidence for link in preview["evidence_dropped"]] == [shared]
    assert preview["relations_moving"] == 1
    assert preview["tags_added"] == ["balloon"]
    assert 'data-count="appearances">3<' in response.content.decode()


def test_merge_confirm_moves_everything_and_archives_the_duplicate(client, editor, analyst):
    duplicate = _in_review(analyst)
    target = ClaimFactory()
    AppearanceFactory.create_batch(2, claim=duplicate)
    client.force_login(editor)

    response = client.post(
        _merge_url(duplicate), {"into": str(target.public_id), "comment": "Same event"}
    )

    assert response.status_code == 302
    assert response["Location"] == _workspace(target)
    assert Appearance.objects.filter(claim=target).count() == 2
    duplicate.refresh_from_db()
    assert duplicate.review_state == "archived"
    assert ClaimRelation.objects.filter(from_claim=duplicate, to_claim=target, kind="same_as")


def test_merge_into_an_archived_claim_is_a_form_error(client, editor, analyst):
    duplicate = _in_review(analyst)
    target = ClaimFactory()
    claim_review(claim=target, actor=editor, to_state="archived")
    client.force_login(editor)
    response = client.post(_merge_url(duplicate), {"into": str(target.public_id)})
    assert response.status_code == 400
    assert "archived" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.review_state == "in_review"


@pytest.mark.parametrize("persona", ["analyst", "viewer"])
def test_merge_is_refused_for_non_editors(client, request, analyst, persona):
    duplicate = _in_review(analyst)
    target = ClaimFactory()
    AppearanceFactory(claim=duplicate)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_merge_url(duplicate)).status_code == 403
    response = client.post(_merge_url(duplicate), {"into": str(target.public_id)})
    assert response.status_code == 403
    assert Appearance.objects.filter(claim=duplicate).count() == 1


@pytest.mark.parametrize("size", [2, 30])
def test_merge_preview_query_count_is_fixed(
    client, editor, analyst, django_assert_max_num_queries, size
):
    duplicate = _in_review(analyst, tags=[f"t{i}" for i in range(size)])
    target = ClaimFactory()
    AppearanceFactory.create_batch(size, claim=duplicate)
    EvidenceFactory.create_batch(size, claims=[duplicate])
    for other in ClaimFactory.create_batch(size):
        claim_relation_create(actor=editor, from_claim=duplicate, to_claim=other, kind="supports")
    client.force_login(editor)
    # session, user, roles, duplicate, target; preview: appearances, target evidence,
    # duplicate's links, relations, tags
    with django_assert_max_num_queries(10):
        response = client.get(_merge_url(duplicate, into=target.public_id))
    assert response.status_code == 200
    assert len(response.context["preview"]["appearances"]) == size


def test_refused_review_form_still_returns_to_the_page_it_came_from(client, editor, analyst):
    claim = _in_review(analyst)
    client.force_login(editor)
    came_from = reverse("claims:detail", args=[claim.public_id])
    response = _review(client, claim, to_state="published", next=came_from)
    assert response.status_code == 400
    assert f'name="next" value="{came_from}"' in response.content.decode()


def test_claim_page_offers_verdicts_to_editors_only(client, editor, analyst, viewer):
    claim = _in_review(analyst)
    action = f'action="{reverse("claims:review", args=[claim.public_id])}"'
    page = reverse("claims:detail", args=[claim.public_id])
    client.force_login(viewer)
    assert action not in client.get(page).content.decode()
    client.force_login(analyst)
    body = client.get(page).content.decode()
    assert action in body and 'name="verdict"' not in body
    client.force_login(editor)
    body = client.get(page).content.decode()
    assert action in body
    assert 'aria-describedby="id_verdict-help"' in body


def test_editor_publishes_again_after_an_analysts_change(client, editor, analyst):
    from claims.services import claim_update
    from tests.factories import PublishedClaimFactory

    claim = PublishedClaimFactory(text="Published wording")
    client.force_login(editor)
    body = client.get(_workspace(claim)).content.decode()
    assert ">Publish again</button>" in body
    assert _review(client, claim, verdict=claim.verdict, to_state="published").status_code == 400

    claim_update(actor=analyst, claim=claim, text="Corrected wording")
    response = _review(client, claim, verdict=claim.verdict, to_state="published")

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.published_revision.text == "Corrected wording"


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        ("draft", ["Save verdict", "Submit for review", "Publish", "Archive"]),
        ("in_review", ["Save verdict", "Send back to draft", "Publish", "Archive"]),
        ("published", ["Publish again", "Return to review", "Archive"]),
    ],
)
def test_review_panel_offers_the_moves_the_service_allows(client, editor, state, buttons):
    claim = ClaimFactory()
    if state != "draft":
        claim_review(claim=claim, actor=editor, to_state=state, verdict="refuted")
        claim.refresh_from_db()
    client.force_login(editor)
    body = client.get(_workspace(claim)).content.decode()
    offered = re.findall(
        r'<button type="submit" name="to_state" value="\w+" class="[^"]*">([^<]+)<', body
    )
    assert offered == buttons
