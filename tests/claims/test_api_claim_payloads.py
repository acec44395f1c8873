"""The list and detail payloads (claims/api/payloads.py over the selectors' dicts) carry
every kind of child, edge cases included.

Their shape is the read serializers' in the OpenAPI schema, which every API response in
the tests is checked against (tests/conftest.py).
"""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from claims.models import ReviewEventCapture
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
    # A link to a capture deleted before such captures were protected (claims 0005) keeps
    # the hash with a null id; its evidence can go now.
    ReviewEventCapture.objects.filter(capture__evidence=gone).update(capture=None)
    evidence_delete(actor=editor, evidence=gone)
    return claim


@pytest.mark.parametrize("client_fixture", ["viewer_client", "anon_client"])
def test_detail_payload_holds_every_kind_of_child(request, busy_claim, client_fixture):
    client = request.getfixturevalue(client_fixture)
    sees_all = client_fixture == "viewer_client"

    response = client.get(f"/api/claims/{busy_claim.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(busy_claim.public_id)
    assert body["tags"] == ["drone", "kremlin"]
    assert body["verdict"] == "disputed"
    by_quote = {a["quote"]: a for a in body["appearances"]}
    assert list(by_quote) == ["Quote 0", "Quote 1", "Quote 2", "Quote 4", "Quote 3"]
    assert by_quote["Quote 3"]["published_at"] is None
    assert by_quote["Quote 0"]["published_at"] == "2023-05-03T06:00:12.345678Z"
    assert by_quote["Quote 4"]["derived_from"] == [by_quote[f"Quote {n}"]["id"] for n in range(3)]
    assert by_quote["Quote 2"]["derived_from"] == [by_quote["Quote 0"]["id"]]
    assert by_quote["Quote 0"]["source"]["state_affiliated"] is True
    # Anonymous readers read the revision published before `gone` was deleted.
    captured, failed, *gone = body["evidence"]
    assert len(gone) == (0 if sees_all else 1)
    assert captured["kind"] == "video"
    assert captured["latest_capture"]["status"] == "succeeded"
    assert captured["latest_capture"]["sha256"] == hashlib.sha256(b"new").hexdigest()
    assert failed["relation"] == "refutes"
    assert failed["latest_capture"]["status"] == "failed"
    assert failed["latest_capture"]["error_code"] == "http_404"
    related = [(r["direction"], r["kind"]) for r in body["related_claims"]]
    if sees_all:
        assert related == [("out", "part_of"), ("out", "supports"), ("in", "contradicts")]
    else:
        assert related == [("out", "part_of")]
    last_event = body["review_events"][-1]
    assert last_event["to_state"] == "published"
    # The capture of the evidence deleted since: its hash stays, its id is null.
    assert last_event["captures"][-1] == {"id": None, "sha256": hashlib.sha256(b"gone").hexdigest()}


@pytest.mark.parametrize("client_fixture", ["viewer_client", "anon_client"])
def test_list_payload_counts_children_and_sorts_tags(request, busy_claim, editor, client_fixture):
    client = request.getfixturevalue(client_fixture)
    ClaimFactory(actor=editor, text="Untagged", first_seen=datetime(2023, 5, 3, tzinfo=UTC).date())

    response = client.get("/api/claims/", {"page_size": 200})

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert len(rows) == (4 if client_fixture == "viewer_client" else 2)
    row = rows[str(busy_claim.public_id)]
    assert row["tags"] == ["drone", "kremlin"]
    # The evidence deleted after publication stays in the published revision.
    published_evidence = 2 if client_fixture == "viewer_client" else 3
    assert (row["appearance_count"], row["evidence_count"]) == (5, published_evidence)
    assert row["created_by"] == "ed_editor"


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
