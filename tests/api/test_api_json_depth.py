"""JSON nested past the bound is a 400 naming it, in a body or inside a multipart field."""

import json

import pytest

from claims.models import Claim
from claimtrail.parsers import JSON_MAX_DEPTH, json_depth_exceeds
from provenance.models import Evidence

pytestmark = pytest.mark.django_db

TOO_DEEP = f"JSON nested too deeply (max {JSON_MAX_DEPTH})."
DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def nested(depth: int):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_body_nested_a_thousand_deep_is_a_400(analyst_client):
    analyst_client.raise_request_exception = False

    response = analyst_client.post("/api/claims/", data=DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": TOO_DEEP, "code": "too_deep", "fields": {}}
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "url", ["/api/sources/", "/api/appearances/", "/api/evidence/", "/api/auth/token/"]
)
def test_every_json_endpoint_bounds_nesting(analyst_client, url):
    analyst_client.raise_request_exception = False

    response = analyst_client.post(url, data=DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP, "code": "too_deep", "fields": {}}


def test_object_nesting_counts_too(analyst_client):
    analyst_client.raise_request_exception = False
    body = '{"text": ' + '{"a": ' * 500 + "1" + "}" * 500 + "}"

    response = analyst_client.post("/api/claims/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == TOO_DEEP
    assert not Claim.objects.exists()


def test_body_at_the_bound_is_parsed(analyst_client):
    body = json.dumps({"text": "A claim", "tags": nested(JSON_MAX_DEPTH - 1)})

    response = analyst_client.post("/api/claims/", data=body, content_type="application/json")

    # Parsed: the serializer, not the parser, refuses the nested tag list.
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "tags" in response.json()["fields"]


def test_multipart_claims_field_nested_a_thousand_deep_is_a_400(analyst_client):
    analyst_client.raise_request_exception = False

    response = analyst_client.post(
        "/api/evidence/",
        {"url": "https://example.org/video.mp4", "claims": DEEP},
        format="multipart",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"claims: {TOO_DEEP}",
        "code": "invalid",
        "fields": {"claims": [TOO_DEEP]},
    }
    assert not Evidence.objects.exists()


def test_multipart_claims_object_nested_a_thousand_deep_is_a_400(analyst_client):
    analyst_client.raise_request_exception = False
    deep_object = '{"claim": ' + "[" * 1000 + "]" * 1000 + "}"

    response = analyst_client.post(
        "/api/evidence/",
        {"url": "https://example.org/video.mp4", "claims": [deep_object, deep_object]},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"claims": [TOO_DEEP]}
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("text", "too_deep"),
    [
        ("[]", False),
        ("[" * 3 + "]" * 3, False),
        ("[" * 4 + "]" * 4, True),
        ('{"a": [{"b": 1}]}', False),
        ('{"a": [{"b": []}]}', True),
        # Brackets inside strings, also after escaped quotes and backslashes, do not count.
        (json.dumps(["[[[[[[", '\\"[[[[', "\\"]), False),
        (json.dumps([[["\\"]], "]]]]"]), False),
        (json.dumps([[[["\\"]]]]), True),
        # Unbalanced: invalid JSON, left to json.loads to report unless a run is too deep.
        ("[[}", False),
        ("]]][[", False),
        ("]]]][[[[", True),
        ("[]" * 1000, False),
    ],
)
def test_depth_measure(text, too_deep):
    assert json_depth_exceeds(text, 3) is too_deep
