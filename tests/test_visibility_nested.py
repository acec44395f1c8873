"""Every nested reference in the API follows claimtrail.visibility, as anonymous and viewer.

One small world, in which each visible row refers to a hidden one (a row that hangs only
off a draft claim): a published claim's appearance relays one on a draft claim and is
relayed by another, its source's parent spoke only on the draft, its evidence was carried
by the draft's appearance and backs the draft too, and it supports the draft. Anonymous
callers must not learn the hidden rows' ids or names from any field; viewers see them all.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from claims import services as claim_services
from claims.models import Claim, ClaimRelation
from provenance.models import Appearance, Capture, Evidence
from sources.models import Source
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    _system_editor,
    publish_again,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    published: Claim
    draft: Claim
    hidden_parent: Source  # spoke only on the draft
    visible_parent: Source  # spoke on the published claim
    child: Source  # of hidden_parent; spoke on both claims
    sibling: Source  # of visible_parent; spoke on the published claim
    draft_origin: Appearance  # on the draft, by hidden_parent
    relay: Appearance  # on the published claim, by child, derived from draft_origin
    draft_relay: Appearance  # on the draft, by child, derived from relay
    evidence: Evidence  # on both claims, carried by draft_origin
    draft_evidence: Evidence  # on the draft only
    relation: ClaimRelation  # published supports draft


def _at(hour: int) -> datetime:
    return datetime(2023, 5, 3, hour, 0, tzinfo=UTC)


@pytest.fixture
def world() -> World:
    published = PublishedClaimFactory(text="A drone attack on the Kremlin")
    draft = ClaimFactory(text="An unchecked draft about the same night")
    hidden_parent = SourceFactory(name="Hidden Parent Bureau")
    visible_parent = SourceFactory(name="Visible Parent Outlet")
    child = SourceFactory(name="Correspondent", parent=hidden_parent)
    sibling = SourceFactory(name="Other Correspondent", parent=visible_parent)
    draft_origin = AppearanceFactory(claim=draft, source=hidden_parent, published_at=_at(6))
    relay = AppearanceFactory(
        claim=published, source=child, published_at=_at(7), derived_from=[draft_origin]
    )
    AppearanceFactory(claim=published, source=visible_parent, published_at=_at(8))
    AppearanceFactory(claim=published, source=sibling, published_at=_at(8))
    draft_relay = AppearanceFactory(
        claim=draft, source=child, published_at=_at(9), derived_from=[relay]
    )
    evidence = EvidenceFactory(claims=[published, draft], appearance=draft_origin)
    draft_evidence = EvidenceFactory(claims=[draft])
    relation = claim_services.claim_relation_create(
        actor=_system_editor(), from_claim=published, to_claim=draft, kind="supports"
    )
    # The public reads what an editor published: publish again with all of the above.
    published = publish_again(published)
    return World(
        published=published,
        draft=draft,
        hidden_parent=hidden_parent,
        visible_parent=visible_parent,
        child=child,
        sibling=sibling,
        draft_origin=draft_origin,
        relay=relay,
        draft_relay=draft_relay,
        evidence=evidence,
        draft_evidence=draft_evidence,
        relation=relation,
    )


@pytest.fixture(params=["anonymous", "viewer"])
def persona(request):
    """(client, sees hidden rows)."""
    if request.param == "anonymous":
        return request.getfixturevalue("anon_client"), False
    return request.getfixturevalue("viewer_client"), True


def _ref(source: Source) -> dict:
    return {"id": str(source.public_id), "name": source.name}


def _ids(*rows) -> list[str]:
    return [str(row.public_id) for row in rows]


def _everything_hidden_is_absent(body, world: World) -> None:
    """No hidden row's id or name appears anywhere in an anonymous response."""
    text = str(body)
    for row in (world.draft, world.draft_origin, world.draft_relay, world.draft_evidence):
        assert str(row.public_id) not in text
    assert str(world.hidden_parent.public_id) not in text
    assert world.hidden_parent.name not in text


# --- Sources ----------------------------------------------------------------------------


def test_source_detail_parent(world, persona):
    client, sees_all = persona

    response = client.get(f"/api/sources/{world.child.public_id}/")

    assert response.status_code == 200
    assert response.json()["parent"] == (_ref(world.hidden_parent) if sees_all else None)


def test_source_detail_keeps_a_visible_parent(world, persona):
    client, _ = persona

    response = client.get(f"/api/sources/{world.sibling.public_id}/")

    assert response.status_code == 200
    assert response.json()["parent"] == _ref(world.visible_parent)


def test_source_list_parents(world, persona):
    client, sees_all = persona

    response = client.get("/api/sources/")

    assert response.status_code == 200
    parents = {row["id"]: row["parent"] for row in response.json()["results"]}
    assert parents[str(world.child.public_id)] == (_ref(world.hidden_parent) if sees_all else None)
    assert parents[str(world.sibling.public_id)] == _ref(world.visible_parent)
    assert (str(world.hidden_parent.public_id) in parents) is sees_all
    if not sees_all:
        _everything_hidden_is_absent(response.json(), world)


def test_source_detail_claims_made(world, persona):
    client, sees_all = persona

    response = client.get(f"/api/sources/{world.child.public_id}/")

    assert response.status_code == 200
    made = [row["appearance"] for row in response.json()["claims_made"]]
    expected = [world.relay, world.draft_relay] if sees_all else [world.relay]
    assert made == _ids(*expected)
    if not sees_all:
        _everything_hidden_is_absent(response.json(), world)


def test_hidden_source_is_not_found(world, persona):
    client, sees_all = persona

    response = client.get(f"/api/sources/{world.hidden_parent.public_id}/")

    assert response.status_code == (200 if sees_all else 404)


# --- Claims -----------------------------------------------------------------------------


def test_claim_detail_appearance_derived_from(world, persona):
    client, sees_all = persona

    response = client.get(f"/api/claims/{world.published.public_id}/")

    assert response.status_code == 200
    derived = {row["id"]: row["derived_from"] for row in response.json()["appearances"]}
    assert derived[str(world.relay.public_id)] == (_ids(world.draft_origin) if sees_all else [])


def test_claim_detail_related_claims(world, persona):
    client, sees_all = persona

    response = client.get(f"/api/claims/{world.published.public_id}/")

    assert response.status_code == 200
    related = [row["claim"]["id"] for row in response.json()["related_claims"]]
    assert related == (_ids(world.draft) if sees_all else [])


def test_claim_detail_evidence(world, persona):
    client, _ = persona

    response = client.get(f"/api/claims/{world.published.public_id}/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["evidence"]] == _ids(world.evidence)


def test_claim_detail_shows_nothing_hidden_to_anonymous(world, anon_client):
    response = anon_client.get(f"/api/claims/{world.published.public_id}/")

    assert response.status_code == 200
    _everything_hidden_is_absent(response.json(), world)


def test_claim_list(world, persona):
    client, sees_all = persona

    response = client.get("/api/claims/")

    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    expected = {world.published, world.draft} if sees_all else {world.published}
    assert listed == set(_ids(*expected))


# --- Appearances ------------------------------------------------------------------------


def test_appearance_detail_derived_from_and_derivatives(world, persona):
    client, sees_all = persona

    response = client.get(f"/api/appearances/{world.relay.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["derived_from"] == (_ids(world.draft_origin) if sees_all else [])
    assert body["derivatives"] == (_ids(world.draft_relay) if sees_all else [])
    if not sees_all:
        _everything_hidden_is_absent(body, world)


def test_appearance_list_derived_from_and_derivatives(world, persona):
    client, sees_all = persona

    response = client.get("/api/appearances/")

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    relay = rows[str(world.relay.public_id)]
    assert relay["derived_from"] == (_ids(world.draft_origin) if sees_all else [])
    assert relay["derivatives"] == (_ids(world.draft_relay) if sees_all else [])
    assert (str(world.draft_origin.public_id) in rows) is sees_all
    if not sees_all:
        _everything_hidden_is_absent(response.json(), world)


# --- Evidence and captures --------------------------------------------------------------


def test_evidence_detail_appearance_and_claims(world, persona):
    client, sees_all = persona

    response = client.get(f"/api/evidence/{world.evidence.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["appearance"] == (str(world.draft_origin.public_id) if sees_all else None)
    claims = [link["claim"] for link in body["claims"]]
    expected = [world.published, world.draft] if sees_all else [world.published]
    assert claims == _ids(*expected)
    if not sees_all:
        _everything_hidden_is_absent(body, world)


def test_evidence_list(world, persona):
    client, sees_all = persona

    response = client.get("/api/evidence/")

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    expected = {world.evidence, world.draft_evidence} if sees_all else {world.evidence}
    assert set(rows) == set(_ids(*expected))
    assert rows[str(world.evidence.public_id)]["appearance"] == (
        str(world.draft_origin.public_id) if sees_all else None
    )
    if not sees_all:
        _everything_hidden_is_absent(response.json(), world)


def test_capture_evidence(world, persona):
    client, sees_all = persona
    capture = Capture.objects.get(evidence=world.evidence)
    hidden_capture = Capture.objects.get(evidence=world.draft_evidence)

    detail = client.get(f"/api/captures/{capture.public_id}/")
    hidden = client.get(f"/api/captures/{hidden_capture.public_id}/")
    listed = client.get("/api/captures/")

    assert detail.status_code == 200
    assert detail.json()["evidence"] == str(world.evidence.public_id)
    assert hidden.status_code == (200 if sees_all else 404)
    assert listed.status_code == 200
    evidence = {row["evidence"] for row in listed.json()["results"]}
    expected = {world.evidence, world.draft_evidence} if sees_all else {world.evidence}
    assert evidence == set(_ids(*expected))
