"""POST, PUT, PATCH and DELETE on /api/claims/: roles, validation, then database state."""

import json
import uuid
from datetime import date

import pytest

from claims.models import Claim
from provenance.models import Appearance
from tests.factories import AppearanceFactory, ClaimFactory, PublishedClaimFactory

pytestmark = pytest.mark.django_db

URL = "/api/claims/"


def _url(claim) -> str:
    return f"{URL}{claim.public_id}/"


# --- Create ---------------------------------------------------------------------------


def test_create_enters_draft_claim(analyst_client, analyst):
    body = {
        "text": "  Ukraine launched a drone attack on the Kremlin.  ",
        "summary": "Russian state claim of 3 May 2023.",
        "tags": ["Kremlin", "drone attack"],
        "first_seen": "2023-05-03",
    }

    response = analyst_client.post(URL, body, format="json")

    assert response.status_code == 201
    data = response.json()
    claim = Claim.objects.get()
    assert data["id"] == str(claim.public_id)
    assert response["Location"] == f"http://testserver/api/claims/{claim.public_id}/"
    assert data["review_state"] == "draft"
    assert data["tags"] == ["drone-attack", "kremlin"]
    assert data["appearances"] == data["evidence"] == data["review_events"] == []
    assert claim.text == "Ukraine launched a drone attack on the Kremlin."
    assert claim.first_seen == date(2023, 5, 3)
    assert claim.created_by == analyst
    assert {h.history_user for h in claim.history.all()} == {analyst}


def test_create_needs_only_text(analyst_client):
    response = analyst_client.post(URL, {"text": "A claim."}, format="json")

    assert response.status_code == 201
    claim = Claim.objects.get()
    assert (claim.summary, claim.first_seen, list(claim.tags.all())) == ("", None, [])


def test_create_refuses_viewer(viewer_client):
    response = viewer_client.post(URL, {"text": "A claim."}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Requires the analyst role.",
        "code": "permission_denied",
        "fields": {},
    }
    assert not Claim.objects.exists()


def test_create_refuses_anonymous(anon_client):
    response = anon_client.post(URL, {"text": "A claim."}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Log in or send a token to do this.",
        "code": "not_authenticated",
        "fields": {},
    }
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "text", "This field is required."),
        ({"text": ""}, "text", "This field may not be blank."),
        ({"text": "   "}, "text", "This field may not be blank."),
        ({"text": None}, "text", "This field may not be null."),
        ({"text": ["a"]}, "text", "Not a valid string."),
        ({"text": "x" * 2001}, "text", "Ensure this field has no more than 2000 characters."),
        ({"text": "nul\x00byte"}, "text", "Null characters are not allowed."),
        ({"text": "A", "summary": {"nested": True}}, "summary", "Not a valid string."),
        ({"text": "A", "tags": "drone"}, "tags", 'Expected a list of items but got type "str".'),
        ({"text": "A", "tags": [{"a": 1}]}, "tags", "0: Not a valid string."),
        (
            {"text": "A", "tags": ["x" * 65]},
            "tags",
            "0: Ensure this field has no more than 64 characters.",
        ),
        (
            {"text": "A", "tags": ["drone"] * 51},
            "tags",
            "Ensure this field has no more than 50 elements.",
        ),
        (
            {"text": "A", "first_seen": "3 May"},
            "first_seen",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
        (
            {"text": "A", "first_seen": "2023-02-30"},
            "first_seen",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
        ({"text": "A", "first_seen": 20230503}, "first_seen", None),
    ],
)
def test_create_rejects_invalid_input(analyst_client, body, field, message):
    response = analyst_client.post(URL, json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert list(data["fields"]) == [field]
    if message is not None:
        assert data["fields"][field] == [message]
        assert data["detail"] == f"{field}: {message}"
    assert not Claim.objects.exists()


def test_create_rejects_tag_without_letters_or_digits(analyst_client):
    response = analyst_client.post(URL, {"text": "A", "tags": ["!!!"]}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "“!!!” is not a usable tag.",
        "code": "invalid",
        "fields": {"tags": ["Empty tag."]},
    }
    assert not Claim.objects.exists()


def test_create_rejects_malformed_json(analyst_client):
    response = analyst_client.post(URL, '{"text": "A', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("JSON parse error")
    assert not Claim.objects.exists()


def test_create_rejects_non_object_body(analyst_client):
    response = analyst_client.post(URL, '["text"]', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid data. Expected a dictionary, but got list.",
        "code": "invalid",
        "fields": {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
    }


# --- Update ---------------------------------------------------------------------------


def test_patch_changes_only_given_fields(analyst_client, analyst):
    claim = ClaimFactory(text="Old", summary="Keep me", tags=["drone"], first_seen=date(2023, 5, 3))

    response = analyst_client.patch(_url(claim), {"text": "New"}, format="json")

    assert response.status_code == 200
    assert response.json()["text"] == "New"
    claim.refresh_from_db()
    assert (claim.text, claim.summary, claim.first_seen) == ("New", "Keep me", date(2023, 5, 3))
    assert [t.name for t in claim.tags.all()] == ["drone"]
    assert claim.history.latest().history_user == analyst


def test_patch_can_clear_first_seen_and_tags(analyst_client):
    claim = ClaimFactory(tags=["drone"], first_seen=date(2023, 5, 3))

    response = analyst_client.patch(_url(claim), {"first_seen": None, "tags": []}, format="json")

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.first_seen is None
    assert not claim.tags.exists()


def test_put_replaces_wording_and_resets_what_is_left_out(analyst_client):
    claim = ClaimFactory(text="Old", summary="Old summary", tags=["drone"])

    response = analyst_client.put(_url(claim), {"text": "New"}, format="json")

    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.text, claim.summary) == ("New", "")
    assert not claim.tags.exists()


def test_put_requires_text(analyst_client):
    claim = ClaimFactory(text="Old")

    response = analyst_client.put(_url(claim), {"summary": "S"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"text": ["This field is required."]}
    claim.refresh_from_db()
    assert claim.summary == ""


def test_update_keeps_search_document_current(analyst_client):
    claim = ClaimFactory(text="Old wording")

    analyst_client.patch(_url(claim), {"summary": "Беспилотник"}, format="json")

    claim.refresh_from_db()
    assert "Беспилотник" in claim.search_document


def test_patch_ignores_fields_that_change_only_by_review(analyst_client):
    claim = ClaimFactory()

    response = analyst_client.patch(
        _url(claim), {"verdict": "refuted", "review_state": "published"}, format="json"
    )

    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.verdict, claim.review_state) == ("", "draft")


def test_update_refuses_viewer(viewer_client):
    claim = ClaimFactory(text="Old")

    response = viewer_client.patch(_url(claim), {"text": "New"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    claim.refresh_from_db()
    assert claim.text == "Old"


def test_update_of_unknown_claim_is_404(analyst_client):
    response = analyst_client.patch(f"{URL}{uuid.uuid4()}/", {"text": "New"}, format="json")

    assert response.status_code == 404
    assert response.json()["detail"] == "No claim with this id."


# --- Delete ---------------------------------------------------------------------------


def test_delete_removes_claim_and_its_appearances(editor_client, editor):
    claim = ClaimFactory()
    AppearanceFactory(claim=claim)

    response = editor_client.delete(_url(claim))

    assert response.status_code == 204
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not Appearance.objects.exists()
    assert Claim.history.filter(history_type="-").get().history_user == editor


def test_delete_refuses_analyst(analyst_client):
    claim = ClaimFactory()

    response = analyst_client.delete(_url(claim))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only editors can delete claims.",
        "code": "permission_denied",
        "fields": {},
    }
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_delete_refuses_anonymous(anon_client):
    claim = PublishedClaimFactory()

    response = anon_client.delete(_url(claim))

    assert response.status_code == 401
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_delete_of_unknown_claim_is_404(editor_client):
    response = editor_client.delete(f"{URL}{uuid.uuid4()}/")

    assert response.status_code == 404
    assert response.json()["detail"] == "No claim with this id."
