"""provenance.spread: origins, paths, hops and time per source, first per kind, timeline.

Pure functions over plain data: graphs are built by hand, no database.
"""

from datetime import UTC, datetime
from uuid import uuid4

from provenance.graph import ProvenanceGraph
from provenance.spread import origin_and_spread, spans, timeline


def _graph(appearances: dict, edges: list[tuple[str, str]], sources: dict) -> tuple:
    """appearances: name -> (source name, published_at, precision, upstream count)."""
    ids = {name: n for n, name in enumerate(appearances, start=1)}
    source_ids = {name: 100 + n for n, name in enumerate(sources)}
    graph = ProvenanceGraph(claim_id=1, direction="both", depth=100)
    for name, (kind, country, state) in sources.items():
        graph.sources[source_ids[name]] = {
            "id": source_ids[name],
            "public_id": uuid4(),
            "name": name,
            "kind": kind,
            "country": country,
            "state_affiliated": state,
            "reliability": "F",
        }
    for name, (source, when, precision) in appearances.items():
        graph.appearances[ids[name]] = {
            "id": ids[name],
            "public_id": uuid4(),
            "stance": "asserts",
            "url": "",
            "published_at": when,
            "published_precision": precision,
            "created_at": datetime(2024, 1, 1, tzinfo=UTC),
            "claim_id": 1,
            "source_id": source_ids[source],
            "up_depth": 0,
            "down_depth": 0,
            "upstream_count": sum(1 for a, _ in edges if a == name),
            "downstream_count": sum(1 for _, u in edges if u == name),
        }
    graph.derivations = [(ids[a], ids[u]) for a, u in edges]
    names = {n: name for name, n in ids.items()}
    return graph, ids, names, source_ids


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2023, 5, day, hour, tzinfo=UTC)


SOURCES = {
    "kremlin": ("government_body", "RU", True),
    "tass": ("outlet", "RU", True),
    "nbc": ("outlet", "US", False),
    "blogger": ("person", "US", False),
}


def test_origins_earliest_first_and_paths_from_them():
    graph, ids, names, source_ids = _graph(
        {
            "late_origin": ("blogger", at(5), "exact"),
            "origin": ("kremlin", at(3), "exact"),
            "relay": ("tass", at(3, 13), "exact"),
            "report": ("nbc", at(4), "exact"),
        },
        [("relay", "origin"), ("report", "relay"), ("report", "late_origin")],
        SOURCES,
    )
    result = origin_and_spread(graph)
    assert [names[a] for a in result["origins"]] == ["origin", "late_origin"]
    report = result["appearances"][ids["report"]]
    assert [names[a] for a in report["path"]] == ["late_origin", "report"]
    assert report["hops"] == 1
    relay = result["appearances"][ids["relay"]]
    assert ([names[a] for a in relay["path"]], relay["hops"]) == (["origin", "relay"], 1)
    assert relay["elapsed"] == {"min": 3600.0, "max": 3600.0}
    by_source = {row["source_id"]: row for row in result["sources"]}
    nbc = by_source[source_ids["nbc"]]
    assert (names[nbc["first_appearance_id"]], nbc["hops"]) == ("report", 1)
    assert nbc["elapsed"] == {"min": 86400.0, "max": 86400.0}


def test_first_appearance_per_kind_of_source():
    graph, _ids, names, _ = _graph(
        {
            "origin": ("kremlin", at(3), "exact"),
            "relay": ("tass", at(3, 13), "exact"),
            "report": ("nbc", at(4), "exact"),
            "post": ("blogger", at(4, 13), "exact"),
        },
        [("relay", "origin"), ("report", "relay"), ("post", "report")],
        SOURCES,
    )
    first = {
        row["category"]: names[row["appearance_id"]]
        for row in origin_and_spread(graph)["first_by_category"]
    }
    assert first == {
        "government_body": "origin",
        "state_affiliated": "origin",
        "outlet": "relay",
        "state_outlet": "relay",
        "foreign": "report",
        "foreign_outlet": "report",
        "person": "post",
    }


def test_time_to_a_day_precise_appearance_is_a_range():
    graph, ids, _, _ = _graph(
        {"origin": ("kremlin", at(3, 6), "exact"), "later": ("nbc", at(4, 0), "day")},
        [("later", "origin")],
        SOURCES,
    )
    elapsed = origin_and_spread(graph)["appearances"][ids["later"]]["elapsed"]
    # 18 hours to the start of May 4th, up to 42 hours minus a microsecond to its end.
    assert elapsed["min"] == 18 * 3600
    assert round(elapsed["max"]) == 42 * 3600


def test_timeline_does_not_put_a_month_at_its_first_day():
    graph, _ids, names, _ = _graph(
        {
            "may": ("blogger", datetime(2023, 5, 1, tzinfo=UTC), "month"),
            "may3": ("nbc", at(3), "exact"),
            "june": ("tass", datetime(2023, 6, 2, tzinfo=UTC), "day"),
        },
        [],
        SOURCES,
    )
    entries = timeline(graph)
    assert [names[e["appearance_id"]] for e in entries] == ["may3", "may", "june"]
    may = next(e for e in entries if names[e["appearance_id"]] == "may")
    assert (may["date"], may["precision"]) == ("2023-05", "month")
    assert may["earliest"] == datetime(2023, 5, 1, tzinfo=UTC)
    assert may["latest"] == datetime(2023, 5, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert may["overlaps_previous"]
    assert not entries[2]["overlaps_previous"]


def test_timeline_does_not_put_a_year_at_its_first_day():
    graph, _ids, names, _ = _graph(
        {
            "year": ("blogger", datetime(2023, 1, 1, tzinfo=UTC), "year"),
            "march": ("nbc", datetime(2023, 3, 1, tzinfo=UTC), "month"),
            "next_year": ("tass", datetime(2024, 1, 2, tzinfo=UTC), "exact"),
        },
        [],
        SOURCES,
    )
    entries = timeline(graph)
    assert [names[e["appearance_id"]] for e in entries] == ["march", "year", "next_year"]
    year = entries[1]
    assert (year["date"], year["precision"]) == ("2023", "year")
    assert (year["earliest"], year["latest"]) == (
        datetime(2023, 1, 1, tzinfo=UTC),
        datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )
    assert year["overlaps_previous"]
    assert not entries[2]["overlaps_previous"]


def test_timeline_never_puts_an_appearance_before_what_it_derives_from():
    graph, ids, names, _ = _graph(
        {
            # Known only to the month, but it quotes an appearance of May 20th.
            "quote": ("nbc", datetime(2023, 5, 1, tzinfo=UTC), "month"),
            "original": ("kremlin", at(20), "exact"),
            "undated": ("blogger", None, "exact"),
            "dated_after_undated": ("tass", at(10), "exact"),
        },
        [("quote", "original"), ("dated_after_undated", "undated")],
        SOURCES,
    )
    order = [names[e["appearance_id"]] for e in timeline(graph)]
    assert order.index("original") < order.index("quote")
    assert order.index("undated") < order.index("dated_after_undated")
    bounds = spans(graph)
    # The quote's range starts no earlier than what it quotes.
    assert bounds[ids["quote"]].earliest == at(20)
    # The undated original is known to be no later than what derives from it.
    assert bounds[ids["undated"]].latest == at(10)


def test_timeline_survives_a_cycle():
    graph, _ids, names, _ = _graph(
        {"a": ("kremlin", at(3), "exact"), "b": ("nbc", at(4), "exact")},
        [("a", "b"), ("b", "a")],
        SOURCES,
    )
    assert sorted(names[e["appearance_id"]] for e in timeline(graph)) == ["a", "b"]
    assert origin_and_spread(graph)["origins"] == []
