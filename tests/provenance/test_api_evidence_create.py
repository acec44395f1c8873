"""POST /api/evidence/: JSON for a link, multipart for an upload."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from provenance.models import Capture, Evidence, EvidenceClaim
from tests.factories import AppearanceFactory, ClaimFactory

pytestmark = pytest.mark.django_db
URL = "/api/evidence/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def links(evidence_id) -> list[tuple[str, str]]:
    return sorted(
        (str(claim_id), relation)
        for claim_id, relation in EvidenceClaim.objects.filter(
            evidence__public_id=evidence_id
        ).values_list("claim__public_id", "relation")
    )


def test_analyst_adds_a_link_with_claims_and_appearance(
    analyst_client, analyst, django_capture_on_commit_callbacks
):
    claim, other = ClaimFactory(), ClaimFactory()
    appearance = AppearanceFactory(claim=claim)

    with django_capture_on_commit_callbacks() as callbacks:
        response = analyst_client.post(
            URL,
            {
                "url": "https://t.me/rian_ru/199997",
                "kind": "video",
                "title": "Drone video",
                "description": "Shot from across the river",
                "appearance": str(appearance.public_id),
                "claims": [
                    str(claim.public_id),
                    {"claim": str(other.public_id), "relation": "refutes"},
                ],
            },
            format="json",
        )

    assert response.status_code == 201
    body = response.json()
    assert body["url"] == "https://t.me/rian_ru/199997"
    assert (body["kind"], body["title"], body["original_filename"]) == ("video", "Drone video", "")
    assert body["appearance"] == str(appearance.public_id)
    assert sorted((c["claim"], c["relation"]) for c in body["claims"]) == sorted(
        [(str(claim.public_id), "context"), (str(other.public_id), "refutes")]
    )
    capture = Capture.objects.get(evidence__public_id=body["id"])
    assert body["latest_capture"] == {
        "id": str(capture.public_id),
        "status": "queued",
        "sha256": "",
        "finished_at": None,
        "error_code": "",
    }
    assert len(callbacks) == 1
    assert Evidence.objects.get(public_id=body["id"]).created_by == analyst


def test_multipart_upload_with_repeated_claims(analyst_client):
    claim, other = ClaimFactory(), ClaimFactory()
    upload = SimpleUploadedFile("drone.jpg", b"\xff\xd8\xff fake", content_type="image/jpeg")

    response = analyst_client.post(
        URL,
        {
            "file": upload,
            "kind": "image",
            "title": "Frame",
            "claims": [str(claim.public_id), str(other.public_id)],
        },
        format="multipart",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["url"], body["original_filename"]) == ("", "drone.jpg")
    assert "file" not in body
    assert links(body["id"]) == sorted(
        [(str(claim.public_id), "context"), (str(other.public_id), "context")]
    )
    evidence = Evidence.objects.get(public_id=body["id"])
    assert evidence.file.read() == b"\xff\xd8\xff fake"
    assert Capture.objects.get(evidence=evidence).method == "upload"


def test_multipart_claims_as_json_string(analyst_client):
    claim = ClaimFactory()

    response = analyst_client.post(
        URL,
        {
            "file": SimpleUploadedFile("doc.pdf", b"%PDF-1.4"),
            "claims": json.dumps([{"claim": str(claim.public_id), "relation": "supports"}]),
        },
        format="multipart",
    )

    assert response.status_code == 201
    assert links(response.json()["id"]) == [(str(claim.public_id), "supports")]


def test_multipart_claims_as_repeated_json_objects(analyst_client):
    claim, other = ClaimFactory(), ClaimFactory()

    response = analyst_client.post(
        URL,
        {
            "url": "https://example.org/page",
            "claims": [
                json.dumps({"claim": str(claim.public_id), "relation": "refutes"}),
                str(other.public_id),
            ],
        },
        format="multipart",
    )

    assert response.status_code == 201
    assert links(response.json()["id"]) == sorted(
        [(str(claim.public_id), "refutes"), (str(other.public_id), "context")]
    )


def test_upload_over_the_limit_is_400(analyst_client, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = analyst_client.post(
        URL, {"file": SimpleUploadedFile("big.bin", b"x" * 101)}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The file is larger than the 100 bytes allowed.",
        "code": "too_large",
        "fields": {"file": ["File too large."]},
    }
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "image"},
        {"url": "https://example.org/a.jpg", "file": SimpleUploadedFile("a.jpg", b"x")},
    ],
)
def test_needs_url_xor_file(analyst_client, data):
    response = analyst_client.post(URL, data, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Give either a URL to capture or a file to upload, not both and not neither.",
        "code": "invalid",
        "fields": {"url": ["Give a URL or a file."]},
    }
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("claims", "messages"),
    [
        ("abc", ["Give a list of claim ids or of {claim, relation} objects."]),
        (["nope"], ["claims[0]: “nope” is not a claim id (a UUID)."]),
        (
            [{"claim": "11111111-1111-1111-1111-111111111111", "relation": "proves"}],
            ["claims[0].relation must be supports, refutes or context, not “proves”."],
        ),
        (
            [{"claim": "11111111-1111-1111-1111-111111111111", "why": "x"}],
            ["claims[0] has unknown keys: why."],
        ),
        ([42], ["claims[0] must be a claim id or a {claim, relation} object."]),
        (
            [{"relation": "supports"}],
            ["claims[0] must be a claim id or a {claim, relation} object."],
        ),
        (
            ["11111111-1111-1111-1111-111111111111", "11111111-1111-1111-1111-111111111111"],
            ["claims[1]: claim 11111111-1111-1111-1111-111111111111 is listed twice."],
        ),
    ],
)
def test_malformed_claims_are_400(analyst_client, claims, messages):
    response = analyst_client.post(
        URL, {"url": "https://example.org/a", "claims": claims}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["fields"]) == ("invalid", {"claims": messages})
    assert not Evidence.objects.exists()


def test_malformed_json_string_in_multipart_is_400(analyst_client):
    response = analyst_client.post(
        URL, {"url": "https://example.org/a", "claims": "[{oops"}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["claims"][0].startswith("Not valid JSON: ")


@pytest.mark.parametrize("field", ["claims", "appearance"])
def test_unknown_reference_is_400_naming_it(analyst_client, field):
    missing = uuid.uuid4()
    body = {"url": "https://example.org/a"}
    body[field] = [str(missing)] if field == "claims" else str(missing)
    noun = "claim" if field == "claims" else "appearance"

    response = analyst_client.post(URL, body, format="json")

    assert response.status_code == 400
    message = f"No {noun} with id {missing}."
    assert response.json() == {
        "detail": message,
        "code": "unknown_reference",
        "fields": {field: [message]},
    }
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"url": "not a url"}, {"url": ["Enter a valid URL."]}),
        (
            {"url": "https://example.org/a", "kind": "hologram"},
            {"kind": ['"hologram" is not a valid choice.']},
        ),
        (
            {"url": "https://example.org/a", "title": "x" * 501},
            {"title": ["Ensure this field has no more than 500 characters."]},
        ),
        (
            {"file": "just text"},
            {"file": ["The submitted data was not a file. Check the encoding type on the form."]},
        ),
    ],
)
def test_invalid_input_is_400(analyst_client, data, fields):
    response = analyst_client.post(URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == fields
    assert not Evidence.objects.exists()


def test_empty_upload_is_400(analyst_client):
    response = analyst_client.post(
        URL, {"file": SimpleUploadedFile("empty.txt", b"")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["The submitted file is empty."]}


def test_viewer_gets_403(viewer_client):
    response = viewer_client.post(URL, {"url": "https://example.org/a"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    assert not Evidence.objects.exists()
