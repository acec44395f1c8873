"""Origin, spread and timeline of a provenance graph: pure functions over its plain data.

Dates are ranges: a time known to the day or month stands for every instant in it
(claimtrail.lib.dates.interval), never for its first one. Bounds are tightened along
derived-from edges (an appearance is no earlier than what it derives from, and what it
derives from no later than it), and the timeline never lists an appearance before one it
derives from.
"""

import heapq
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime

from claimtrail.lib import dates
from provenance.graph import ProvenanceGraph
from sources.models import Source


@dataclass(frozen=True)
class Span:
    """When an appearance may have been published: None where nothing is known."""

    earliest: datetime | None
    latest: datetime | None

    def sort_key(self) -> tuple:
        """Middle of the range first (unknown last), then the narrower end."""
        if self.earliest is None or self.latest is None:
            known = self.earliest or self.latest
            return (1, known.timestamp() if known else 0.0, 0.0)
        middle = (self.earliest.timestamp() + self.latest.timestamp()) / 2
        return (0, middle, self.latest.timestamp())

    def overlaps(self, other: "Span") -> bool:
        if None in (self.earliest, self.latest, other.earliest, other.latest):
            return True
        return self.earliest <= other.latest and other.earliest <= self.latest


def _upstreams(graph: ProvenanceGraph) -> dict[int, list[int]]:
    upstreams = defaultdict(list)
    for appearance_id, upstream_id in graph.derivations:
        upstreams[appearance_id].append(upstream_id)
    return upstreams


def _downstreams(graph: ProvenanceGraph) -> dict[int, list[int]]:
    downstreams = defaultdict(list)
    for appearance_id, upstream_id in graph.derivations:
        downstreams[upstream_id].append(appearance_id)
    return downstreams


def _own_span(row: dict) -> Span:
    if row["published_at"] is None:
        return Span(None, None)
    return Span(*dates.interval(row["published_at"], row["published_precision"]))


def _tiebreak(row: dict) -> tuple:
    return (row["created_at"].timestamp() if row["created_at"] else 0.0, row["id"])


def _topological(graph: ProvenanceGraph, key) -> list[int]:
    """Appearance ids, each after everything it derives from, else in `key` order.

    Kahn's algorithm over the edges in the graph; should a cycle ever exist, its members
    follow in `key` order rather than vanish.
    """
    upstreams, downstreams = _upstreams(graph), _downstreams(graph)
    waiting = {a: len(set(upstreams[a])) for a in graph.appearances}
    ready = [(key(a), a) for a, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, current = heapq.heappop(ready)
        order.append(current)
        for child in set(downstreams[current]):
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (key(child), child))
    placed = set(order)
    order += sorted((a for a in graph.appearances if a not in placed), key=key)
    return order


def spans(graph: ProvenanceGraph) -> dict[int, Span]:
    """Each appearance's publication range, tightened along derived-from edges."""
    own = {a: _own_span(row) for a, row in graph.appearances.items()}
    by_date = _topological(graph, key=lambda a: (own[a].sort_key(), a))
    upstreams, downstreams = _upstreams(graph), _downstreams(graph)
    earliest = {}
    for a in by_date:
        bounds = [earliest[u] for u in upstreams[a] if earliest.get(u)]
        if own[a].earliest:
            bounds.append(own[a].earliest)
        earliest[a] = max(bounds, default=None)
    latest = {}
    for a in reversed(by_date):
        bounds = [latest[d] for d in downstreams[a] if latest.get(d)]
        if own[a].latest:
            bounds.append(own[a].latest)
        latest[a] = min(bounds, default=None)
    result = {}
    for a in graph.appearances:
        span = Span(earliest[a], latest[a])
        # Dates that contradict the derivations: keep what the source said.
        if span.earliest and span.latest and span.earliest > span.latest:
            span = own[a]
        result[a] = span
    return result


def _date_label(row: dict) -> str | None:
    moment = row["published_at"]
    if moment is None:
        return None
    moment = dates.truncate(moment, row["published_precision"])
    if row["published_precision"] == dates.YEAR:
        return f"{moment.year:04d}"
    if row["published_precision"] == dates.MONTH:
        return f"{moment.year:04d}-{moment.month:02d}"
    if row["published_precision"] == dates.DAY:
        return moment.date().isoformat()
    return moment.isoformat().replace("+00:00", "Z")


def timeline(graph: ProvenanceGraph, *, span_of: dict[int, Span] | None = None) -> list[dict]:
    """Appearances in publication order, never one before an appearance it derives from.

    Each entry: appearance id, its `date` as given ("2023-05", "2023-05-03" or a time),
    `earliest`/`latest` (the range, tightened by derivations), and `overlaps_previous`
    (true when the dates alone do not say which of it and the previous entry came first).
    """
    span_of = span_of or spans(graph)
    rows = graph.appearances
    order = _topological(graph, key=lambda a: (span_of[a].sort_key(), _tiebreak(rows[a])))
    entries = []
    previous: Span | None = None
    for a in order:
        span = span_of[a]
        entries.append(
            {
                "appearance_id": a,
                "date": _date_label(rows[a]),
                "precision": rows[a]["published_precision"],
                "earliest": span.earliest,
                "latest": span.latest,
                "overlaps_previous": previous is not None and span.overlaps(previous),
            }
        )
        previous = span
    return entries


def origins(graph: ProvenanceGraph, *, order: list[int]) -> list[int]:
    """Appearances with no upstream the actor can see, in timeline `order` (earliest first)."""
    return [a for a in order if graph.appearances[a]["upstream_count"] == 0]


def _paths(graph: ProvenanceGraph, origin_ids: list[int]) -> dict[int, list[int]]:
    """The shortest derived-from path from an origin to each appearance reached from one;
    between equally short paths, the one from the earlier origin."""
    downstreams = _downstreams(graph)
    paths = {o: [o] for o in origin_ids}
    queue = deque(origin_ids)
    while queue:
        current = queue.popleft()
        for child in sorted(set(downstreams[current])):
            if child not in paths:
                paths[child] = [*paths[current], child]
                queue.append(child)
    return paths


def _elapsed(origin: Span, later: Span) -> dict | None:
    """Seconds from the origin's publication to a later one, as a range."""
    if None in (origin.earliest, origin.latest, later.earliest, later.latest):
        return None
    low = max(0.0, (later.earliest - origin.latest).total_seconds())
    high = max(low, (later.latest - origin.earliest).total_seconds())
    return {"min": low, "max": high}


def _categories(source: dict, home_country: str) -> list[tuple[str, str]]:
    """The kinds of outlet a first appearance is reported for, with their labels."""
    kind, outlet = source["kind"], source["kind"] == Source.Kind.OUTLET
    found = [(kind, Source.Kind(kind).label)]
    foreign = bool(home_country and source["country"] and source["country"] != home_country)
    if source["state_affiliated"]:
        found.append(("state_affiliated", "State-affiliated source"))
        if outlet:
            found.append(("state_outlet", "State outlet"))
    if foreign:
        found.append(("foreign", "Foreign source"))
        if outlet:
            found.append(("foreign_outlet", "Foreign outlet"))
    return found


def origin_and_spread(graph: ProvenanceGraph) -> dict:
    """Origins, each appearance's path from its origin, how each source was reached, the
    first appearance per kind of source, and the timeline — one pass over plain data.

    `appearances`: {id: {"origin", "path", "hops", "elapsed"}} for those reached from an
    origin in the graph; `sources`: each source with its first appearance, fewest hops and
    time from the first origin; `first_by_category`: source kinds plus state_affiliated,
    state_outlet, foreign and foreign_outlet (relative to the first origin's country).
    """
    span_of = spans(graph)
    entries = timeline(graph, span_of=span_of)
    order = [entry["appearance_id"] for entry in entries]
    origin_ids = origins(graph, order=order)
    paths = _paths(graph, origin_ids)
    reached = {}
    for a, path in paths.items():
        reached[a] = {
            "origin": path[0],
            "path": path,
            "hops": len(path) - 1,
            "elapsed": _elapsed(span_of[path[0]], span_of[a]),
        }
    first_origin = origin_ids[0] if origin_ids else None
    home_country = (
        graph.sources[graph.appearances[first_origin]["source_id"]]["country"]
        if first_origin
        else ""
    )
    sources: dict[int, dict] = {}
    first_by_category: dict[str, dict] = {}
    for a in order:
        source_id = graph.appearances[a]["source_id"]
        hops = reached[a]["hops"] if a in reached else None
        if source_id not in sources:
            elapsed = _elapsed(span_of[first_origin], span_of[a]) if first_origin else None
            sources[source_id] = {
                "source_id": source_id,
                "first_appearance_id": a,
                "hops": hops,
                "elapsed": elapsed,
            }
        elif hops is not None and (
            sources[source_id]["hops"] is None or hops < sources[source_id]["hops"]
        ):
            sources[source_id]["hops"] = hops
        for category, label in _categories(graph.sources[source_id], home_country):
            first_by_category.setdefault(
                category,
                {"category": category, "label": label, "appearance_id": a, "source_id": source_id},
            )
    return {
        "origins": origin_ids,
        "appearances": reached,
        "sources": list(sources.values()),
        "first_by_category": list(first_by_category.values()),
        "timeline": entries,
    }
