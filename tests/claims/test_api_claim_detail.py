"""GET /api/claims/{id}/: what the detail embeds, and who may see it."""

import uuid
from datetime import UTC, datetime

import pytest

from claims.services import claim_relation_create, claim_review
from provenance.services import appearance_create, appearance_update
from tests.claims.conftest import make_succeeded_capture
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    publish_again,
)

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "No claim with this id.", "code": "not_found", "fields": {}}


def _url(claim) -> str:
    return f"/api/claims/{claim.public_id}/"


def test_detail_shows_anonymous_a_published_claim(anon_client):
    claim = PublishedClaimFactory(text="Published claim")

    response = anon_client.get(_url(claim))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(claim.public_id)
    assert (body["review_state"], body["verdict"], body["credibility"]) == (
        "published",
        "unverifiable",
        6,
    )


def test_detail_hides_unpublished_claim_from_anonymous_like_a_missing_one(anon_client):
    draft = ClaimFactory()

    unpublished = anon_client.get(_url(draft))
    missing = anon_client.get(f"/api/claims/{uuid.uuid4()}/")

    assert unpublished.status_code == missing.status_code == 404
    assert unpublished.json() == missing.json() == NOT_FOUND


def test_detail_shows_viewer_a_draft(viewer_client):
    draft = ClaimFactory(text="Draft claim")

    response = viewer_client.get(_url(draft))

    assert response.status_code == 200
    assert response.json()["text"] == "Draft claim"


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "0" * 40])
def test_detail_treats_malformed_id_as_missing(viewer_client, bad_id):
    response = viewer_client.get(f"/api/claims/{bad_id}/")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_detail_embeds_appearances_in_publication_order(viewer_client, editor):
    claim = ClaimFactory(actor=editor, tags=["kremlin"])
    kremlin = SourceFactory(
        name="Kremlin press service", kind="government_body", reliability="E", state_affiliated=True
    )
    nbc = SourceFactory(name="NBC News", reliability="B")
    later = AppearanceFactory(
        claim=claim,
        source=nbc,
        stance="quotes",
        quote="We regard these actions as a planned terrorist act",
        url="https://www.nbcnews.com/news/world/kremlin-drone",
        published_at=datetime(2023, 5, 3, 14, 0, tzinfo=UTC),
    )
    origin = appearance_create(
        actor=editor,
        claim=claim,
        source=kremlin,
        stance="asserts",
        quote="Расцениваем эти действия как спланированный теракт",
        quote_language="ru",
        quote_translation="We regard these actions as a planned terrorist act",
        published_at=datetime(2023, 5, 3, tzinfo=UTC),
        published_precision="day",
    )
    appearance_update(appearance=later, actor=editor, derived_from=[origin])

    response = viewer_client.get(_url(claim))

    assert response.status_code == 200
    body = response.json()
    assert body["tags"] == ["kremlin"]
    assert body["created_by"] == "ed_editor"
    assert [a["id"] for a in body["appearances"]] == [str(origin.public_id), str(later.public_id)]
    first, second = body["appearances"]
    assert first == {
        "id": str(origin.public_id),
        "source": {
            "id": str(kremlin.public_id),
            "name": "Kremlin press service",
            "kind": "government_body",
            "reliability": "E",
            "state_affiliated": True,
        },
        "stance": "asserts",
        "quote": "Расцениваем эти действия как спланированный теракт",
        "quote_language": "ru",
        "quote_translation": "We regard these actions as a planned terrorist act",
        "url": "",
        "published_at": "2023-05-03T00:00:00Z",
        "published_precision": "day",
        "derived_from": [],
    }
    assert second["derived_from"] == [str(origin.public_id)]
    assert second["source"]["name"] == "NBC News"


def test_detail_embeds_evidence_with_latest_capture(viewer_client):
    claim = ClaimFactory()
    video = EvidenceFactory(
        claims=[claim], kind="video", url="https://x.com/v.mp4", title="Drone video"
    )
    photo = EvidenceFactory(claims=[claim], relation="supports")
    capture = make_succeeded_capture(video, content=b"video bytes")

    response = viewer_client.get(_url(claim))

    assert response.status_code == 200
    by_id = {e["id"]: e for e in response.json()["evidence"]}
    assert by_id[str(video.public_id)]["kind"] == "video"
    assert by_id[str(video.public_id)]["url"] == "https://x.com/v.mp4"
    assert by_id[str(video.public_id)]["title"] == "Drone video"
    assert by_id[str(video.public_id)]["relation"] == "context"
    latest = by_id[str(video.public_id)]["latest_capture"]
    assert (latest["id"], latest["status"], latest["sha256"]) == (
        str(capture.public_id),
        "succeeded",
        capture.sha256,
    )
    assert by_id[str(photo.public_id)]["relation"] == "supports"
    # The photo's only capture is the one evidence_create queued.
    assert by_id[str(photo.public_id)]["latest_capture"]["status"] == "queued"
    assert by_id[str(photo.public_id)]["latest_capture"]["sha256"] == ""


def test_detail_embeds_related_claims_in_both_directions(viewer_client, editor):
    claim = PublishedClaimFactory(text="Main")
    whole = PublishedClaimFactory(text="Whole")
    counter = ClaimFactory(text="False flag")
    out = claim_relation_create(actor=editor, from_claim=claim, to_claim=whole, kind="part_of")
    incoming = claim_relation_create(
        actor=editor, from_claim=counter, to_claim=claim, kind="contradicts"
    )

    response = viewer_client.get(_url(claim))

    assert response.status_code == 200
    assert response.json()["related_claims"] == [
        {
            "id": str(out.public_id),
            "kind": "part_of",
            "direction": "out",
            "claim": {"id": str(whole.public_id), "text": "Whole", "review_state": "published"},
        },
        {
            "id": str(incoming.public_id),
            "kind": "contradicts",
            "direction": "in",
            "claim": {"id": str(counter.public_id), "text": "False flag", "review_state": "draft"},
        },
    ]


def test_detail_hides_unpublished_related_claims_from_anonymous(anon_client, editor):
    claim = PublishedClaimFactory(text="Main")
    whole = PublishedClaimFactory(text="Whole")
    claim_relation_create(actor=editor, from_claim=claim, to_claim=whole, kind="part_of")
    counter = ClaimFactory(text="False flag")
    claim_relation_create(actor=editor, from_claim=counter, to_claim=claim, kind="contradicts")
    claim_relation_create(actor=editor, from_claim=claim, to_claim=counter, kind="supports")
    publish_again(claim)

    response = anon_client.get(_url(claim))

    assert response.status_code == 200
    assert [r["claim"]["text"] for r in response.json()["related_claims"]] == ["Whole"]


def test_detail_embeds_review_events_with_captures(anon_client, editor, analyst):
    claim = ClaimFactory()
    capture = make_succeeded_capture(EvidenceFactory(claims=[claim]), content=b"photo")
    claim_review(claim=claim, actor=analyst, to_state="in_review", comment="Ready")
    claim_review(
        claim=claim,
        actor=editor,
        to_state="published",
        verdict="unverifiable",
        credibility=6,
        comment="Cannot be judged.",
    )

    response = anon_client.get(_url(claim))

    assert response.status_code == 200
    body = response.json()
    assert body["reviewed_by"] == "ed_editor"
    first, second = body["review_events"]
    assert (first["actor"], first["from_state"], first["to_state"], first["comment"]) == (
        "ana_analyst",
        "draft",
        "in_review",
        "Ready",
    )
    assert second["actor"] == "ed_editor"
    assert (second["from_verdict"], second["to_verdict"]) == ("", "unverifiable")
    assert (second["from_credibility"], second["to_credibility"]) == (None, 6)
    assert second["captures"] == [{"id": str(capture.public_id), "sha256": capture.sha256}]
