"""GET /api/claims/{id}/graph/: Cytoscape.js elements, origin, spread and timeline."""

import uuid
from datetime import timedelta

import pytest

from claims.services import claim_relation_create, claim_update
from tests.factories import AppearanceFactory, EvidenceFactory, publish_again
from tests.provenance.graph_support import build_scenario, build_wide
from tests.schema_check import assert_matches_schema

pytestmark = pytest.mark.django_db

PATH = "/api/claims/{public_id}/graph/"


@pytest.fixture
def scenario(editor):
    return build_scenario(editor)


def _url(claim, query: str = "") -> str:
    return f"/api/claims/{claim.public_id}/graph/" + (f"?{query}" if query else "")


def _nodes(body, kind: str) -> dict[str, dict]:
    return {
        n["data"]["id"]: n["data"] for n in body["elements"]["nodes"] if n["data"]["type"] == kind
    }


def _edges(body, kind: str) -> set[tuple[str, str]]:
    return {
        (e["data"]["source"], e["data"]["target"])
        for e in body["elements"]["edges"]
        if e["data"]["type"] == kind
    }


def test_graph_returns_typed_elements_origin_spread_and_timeline(viewer_client, scenario):
    response = viewer_client.get(_url(scenario.claims["A"]))
    assert response.status_code == 200
    body = response.json()
    assert_matches_schema(body, path=PATH)
    a = {name: str(x.public_id) for name, x in scenario.appearances.items()}
    claims = {name: str(c.public_id) for name, c in scenario.claims.items()}
    sources = {name: str(s.public_id) for name, s in scenario.sources.items()}
    assert set(_nodes(body, "appearance")) == set(a.values())
    claim_nodes = _nodes(body, "claim")
    assert claim_nodes[claims["A"]]["role"] == "focus"
    assert claim_nodes[claims["B"]]["role"] == "reached"
    assert claim_nodes[claims["R"]]["role"] == "related"
    assert (a["a0"], a["u0"]) in _edges(body, "derived_from")
    assert (a["a2"], claims["B"]) in _edges(body, "appears_in")
    assert (a["a1"], sources["tass"]) in _edges(body, "made_by")
    assert (sources["press"], sources["kremlin"]) in _edges(body, "part_of")
    evidence, capture = str(scenario.evidence.public_id), str(scenario.capture.public_id)
    assert _edges(body, "backs") == {(evidence, claims["A"])}
    assert _edges(body, "carried_by") == {(evidence, a["a1"])}
    assert (evidence, capture) in _edges(body, "captured_as")
    related = [e["data"] for e in body["elements"]["edges"] if e["data"]["type"] == "related"]
    assert {(d["target"], d["kind"], d["label"]) for d in related} == {
        (claims["R"], "contradicts", "contradicts"),
        (claims["D"], "part_of", "part of"),
    }
    assert body["origins"] == [a["u0"]]
    spread = {row["appearance"]: row for row in body["spread"]["appearances"]}
    assert spread[a["a3"]]["path"] == [a["u0"], a["a0"], a["a1"], a["a2"], a["a3"]]
    assert spread[a["a3"]]["elapsed"] == {"min": 5 * 3600.0, "max": 5 * 3600.0}
    timeline = [entry["appearance"] for entry in body["timeline"]]
    assert timeline == [a[n] for n in ("u0", "a0", "a1", "h", "a2", "a3", "h2")]
    firsts = {row["category"]: row["appearance"] for row in body["spread"]["first_by_category"]}
    assert firsts["foreign_outlet"] == a["a2"]
    assert firsts["state_outlet"] == a["a1"]
    edge_ids = [e["data"]["id"] for e in body["elements"]["edges"]]
    node_ids = [n["data"]["id"] for n in body["elements"]["nodes"]]
    assert len(set(edge_ids + node_ids)) == len(edge_ids) + len(node_ids)


def test_anonymous_graph_has_no_hidden_node_or_edge(anon_client, scenario):
    response = anon_client.get(_url(scenario.claims["A"]))
    assert response.status_code == 200
    body = response.json()
    assert_matches_schema(body, path=PATH)
    hidden = {
        str(scenario.appearances["h"].public_id),
        str(scenario.appearances["h2"].public_id),
        str(scenario.claims["D"].public_id),
        str(scenario.sources["hidden_party"].public_id),
        str(scenario.sources["blog"].public_id),
    }
    node_ids = {n["data"]["id"] for n in body["elements"]["nodes"]}
    assert not hidden & node_ids
    for edge in body["elements"]["edges"]:
        assert {edge["data"]["source"], edge["data"]["target"]} <= node_ids


def test_graph_direction_and_depth_parameters(viewer_client, scenario):
    response = viewer_client.get(_url(scenario.claims["A"], "direction=up&depth=1"))
    assert response.status_code == 200
    body = response.json()
    assert (body["direction"], body["depth"], body["truncated"]) == ("up", 1, False)
    expected = {str(scenario.appearances[n].public_id) for n in ("u0", "a0", "a1")}
    assert set(_nodes(body, "appearance")) == expected


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("direction=sideways", "direction", '"sideways" is not a valid choice.'),
        ("depth=101", "depth", "Ensure this value is less than or equal to 100."),
        ("depth=x", "depth", "A valid integer is required."),
    ],
)
def test_graph_rejects_bad_parameters(viewer_client, scenario, query, field, message):
    response = viewer_client.get(_url(scenario.claims["A"], query))
    assert response.status_code == 400
    body = response.json()
    assert body["fields"] == {field: [message]}


def test_graph_of_hidden_or_missing_claim_is_404(anon_client, viewer_client, scenario):
    for client, url in (
        (anon_client, _url(scenario.claims["D"])),
        (viewer_client, f"/api/claims/{uuid.uuid4()}/graph/"),
        (viewer_client, "/api/claims/not-a-uuid/graph/"),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["detail"] == "No claim with this id."
    assert viewer_client.get(_url(scenario.claims["D"])).status_code == 200


@pytest.mark.parametrize("size", [5, 500])
def test_graph_endpoint_query_count_is_flat(
    editor, viewer_client, django_assert_max_num_queries, size
):
    claim = build_wide(editor, size=size)
    # Roles of the viewer, the claim, the walk (with edges and parent sources), grandparent
    # sources, evidence, captures, relations.
    with django_assert_max_num_queries(7):
        response = viewer_client.get(_url(claim))
    assert response.status_code == 200
    body = response.json()
    assert len(_nodes(body, "appearance")) == 2 * size + 3
    assert len(_edges(body, "derived_from")) == 2 * size + 2
    assert_matches_schema(body, path=PATH)


def test_anonymous_graph_shows_the_published_revision_not_later_work(
    anon_client, viewer_client, scenario, editor
):
    """Added or edited after publication, rows wait for re-publication, as on the detail."""
    claim = scenario.claims["A"]
    added = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=scenario.sources["relay"],
        quote="Added later",
        published_at=scenario.appearances["a1"].published_at + timedelta(hours=1),
        derived_from=[scenario.appearances["a1"]],
    )
    later_evidence = EvidenceFactory(actor=editor, claims=[claim], title="Later evidence")
    later_relation = claim_relation_create(
        actor=editor, from_claim=claim, to_claim=scenario.claims["C"], kind="part_of"
    )
    claim_update(claim=claim, actor=editor, text="Edited wording, not yet published")
    late = {
        str(added.public_id),
        str(later_evidence.public_id),
        str(scenario.sources["relay"].public_id),
    }

    body = anon_client.get(_url(claim)).json()
    node_ids = {n["data"]["id"] for n in body["elements"]["nodes"]}
    assert not late & node_ids
    assert _nodes(body, "claim")[str(claim.public_id)]["label"] == "Claim A"
    related = {e["data"].get("relation") for e in body["elements"]["edges"]}
    assert str(later_relation.public_id) not in related
    assert (str(claim.public_id), str(scenario.claims["C"].public_id)) not in _edges(
        body, "related"
    )

    seen_by_viewer = viewer_client.get(_url(claim)).json()
    assert late <= {n["data"]["id"] for n in seen_by_viewer["elements"]["nodes"]}

    publish_again(claim, actor=editor)
    republished = anon_client.get(_url(claim)).json()
    assert late <= {n["data"]["id"] for n in republished["elements"]["nodes"]}
    assert (
        _nodes(republished, "claim")[str(claim.public_id)]["label"]
        == "Edited wording, not yet published"
    )
