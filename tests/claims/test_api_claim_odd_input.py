"""No query parameter or request body, however odd, makes the claims API fail with a 500."""

import json

import pytest

from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    None,
    "",
    "\x00",
    "x" * 20000,
    2**70,
    -1.5,
    True,
    [],
    {"a": 1},
    [None],
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "'; drop table claims_claim; --",
    "!!!",
]
LIST_PARAMETERS = [
    "q",
    "verdict",
    "review_state",
    "tag",
    "source",
    "stance",
    "first_seen_after",
    "first_seen_before",
    "created_after",
    "created_before",
    "published_after",
    "published_before",
    "ordering",
    "page_size",
    "cursor",
]
RAW_BODIES = ["", "null", "[]", "1", '"text"', "{", '{"text": "\\ud800"}']


def _as_parameter(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@pytest.mark.parametrize("parameter", LIST_PARAMETERS)
def test_list_answers_odd_parameters_without_server_error(viewer_client, parameter):
    ClaimFactory()

    statuses = {
        _as_parameter(value)[:40]: viewer_client.get(
            "/api/claims/", {parameter: _as_parameter(value)}
        ).status_code
        for value in ODD_VALUES
    }

    assert set(statuses.values()) <= {200, 400}, statuses


def test_writes_answer_odd_bodies_without_server_error(editor_client):
    claim, other = ClaimFactory(), ClaimFactory()
    valid = {
        "text": "A claim",
        "to_state": "in_review",
        "into": str(other.public_id),
        "to_claim": str(other.public_id),
        "kind": "supports",
    }
    endpoints = {
        "/api/claims/": ["text", "summary", "tags", "first_seen"],
        f"/api/claims/{claim.public_id}/review/": [
            "to_state",
            "verdict",
            "credibility",
            "comment",
            "captures",
        ],
        f"/api/claims/{claim.public_id}/merge/": ["into", "comment"],
        f"/api/claims/{claim.public_id}/relations/": ["to_claim", "kind"],
    }
    failures = []
    for url, fields in endpoints.items():
        bodies = [json.dumps(valid | {field: value}) for field in fields for value in ODD_VALUES]
        for body in bodies + RAW_BODIES:
            response = editor_client.post(url, body, content_type="application/json")
            if response.status_code >= 500:
                failures.append((url, body[:60], response.status_code))
        multipart = editor_client.post(url, {"text": "A", "tags": ["a", "b"]})
        if multipart.status_code >= 500:
            failures.append((url, "multipart", multipart.status_code))
    for value in ODD_VALUES:
        response = editor_client.patch(
            f"/api/claims/{claim.public_id}/",
            json.dumps({"text": value}),
            content_type="application/json",
        )
        if response.status_code >= 500:
            failures.append(("patch", str(value)[:60], response.status_code))

    assert not failures
