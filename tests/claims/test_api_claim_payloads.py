"""The list and detail payloads, built from selector dicts, equal the read serializers' output.

The serializers describe these payloads in the OpenAPI schema; these tests keep the two
from drifting apart.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from claims.api.serializers import ClaimDetailSerializer, ClaimListSerializer
from claims.selectors import claim_get_for_user, claim_list
from claims.services import claim_relation_create, claim_review
from provenance.models import Capture
from provenance.services import appearance_update, evidence_delete
from tests.claims.conftest import make_succeeded_capture
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _as_json(data) -> object:
    """What the JSON renderer makes of serializer output (UUIDs, ordered dicts)."""
    return json.loads(json.dumps(data, default=str))


@pytest.fixture
def busy_claim(editor):
    """A published claim with every kind of child, some of them edge cases."""
    claim = PublishedClaimFactory(
        actor=editor, text="Drones hit the Kremlin", summary="", tags=["kremlin", "drone"]
    )
    sources = [SourceFactory(actor=editor, state_affiliated=n == 0) for n in range(3)]
    start = datetime(2023, 5, 3, 6, 0, 12, 345678, tzinfo=UTC)
    appearances = [
        AppearanceFactory(
            actor=editor,
            claim=claim,
            source=sources[n % 3],
            quote=f"Quote {n}",
            published_at=start + timedelta(hours=n) if n != 3 else None,
        )
        for n in range(5)
    ]
    appearance_update(appearance=appearances[4], actor=editor, derived_from=appearances[:3])
    appearance_update(appearance=appearances[2], actor=editor, derived_from=[appearances[0]])
    captured = EvidenceFactory(actor=editor, claims=[claim], kind="video", url="https://x.test/v")
    make_succeeded_capture(captured, content=b"old", finished_ago=timedelta(days=2))
    make_succeeded_capture(captured, content=b"new")
    failed = EvidenceFactory(actor=editor, claims=[claim], relation="refutes")
    Capture.objects.create(
        evidence=failed,
        status=Capture.Status.FAILED,
        requested_url=failed.url,
        error_code="http_404",
        finished_at=timezone.now(),
    )
    gone = EvidenceFactory(actor=editor, claims=[claim])
    make_succeeded_capture(gone, content=b"gone")
    draft = ClaimFactory(actor=editor, text="A draft")
    # Outgoing relations come first whatever the order they were made in.
    claim_relation_create(actor=editor, from_claim=draft, to_claim=claim, kind="contradicts")
    for other, kind in ((PublishedClaimFactory(actor=editor), "part_of"), (draft, "supports")):
        claim_relation_create(actor=editor, from_claim=claim, to_claim=other, kind=kind)
    claim_review(claim=claim, actor=editor, to_state="in_review", comment="Back to review")
    claim_review(claim=claim, actor=editor, to_state="published", verdict="disputed")
    # The evidence whose capture the last review relied on goes: the hash stays, the id is null.
    evidence_delete(actor=editor, evidence=gone)
    return claim


@pytest.mark.parametrize("who", ["viewer"])
def test_detail_payload_equals_detail_serializer(request, busy_claim, who):
    actor = request.getfixturevalue(who)
    client = request.getfixturevalue("viewer_client" if who == "viewer" else "anon_client")

    response = client.get(f"/api/claims/{busy_claim.public_id}/")

    assert response.status_code == 200
    expected = ClaimDetailSerializer(
        claim_get_for_user(public_id=busy_claim.public_id, actor=actor)
    )
    assert response.json() == _as_json(expected.data)
    body = response.json()
    assert len(body["appearances"]) == 5
    by_quote = {a["quote"]: a for a in body["appearances"]}
    assert len(by_quote["Quote 4"]["derived_from"]) == 3
    assert [e["latest_capture"] is None for e in body["evidence"]] == [False, False]
    assert len(body["related_claims"]) == (3 if who == "viewer" else 1)
    assert body["review_events"][-1]["captures"][-1]["id"] is None


@pytest.mark.parametrize("who", ["viewer"])
def test_list_payload_equals_list_serializer(request, busy_claim, editor, who):
    actor = request.getfixturevalue(who)
    client = request.getfixturevalue("viewer_client" if who == "viewer" else "anon_client")
    ClaimFactory(actor=editor, text="Untagged", first_seen=datetime(2023, 5, 3, tzinfo=UTC).date())

    response = client.get("/api/claims/", {"page_size": 200})

    assert response.status_code == 200
    expected = ClaimListSerializer(claim_list(actor=actor), many=True)
    assert response.json()["results"] == _as_json(expected.data)
    assert len(response.json()["results"]) == (4 if who == "viewer" else 2)


# Anonymous readers read the published revision, which the model-instance serializers do
# not describe; what they read is the viewer's detail as it stood at publication.


def test_anonymous_detail_is_the_viewers_detail_at_publication(anon_client, viewer_client, editor):
    claim = PublishedClaimFactory(actor=editor, text="Drones hit the Kremlin", tags=["drone"])
    AppearanceFactory(actor=editor, claim=claim, quote="Quote")
    EvidenceFactory(actor=editor, claims=[claim])
    claim_review(claim=claim, actor=editor, to_state="published", verdict="disputed")
    at_publication = viewer_client.get(f"/api/claims/{claim.public_id}/").json()
    AppearanceFactory(actor=editor, claim=claim, quote="Added later")

    body = anon_client.get(f"/api/claims/{claim.public_id}/").json()

    assert body == {
        **at_publication,
        "review_events": body["review_events"],
        "changed_since_publication": False,
        "publication_diff": [],
    }
    assert body["review_events"] == at_publication["review_events"]


def test_anonymous_list_row_shows_the_published_counts(busy_claim, anon_client):
    response = anon_client.get("/api/claims/", {"page_size": 200})

    rows = {row["id"]: row for row in response.json()["results"]}
    row = rows[str(busy_claim.public_id)]
    # The evidence deleted after publication stays in the published revision.
    assert (row["appearance_count"], row["evidence_count"]) == (5, 3)
    assert row["text"] == "Drones hit the Kremlin"
    assert row["tags"] == ["drone", "kremlin"]
