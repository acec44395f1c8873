"""provenance.graph.claim_graph: the walk, its limits, visibility and query budget."""

import pytest
from django.contrib.auth.models import AnonymousUser

from claimtrail.exceptions import DomainError, NotFound
from provenance.graph import MAX_DEPTH, appearance_trace, claim_graph
from provenance.models import AppearanceDerivation
from tests.provenance.graph_support import build_scenario, build_wide

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(editor):
    return build_scenario(editor)


def _names(scenario, graph) -> set[str]:
    by_id = {a.id: name for name, a in scenario.appearances.items()}
    return {by_id.get(a, "?") for a in graph.appearances}


def _edges(scenario, graph) -> set[tuple[str, str]]:
    by_id = {a.id: name for name, a in scenario.appearances.items()}
    return {(by_id[a], by_id[u]) for a, u in graph.derivations}


def test_graph_follows_derivations_both_ways_across_claims(scenario, viewer):
    graph = claim_graph(public_id=scenario.claims["A"].public_id, actor=viewer)
    assert _names(scenario, graph) == {"u0", "a0", "a1", "h", "a2", "a3", "h2"}
    assert _edges(scenario, graph) == {
        ("a0", "u0"),
        ("a1", "a0"),
        ("h", "a1"),
        ("a2", "a1"),
        ("a3", "a2"),
        ("h2", "h"),
    }
    assert {c.id for c in scenario.claims.values()} == set(graph.claims)
    rows = graph.appearances
    a = scenario.appearances
    assert (rows[a["u0"].id]["up_depth"], rows[a["u0"].id]["down_depth"]) == (1, None)
    assert (rows[a["a1"].id]["up_depth"], rows[a["a1"].id]["down_depth"]) == (0, 0)
    assert (rows[a["a3"].id]["up_depth"], rows[a["a3"].id]["down_depth"]) == (None, 2)
    assert rows[a["u0"].id]["upstream_count"] == 0
    assert not graph.truncated


def test_graph_direction_up_and_down(scenario, viewer):
    public_id = scenario.claims["A"].public_id
    up = claim_graph(public_id=public_id, actor=viewer, direction="up")
    assert _names(scenario, up) == {"u0", "a0", "a1"}
    down = claim_graph(public_id=public_id, actor=viewer, direction="down")
    assert _names(scenario, down) == {"a0", "a1", "h", "a2", "a3", "h2"}
    # Edges among the appearances reached, whichever walk reached them.
    assert ("a0", "u0") not in _edges(scenario, down)


def test_graph_depth_limits_the_walk_and_says_so(scenario, viewer):
    public_id = scenario.claims["A"].public_id
    graph = claim_graph(public_id=public_id, actor=viewer, depth=1)
    assert _names(scenario, graph) == {"u0", "a0", "a1", "h", "a2"}
    assert graph.truncated
    seeds = claim_graph(public_id=public_id, actor=viewer, depth=0)
    assert _names(scenario, seeds) == {"a0", "a1"}
    assert _edges(scenario, seeds) == {("a1", "a0")}


def test_graph_rejects_bad_direction_and_depth(scenario, viewer):
    public_id = scenario.claims["A"].public_id
    with pytest.raises(DomainError, match=r"Direction must be up, down or both\."):
        claim_graph(public_id=public_id, actor=viewer, direction="sideways")
    with pytest.raises(DomainError, match=f"Depth must be between 0 and {MAX_DEPTH}."):
        claim_graph(public_id=public_id, actor=viewer, depth=MAX_DEPTH + 1)


def test_anonymous_graph_leaves_out_hidden_nodes_and_their_edges(scenario):
    graph = claim_graph(public_id=scenario.claims["A"].public_id, actor=AnonymousUser())
    # h is on a draft claim; h2 is public but reached only through h.
    assert _names(scenario, graph) == {"u0", "a0", "a1", "a2", "a3"}
    assert ("h", "a1") not in _edges(scenario, graph)
    claims = scenario.claims
    assert set(graph.claims) == {claims[n].id for n in "ABCR"}
    assert all(r["to_claim_id"] != claims["D"].id for r in graph.relations)
    sources = scenario.sources
    assert sources["hidden_party"].id not in graph.sources
    assert set(graph.source_parents) == {(sources["press"].id, sources["kremlin"].id)}
    # Hidden links are not counted either: at depth 0, a1's only visible downstream is a2.
    seeds = claim_graph(public_id=claims["A"].public_id, actor=AnonymousUser(), depth=0)
    assert seeds.appearances[scenario.appearances["a1"].id]["downstream_count"] == 1
    assert seeds.truncated


def test_viewer_graph_has_hidden_parents_and_draft_relations(scenario, viewer):
    graph = claim_graph(public_id=scenario.claims["A"].public_id, actor=viewer)
    sources = scenario.sources
    assert set(graph.source_parents) == {
        (sources["press"].id, sources["kremlin"].id),
        (sources["kremlin"].id, sources["hidden_party"].id),
    }
    assert {(r["kind"], r["to_claim_id"]) for r in graph.relations} == {
        ("contradicts", scenario.claims["R"].id),
        ("part_of", scenario.claims["D"].id),
    }
    assert graph.evidence_links == [(scenario.evidence.id, scenario.claims["A"].id, "supports")]
    assert graph.evidence[scenario.evidence.id]["appearance_id"] == scenario.appearances["a1"].id
    assert scenario.capture.id in graph.captures


def test_draft_claim_is_not_found_for_anonymous_and_found_for_viewer(scenario, viewer):
    draft = scenario.claims["D"].public_id
    with pytest.raises(NotFound, match=r"No claim with this id\."):
        claim_graph(public_id=draft, actor=AnonymousUser())
    with pytest.raises(NotFound):
        claim_graph(public_id="not-a-uuid", actor=viewer)
    graph = claim_graph(public_id=draft, actor=viewer)
    assert {"h", "a1", "h2"} <= _names(scenario, graph)


def test_walk_ends_on_a_cycle(scenario, viewer):
    a = scenario.appearances
    # The services refuse cycles; written directly to prove the walk ends anyway.
    AppearanceDerivation.objects.create(appearance=a["u0"], upstream=a["a3"])
    graph = claim_graph(public_id=scenario.claims["A"].public_id, actor=viewer)
    assert _names(scenario, graph) == {"u0", "a0", "a1", "h", "a2", "a3", "h2"}
    assert ("u0", "a3") in _edges(scenario, graph)
    trace = appearance_trace(appearance_id=a["a1"].id, actor=viewer)
    assert set(trace) == {a[n].id for n in ("a1", "a0", "u0", "a3", "a2")}


def test_appearance_trace_walks_upstream_only(scenario, viewer):
    a = scenario.appearances
    trace = appearance_trace(appearance_id=a["a3"].id, actor=viewer)
    assert set(trace) == {a[n].id for n in ("a3", "a2", "a1", "a0", "u0")}
    assert trace[a["u0"].id]["up_depth"] == 4
    hidden = appearance_trace(appearance_id=a["h2"].id, actor=AnonymousUser())
    assert set(hidden) == {a["h2"].id}


@pytest.mark.parametrize("size", [5, 500])
def test_graph_query_count_is_flat(editor, viewer, django_assert_max_num_queries, size):
    claim = build_wide(editor, size=size)
    # Claim, walk (with edges and parent sources), grandparent sources, evidence, captures,
    # relations; the viewer's roles are read once per request, not here (cached on him).
    viewer_roles_cached = claim_graph(public_id=claim.public_id, actor=viewer)
    with django_assert_max_num_queries(6):
        graph = claim_graph(public_id=claim.public_id, actor=viewer)
    assert len(graph.appearances) == 2 * size + 3 == len(viewer_roles_cached.appearances)
    assert len(graph.derivations) == 2 * size + 2
    assert len(graph.source_parents) == 2
