"""POST /api/claims/{id}/review/: who may move a claim where, and what the event keeps."""

import uuid

import pytest

from claims.models import ReviewEvent
from claims.services import claim_review
from tests.claims.conftest import make_succeeded_capture
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def _url(claim) -> str:
    return f"/api/claims/{claim.public_id}/review/"


def test_review_lets_analyst_submit_for_review(analyst_client):
    claim = ClaimFactory()

    response = analyst_client.post(
        _url(claim), {"to_state": "in_review", "comment": "Sources linked."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["claim"]["review_state"] == "in_review"
    assert body["claim"]["reviewed_by"] == "ana_analyst"
    assert body["event"]["from_state"] == "draft"
    assert body["event"]["to_state"] == "in_review"
    assert body["event"]["comment"] == "Sources linked."
    assert body["claim"]["review_events"] == [body["event"]]
    claim.refresh_from_db()
    assert claim.review_state == "in_review"


def test_review_refuses_analyst_publishing(analyst_client, editor):
    claim = ClaimFactory()
    claim_review(claim=claim, actor=editor, to_state="in_review", verdict="refuted")

    response = analyst_client.post(_url(claim), {"to_state": "published"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only editors can move a claim to published.",
        "code": "permission_denied",
        "fields": {},
    }
    claim.refresh_from_db()
    assert claim.review_state == "in_review"


def test_review_refuses_analyst_archiving(analyst_client):
    claim = ClaimFactory()

    response = analyst_client.post(_url(claim), {"to_state": "archived"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only editors can move a claim to archived."
    claim.refresh_from_db()
    assert claim.review_state == "draft"


def test_review_refuses_analyst_setting_verdict(analyst_client):
    claim = ClaimFactory()

    response = analyst_client.post(
        _url(claim), {"to_state": "in_review", "verdict": "refuted"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Only editors can set a verdict or credibility."
    assert not ReviewEvent.objects.exists()


def test_review_refuses_viewer(viewer_client):
    claim = ClaimFactory()

    response = viewer_client.post(_url(claim), {"to_state": "in_review"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    assert not ReviewEvent.objects.exists()


def test_review_refuses_anonymous(anon_client):
    claim = ClaimFactory()

    response = anon_client.post(_url(claim), {"to_state": "in_review"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_review_rejects_publish_without_verdict(editor_client):
    claim = ClaimFactory()

    response = editor_client.post(_url(claim), {"to_state": "published"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A claim cannot be published without a verdict.",
        "code": "verdict_required",
        "fields": {"verdict": ["Set a verdict to publish."]},
    }
    claim.refresh_from_db()
    assert claim.review_state == "draft"


def test_review_lets_editor_publish_with_verdict_and_credibility(editor_client):
    claim = ClaimFactory()

    response = editor_client.post(
        _url(claim),
        {"to_state": "published", "verdict": "unverifiable", "credibility": 6, "comment": "Done"},
        format="json",
    )

    assert response.status_code == 200
    event = response.json()["event"]
    assert (event["to_state"], event["to_verdict"], event["to_credibility"]) == (
        "published",
        "unverifiable",
        6,
    )
    claim.refresh_from_db()
    assert (claim.review_state, claim.verdict, claim.credibility) == (
        "published",
        "unverifiable",
        6,
    )


def test_review_records_latest_succeeded_captures_by_default(editor_client):
    claim = ClaimFactory()
    capture = make_succeeded_capture(EvidenceFactory(claims=[claim]), content=b"video")

    response = editor_client.post(
        _url(claim), {"to_state": "published", "verdict": "supported"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["event"]["captures"] == [
        {"id": str(capture.public_id), "sha256": capture.sha256}
    ]


def test_review_records_the_captures_named(editor_client):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim])
    chosen = make_succeeded_capture(evidence, content=b"chosen")
    make_succeeded_capture(EvidenceFactory(claims=[claim]), content=b"not relied on")

    response = editor_client.post(
        _url(claim),
        {"to_state": "published", "verdict": "supported", "captures": [str(chosen.public_id)]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["event"]["captures"] == [
        {"id": str(chosen.public_id), "sha256": chosen.sha256}
    ]
    event = ReviewEvent.objects.get()
    assert [link.capture for link in event.capture_links.all()] == [chosen]


def test_review_records_no_capture_when_given_empty_list(editor_client):
    claim = ClaimFactory()
    make_succeeded_capture(EvidenceFactory(claims=[claim]))

    response = editor_client.post(
        _url(claim),
        {"to_state": "published", "verdict": "supported", "captures": []},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["event"]["captures"] == []


@pytest.mark.parametrize("which", ["unknown", "other_claim", "not_succeeded"])
def test_review_rejects_capture_not_of_this_claim_or_not_succeeded(editor_client, which):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim])
    if which == "unknown":
        capture_id = uuid.uuid4()
    elif which == "other_claim":
        other = make_succeeded_capture(EvidenceFactory(claims=[ClaimFactory()]))
        capture_id = other.public_id
    else:
        capture_id = evidence.captures.get().public_id  # queued by evidence_create

    response = editor_client.post(
        _url(claim),
        {"to_state": "published", "verdict": "supported", "captures": [str(capture_id)]},
        format="json",
    )

    assert response.status_code == 400
    message = f"No succeeded capture with id {capture_id} among this claim's evidence."
    assert response.json() == {
        "detail": message,
        "code": "unknown_reference",
        "fields": {"captures": [message]},
    }
    assert not ReviewEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "to_state", "This field is required."),
        ({"to_state": "approved"}, "to_state", '"approved" is not a valid choice.'),
        (
            {"to_state": "published", "verdict": "false"},
            "verdict",
            '"false" is not a valid choice.',
        ),
        ({"to_state": "published", "credibility": 7}, "credibility", '"7" is not a valid choice.'),
        (
            {"to_state": "published", "credibility": "six"},
            "credibility",
            '"six" is not a valid choice.',
        ),
        (
            {"to_state": "in_review", "comment": "x" * 10001},
            "comment",
            "Ensure this field has no more than 10000 characters.",
        ),
        (
            {"to_state": "in_review", "captures": "abc"},
            "captures",
            'Expected a list of items but got type "str".',
        ),
        ({"to_state": "in_review", "captures": ["abc"]}, "captures", "0: Must be a valid UUID."),
    ],
)
def test_review_rejects_invalid_input(editor_client, body, field, message):
    claim = ClaimFactory()

    response = editor_client.post(_url(claim), body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"{field}: {message}",
        "code": "invalid",
        "fields": {field: [message]},
    }
    assert not ReviewEvent.objects.exists()


def test_review_of_unknown_claim_is_404(editor_client):
    response = editor_client.post(
        f"/api/claims/{uuid.uuid4()}/review/", {"to_state": "in_review"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "No claim with this id."


def test_review_refuses_transition_not_allowed(editor_client, editor):
    claim = ClaimFactory()
    claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")

    response = editor_client.post(_url(claim), {"to_state": "draft"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A published claim cannot move to draft.",
        "code": "invalid_transition",
        "fields": {},
    }


def test_review_schema_explains_the_credibility_scale():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    field = schema["components"]["schemas"]["ClaimReviewRequest"]["properties"]["credibility"]
    assert field["description"].startswith(
        "Admiralty (NATO) scale of how far other information bears the claim out: "
        "1 confirmed by other sources, 2 probably true, 3 possibly true, 4 doubtful, "
        "5 improbable, 6 truth cannot be judged."
    )
    assert "Omit to keep the current credibility." in field["description"]
