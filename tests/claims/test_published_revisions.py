"""What an editor published is what the public sees (claims.revisions).

Publishing freezes a revision; later edits to the working copy wait for an editor's
re-publication before anonymous readers (detail, list, search, appearances, sources) see
them.
"""

import hashlib
import json

import pytest

from claims.models import Claim, PublishedRevision, ReviewEvent
from claims.services import claim_review, claim_update
from claimtrail.exceptions import DomainError
from claimtrail.lib.canonical import canonical_bytes, canonical_sha256
from provenance.services import appearance_update
from tests.claims.conftest import make_succeeded_capture
from tests.factories import (
    AppearanceFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    publish_again,
)

pytestmark = pytest.mark.django_db


def _url(claim) -> str:
    return f"/api/claims/{claim.public_id}/"


def _list_texts(client, **params) -> list[str]:
    response = client.get("/api/claims/", params)
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_analyst_edit_of_a_published_claim_stays_off_the_public_detail_and_list(
    anon_client, analyst_client
):
    claim = PublishedClaimFactory(text="Drones hit the Kremlin", tags=["drone"])

    response = analyst_client.patch(
        _url(claim), {"text": "nilmerK eht tih senorD", "tags": ["edited"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["text"] == "nilmerK eht tih senorD"
    detail = anon_client.get(_url(claim)).json()
    assert (detail["text"], detail["tags"], detail["review_state"]) == (
        "Drones hit the Kremlin",
        ["drone"],
        "published",
    )
    assert _list_texts(anon_client) == ["Drones hit the Kremlin"]
    [row] = anon_client.get("/api/claims/").json()["results"]
    assert row["tags"] == ["drone"]
    # Searching or filtering on the unpublished edit finds nothing: it would leak it.
    assert _list_texts(anon_client, q="nilmerK") == []
    assert _list_texts(anon_client, tag="edited") == []
    assert _list_texts(anon_client, q="Kremlin") == ["Drones hit the Kremlin"]
    assert _list_texts(anon_client, tag="drone") == ["Drones hit the Kremlin"]


def test_viewer_reads_the_working_copy_with_the_changes_since_publication(
    viewer_client, analyst_client
):
    claim = PublishedClaimFactory(text="Drones hit the Kremlin")
    revision = PublishedRevision.objects.get(claim=claim)

    analyst_client.patch(_url(claim), {"text": "Two drones hit the Kremlin"}, format="json")

    body = viewer_client.get(_url(claim)).json()
    assert body["text"] == "Two drones hit the Kremlin"
    assert body["changed_since_publication"] is True
    assert body["published_revision"]["id"] == str(revision.public_id)
    assert (body["published_revision"]["number"], body["published_revision"]["sha256"]) == (
        1,
        revision.sha256,
    )
    assert body["publication_diff"] == [
        {
            "field": "text",
            "published": "Drones hit the Kremlin",
            "working": "Two drones hit the Kremlin",
        }
    ]
    [row] = viewer_client.get("/api/claims/").json()["results"]
    assert row["changed_since_publication"] is True
    assert row["published_revision"]["sha256"] == revision.sha256


def test_viewer_sees_no_change_right_after_publication(viewer_client):
    claim = PublishedClaimFactory()

    body = viewer_client.get(_url(claim)).json()

    assert (body["changed_since_publication"], body["publication_diff"]) == (False, [])
    [row] = viewer_client.get("/api/claims/").json()["results"]
    assert row["changed_since_publication"] is False


def test_appearance_added_after_publication_waits_for_re_publication(
    anon_client, viewer_client, editor_client
):
    claim = PublishedClaimFactory()
    source = SourceFactory(name="Late outlet")
    appearance = AppearanceFactory(claim=claim, source=source, quote="Added later")

    detail = anon_client.get(_url(claim)).json()
    assert detail["appearances"] == []
    assert anon_client.get("/api/appearances/").json()["results"] == []
    assert anon_client.get(f"/api/appearances/{appearance.public_id}/").status_code == 404
    assert anon_client.get(f"/api/sources/{source.public_id}/").status_code == 404
    assert anon_client.get("/api/claims/").json()["results"][0]["appearance_count"] == 0
    assert anon_client.get("/api/claims/", {"source": source.public_id}).json()["results"] == []
    viewer_body = viewer_client.get(_url(claim)).json()
    assert [change["field"] for change in viewer_body["publication_diff"]] == [
        f"appearances[{appearance.public_id}]"
    ]
    assert viewer_body["publication_diff"][0]["published"] is None

    response = editor_client.post(f"{_url(claim)}review/", {"to_state": "published"}, format="json")

    assert response.status_code == 200
    assert [a["quote"] for a in anon_client.get(_url(claim)).json()["appearances"]] == [
        "Added later"
    ]
    assert anon_client.get(f"/api/appearances/{appearance.public_id}/").status_code == 200
    assert anon_client.get(f"/api/sources/{source.public_id}/").status_code == 200
    assert PublishedRevision.objects.filter(claim=claim).count() == 2


def test_evidence_added_after_publication_waits_for_re_publication(anon_client):
    claim = PublishedClaimFactory()
    evidence = EvidenceFactory(claims=[claim])

    assert anon_client.get(_url(claim)).json()["evidence"] == []
    assert anon_client.get(f"/api/evidence/{evidence.public_id}/").status_code == 404

    publish_again(claim)

    assert [e["id"] for e in anon_client.get(_url(claim)).json()["evidence"]] == [
        str(evidence.public_id)
    ]
    assert anon_client.get(f"/api/evidence/{evidence.public_id}/").status_code == 200


def test_re_publishing_an_unchanged_claim_records_nothing(editor):
    claim = PublishedClaimFactory()

    with pytest.raises(DomainError) as exc:
        claim_review(claim=claim, actor=editor, to_state="published")

    assert exc.value.code == "no_change"
    assert exc.value.message == (
        "The published revision already shows this claim; nothing to publish."
    )
    assert PublishedRevision.objects.filter(claim=claim).count() == 1


@pytest.mark.parametrize("to_state", ["in_review", "archived", "published"])
def test_analyst_cannot_change_what_is_published(analyst_client, analyst, to_state):
    claim = PublishedClaimFactory()
    AppearanceFactory(claim=claim)  # so that a re-publication would change something
    events = ReviewEvent.objects.filter(claim=claim).count()

    response = analyst_client.post(f"{_url(claim)}review/", {"to_state": to_state}, format="json")

    assert response.status_code == 403
    expected = (
        "Only editors can publish a claim again."
        if to_state == "published"
        else "Only editors can take a claim out of published."
    )
    assert response.json() == {"detail": expected, "code": "permission_denied", "fields": {}}
    claim.refresh_from_db()
    assert claim.review_state == "published"
    assert ReviewEvent.objects.filter(claim=claim).count() == events


@pytest.mark.parametrize("to_state", ["in_review", "archived"])
def test_editor_takes_a_claim_out_of_published(editor_client, anon_client, to_state):
    claim = PublishedClaimFactory()

    response = editor_client.post(f"{_url(claim)}review/", {"to_state": to_state}, format="json")

    assert response.status_code == 200
    assert Claim.objects.get(pk=claim.pk).review_state == to_state
    assert anon_client.get(_url(claim)).status_code == 404


def test_revision_hash_is_the_sha256_of_its_canonical_json(editor):
    claim = PublishedClaimFactory(text="Дроны над Кремлём", tags=["kremlin"])
    AppearanceFactory(claim=claim, quote="«Теракт»")
    evidence = EvidenceFactory(claims=[claim])
    capture = make_succeeded_capture(evidence, content=b"video")
    publish_again(claim)

    revision = PublishedRevision.objects.get(claim=claim, number=2)

    expected = json.dumps(
        revision.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert canonical_bytes(revision.payload) == expected
    assert (
        revision.sha256
        == hashlib.sha256(expected).hexdigest()
        == canonical_sha256(revision.payload)
    )
    assert revision.payload["text"] == "Дроны над Кремлём"
    assert revision.payload["captures_relied_on"] == [
        {
            "id": str(capture.public_id),
            "evidence": str(evidence.public_id),
            "sha256": capture.sha256,
        }
    ]
    assert "review_events" not in revision.payload


def test_publish_event_links_the_revision(editor):
    claim = PublishedClaimFactory()
    AppearanceFactory(claim=claim)

    event = claim_review(claim=claim, actor=editor, to_state="published", comment="Again")

    revision = PublishedRevision.objects.get(claim=claim, number=2)
    assert ReviewEvent.objects.get(pk=event.pk).revision == revision
    assert Claim.objects.get(pk=claim.pk).published_revision == revision
    assert revision.published_by == editor
    first = ReviewEvent.objects.filter(claim=claim, to_state="published").first()
    assert first.revision.number == 1


def test_anonymous_detail_is_the_revision_with_live_review_events(anon_client, editor):
    claim = PublishedClaimFactory(text="Frozen")
    revision = PublishedRevision.objects.get(claim=claim)

    body = anon_client.get(_url(claim)).json()

    published = {k: v for k, v in revision.payload.items() if k != "captures_relied_on"}
    extra = {"review_events", "published_revision", "changed_since_publication", "publication_diff"}
    assert {k: v for k, v in body.items() if k not in extra} == published
    assert [e["to_state"] for e in body["review_events"]] == ["published"]
    assert body["published_revision"]["sha256"] == revision.sha256


def test_source_detail_shows_anonymous_the_published_claim_text(anon_client, analyst):
    source = SourceFactory()
    claim = PublishedClaimFactory(text="As published")
    AppearanceFactory(claim=claim, source=source)
    publish_again(claim)
    claim_update(claim=claim, actor=analyst, text="As edited since")

    body = anon_client.get(f"/api/sources/{source.public_id}/").json()

    assert [made["claim"]["text"] for made in body["claims_made"]] == ["As published"]


def test_public_detail_shows_captures_finished_after_publication(anon_client):
    claim = PublishedClaimFactory()
    evidence = EvidenceFactory(claims=[claim])
    publish_again(claim)
    revision = PublishedRevision.objects.get(claim=claim, number=2)
    capture = make_succeeded_capture(evidence, content=b"preserved later")

    [item] = anon_client.get(_url(claim)).json()["evidence"]

    # Preserving evidence is not an editor's decision: the public sees it as it happens.
    published_capture = revision.payload["evidence"][0]["latest_capture"] or {}
    assert published_capture.get("id") != str(capture.public_id)
    assert item["latest_capture"]["id"] == str(capture.public_id)
    assert item["latest_capture"]["sha256"] == capture.sha256


def test_appearance_edited_after_publication_waits_for_re_publication(anon_client, analyst):
    claim = PublishedClaimFactory()
    appearance = AppearanceFactory(claim=claim, quote="As published")
    publish_again(claim)

    appearance_update(appearance=appearance, actor=analyst, quote="As edited since")

    assert anon_client.get(f"/api/appearances/{appearance.public_id}/").status_code == 404
    [shown] = anon_client.get(_url(claim)).json()["appearances"]
    assert shown["quote"] == "As published"

    publish_again(claim)

    response = anon_client.get(f"/api/appearances/{appearance.public_id}/")
    assert response.status_code == 200
    assert response.json()["quote"] == "As edited since"


def test_an_edit_read_before_a_publication_does_not_undo_it(analyst, editor):
    """The API reads the claim, validates, then saves: an editor may publish in between.
    The analyst's edit keeps the publication (state, verdict, revision) it did not touch."""
    claim = PublishedClaimFactory(text="First wording")
    read_by_the_analyst = Claim.objects.get(pk=claim.pk)
    claim_update(claim=claim, actor=analyst, text="Second wording")
    claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
    published = Claim.objects.get(pk=claim.pk)

    claim_update(claim=read_by_the_analyst, actor=analyst, summary="A summary")

    after = Claim.objects.get(pk=claim.pk)
    assert (after.review_state, after.verdict, after.published_revision_id) == (
        "published",
        "refuted",
        published.published_revision_id,
    )
    assert (after.text, after.summary) == ("Second wording", "A summary")
    assert after.history.first().verdict == "refuted"
