"""The provenance subgraph of a claim, read with a fixed number of queries.

One recursive query (`WITH RECURSIVE`, the same text on PostgreSQL and SQLite, apart from
the name of the string aggregate) walks the derived-from edges from the claim's
appearances upstream and downstream, across claims, to a depth cap, only through
appearances the actor may see, and returns them with their claims, sources (and their
parents) and the edges among them; then one query each for grandparent sources and
further up (another recursive query, only when there are any), the evidence linked to the
claims reached, their captures and the claims' relations. At most six queries (with the
claim itself), whatever the size of the graph.

The result is plain data (dicts keyed by internal id) that the API, the pages and the
exports build on; provenance/spread.py derives origin, spread and timeline from it.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from django.db import connection
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from claims.models import Claim, ClaimRelation, PublishedRevision
from claimtrail.exceptions import DomainError, NotFound
from claimtrail.visibility import claim_visible_q, parse_public_id, sees_unpublished
from provenance.models import Appearance, AppearanceDerivation, Capture, Evidence, EvidenceClaim
from sources.models import Source

UP = "up"
DOWN = "down"
BOTH = "both"
DIRECTIONS = (UP, DOWN, BOTH)
# Deep enough for any chain of relays seen in practice (the benchmark's chains are 50
# long); it bounds the walk's work should a cycle ever slip past appearance_set_derived_from.
MAX_DEPTH = 100
DEFAULT_DEPTH = MAX_DEPTH

# The rules of claimtrail.visibility, written as SQL for the walk: without the viewer role,
# a claim is visible when published (with a revision), an appearance or evidence when the
# claim's current published revision holds it and it is unchanged since, a source when it
# made a visible appearance, a capture when its evidence is visible, a relation when it
# existed at the current revision of either claim. Claims read as published (their text).
PUBLISHED = Claim.ReviewState.PUBLISHED

# Table names come from the models, never from input: the f-strings below are safe.
_APPEARANCE = Appearance._meta.db_table
_DERIVATION = AppearanceDerivation._meta.db_table
_CLAIM = Claim._meta.db_table
_SOURCE = Source._meta.db_table
_EVIDENCE = Evidence._meta.db_table
_EVIDENCE_CLAIM = EvidenceClaim._meta.db_table
_CAPTURE = Capture._meta.db_table
_RELATION = ClaimRelation._meta.db_table
_REVISION = PublishedRevision._meta.db_table
_REVISION_APPEARANCES = PublishedRevision.appearances.through._meta.db_table
_REVISION_EVIDENCE = PublishedRevision.evidence.through._meta.db_table


@dataclass
class ProvenanceGraph:
    """What claim_graph read: rows as dicts keyed by internal id (public ids as text),
    edges as id pairs."""

    claim_id: int
    direction: str
    depth: int
    claims: dict[int, dict] = field(default_factory=dict)
    appearances: dict[int, dict] = field(default_factory=dict)
    sources: dict[int, dict] = field(default_factory=dict)
    # (appearance id, upstream appearance id): the appearance derives from the upstream one.
    derivations: list[tuple[int, int]] = field(default_factory=list)
    # (source id, parent source id)
    source_parents: list[tuple[int, int]] = field(default_factory=list)
    evidence: dict[int, dict] = field(default_factory=dict)
    # (evidence id, claim id, relation)
    evidence_links: list[tuple[int, int, str]] = field(default_factory=list)
    captures: dict[int, dict] = field(default_factory=dict)
    relations: list[dict] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """Whether the depth cap left out appearances further up or down the chain."""
        for row in self.appearances.values():
            if row["up_depth"] == self.depth and row["upstream_count"]:
                return True
            if row["down_depth"] == self.depth and row["downstream_count"]:
                return True
        return False


def _as_utc(value) -> datetime | None:
    """A timestamp from a raw row as an aware UTC datetime (SQLite gives naive or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _in_ids(column: str, ids) -> tuple[str, list]:
    """`column` is one of `ids`, with the whole list as one parameter on either database."""
    ids = sorted(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [ids]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]  # noqa: S608


def _id_list(column: str) -> str:
    """An aggregate of ids as one comma-separated string (null for none), on either database."""
    if connection.vendor == "postgresql":
        return f"string_agg({column}::text, ',')"
    return f"group_concat({column}, ',')"


def _public_id(value) -> str:
    """A public id as text with dashes: PostgreSQL casts it so, SQLite stores 32 hex digits.

    Text, not UUID objects: building thousands of those was a tenth of a large graph's time.
    """
    value = str(value)
    if len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _published_claim(alias: str, sees_all: bool) -> str:
    """A join condition limiting claim `alias` to what the actor may see."""
    if sees_all:
        return ""
    return (
        f" AND {alias}.review_state = '{PUBLISHED}' AND {alias}.published_revision_id IS NOT NULL"
    )


def _in_revision(row: str, claim: str, *, members: str, column: str) -> str:
    """Row `row` (an appearance or evidence alias) is in the current published revision of
    claim `claim`, by the revision's membership table, and unchanged since it was made."""
    return (
        f"EXISTS (SELECT 1 FROM {members} m"  # noqa: S608
        f" JOIN {_REVISION} pr ON pr.id = m.publishedrevision_id"
        f" WHERE m.publishedrevision_id = {claim}.published_revision_id"
        f" AND m.{column} = {row}.id AND {row}.updated_at <= pr.created_at)"
    )


def _appearance_in_revision(appearance: str, claim: str) -> str:
    return _in_revision(appearance, claim, members=_REVISION_APPEARANCES, column="appearance_id")


def _visible_appearance_join(appearance_column: str, sees_all: bool) -> str:
    """Joins that keep only appearances the actor may see (none for viewers)."""
    if sees_all:
        return ""
    return (
        f" JOIN {_APPEARANCE} va ON va.id = {appearance_column}"
        f" JOIN {_CLAIM} vc ON vc.id = va.claim_id{_published_claim('vc', sees_all)}"
        f" AND {_appearance_in_revision('va', 'vc')}"
    )


def _claim_text(alias: str, sees_all: bool) -> str:
    """The claim's text as the actor reads it: as published, for visitors."""
    if sees_all:
        return f"{alias}.text"
    return (
        f"COALESCE((SELECT pr.text FROM {_REVISION} pr"  # noqa: S608
        f" WHERE pr.id = {alias}.published_revision_id), {alias}.text)"
    )


def _walk_sql(*, seed_where: str, direction: str, sees_all: bool) -> str:
    """The recursive walk and the reached appearances with their claims and sources.

    Rows: appearance, claim and source columns, then the fewest hops up and down from a
    seed (null when not reached that way), the ids of the visible appearances each derives
    from (comma-separated: the edges, and origins, without another query) and, for those
    at the depth cap downstream, the number of visible appearances deriving from them (to
    tell a chain the depth cut off; null elsewhere).
    UNION (not UNION ALL) drops a row met again at the same depth; the depth cap ends the
    walk even on a cycle.
    """
    up_step = (
        f"SELECT d.upstream_id, up.depth + 1 FROM up"  # noqa: S608
        f" JOIN {_DERIVATION} d ON d.appearance_id = up.id"
        f"{_visible_appearance_join('d.upstream_id', sees_all)}"
        f" WHERE up.depth < %(depth)s"
    )
    down_step = (
        f"SELECT d.appearance_id, down.depth + 1 FROM down"  # noqa: S608
        f" JOIN {_DERIVATION} d ON d.upstream_id = down.id"
        f"{_visible_appearance_join('d.appearance_id', sees_all)}"
        f" WHERE down.depth < %(depth)s"
    )
    if direction == DOWN:
        up_step = "SELECT id, depth FROM up WHERE 1 = 0"
    if direction == UP:
        down_step = "SELECT id, depth FROM down WHERE 1 = 0"
    counted = _visible_appearance_join
    return f"""
        WITH RECURSIVE
        seed(id) AS (
            SELECT a.id FROM {_APPEARANCE} a
            JOIN {_CLAIM} sc ON sc.id = a.claim_id{_published_claim("sc", sees_all)}
            WHERE {seed_where}{"" if sees_all else " AND " + _appearance_in_revision("a", "sc")}
        ),
        up(id, depth) AS (SELECT id, 0 FROM seed UNION {up_step}),
        down(id, depth) AS (SELECT id, 0 FROM seed UNION {down_step}),
        reached(id, up_depth, down_depth) AS (
            SELECT id, MIN(up_depth), MIN(down_depth) FROM (
                SELECT id, depth AS up_depth, NULL AS down_depth FROM up
                UNION ALL
                SELECT id, NULL, depth FROM down
            ) AS steps
            GROUP BY id
        )
        SELECT a.id, CAST(a.public_id AS text), a.stance, a.url, a.published_at,
               a.published_precision, a.created_at,
               c.id, CAST(c.public_id AS text), {_claim_text("c", sees_all)}, c.review_state,
               c.verdict,
               s.id, CAST(s.public_id AS text), s.name, s.kind, s.country, s.state_affiliated,
               s.reliability,
               r.up_depth, r.down_depth,
               (SELECT {_id_list("u.upstream_id")}
                FROM {_DERIVATION} u{counted("u.upstream_id", sees_all)}
                WHERE u.appearance_id = a.id),
               CASE WHEN r.down_depth = %(depth)s THEN
                   (SELECT COUNT(*) FROM {_DERIVATION} w{counted("w.appearance_id", sees_all)}
                    WHERE w.upstream_id = a.id)
               END,
               s.parent_id,
               sp.id, CAST(sp.public_id AS text), sp.name, sp.kind, sp.country,
               sp.state_affiliated, sp.reliability, sp.parent_id
        FROM reached r
        JOIN {_APPEARANCE} a ON a.id = r.id
        JOIN {_CLAIM} c ON c.id = a.claim_id
        JOIN {_SOURCE} s ON s.id = a.source_id
        LEFT JOIN {_SOURCE} sp ON sp.id = s.parent_id AND {_visible_source("sp", sees_all)}
    """  # noqa: S608


def _claim_row(row) -> dict:
    claim_id, public_id, text, review_state, verdict = row
    return {
        "id": claim_id,
        "public_id": _public_id(public_id),
        "text": text,
        "review_state": review_state,
        "verdict": verdict,
    }


def _source_row(row) -> dict:
    source_id, public_id, name, kind, country, state_affiliated, reliability, parent_id = row
    return {
        "id": source_id,
        "public_id": _public_id(public_id),
        "name": name,
        "kind": kind,
        "country": country,
        "state_affiliated": bool(state_affiliated),
        "reliability": reliability,
        "parent_id": parent_id,
    }


def _walk(graph: ProvenanceGraph, *, seed_where: str, seed_params: dict, sees: bool) -> None:
    """Run the walk; fill appearances, their claims and sources, and the edges among them."""
    sql = _walk_sql(seed_where=seed_where, direction=graph.direction, sees_all=sees)
    upstreams = {}
    for row in _rows(sql, {**seed_params, "depth": graph.depth}):
        if row[7] not in graph.claims:
            graph.claims[row[7]] = _claim_row(row[7:12])
        # The source's parent, when the actor may see it, comes along (one level up); a
        # hidden one is forgotten, and with it the edge to it.
        if row[12] not in graph.sources:
            graph.sources[row[12]] = _source_row((*row[12:19], row[24] and row[23]))
        if row[24] is not None and row[24] not in graph.sources:
            graph.sources[row[24]] = _source_row(row[24:32])
        upstreams[row[0]] = [int(u) for u in row[21].split(",")] if row[21] else []
        graph.appearances[row[0]] = {
            "id": row[0],
            "public_id": _public_id(row[1]),
            "stance": row[2],
            "url": row[3],
            "published_at": _as_utc(row[4]),
            "published_precision": row[5],
            "created_at": _as_utc(row[6]),
            "claim_id": row[7],
            "source_id": row[12],
            "up_depth": row[19],
            "down_depth": row[20],
            "upstream_count": len(upstreams[row[0]]),
            "downstream_count": row[22],
        }
    # Every edge between two reached appearances, traversed or not.
    graph.derivations = sorted(
        (a, u) for a, ups in upstreams.items() for u in ups if u in graph.appearances
    )


def _visible_source(alias: str, sees_all: bool) -> str:
    """A source is public when it made an appearance a visitor may see."""
    if sees_all:
        return "1 = 1"
    return (
        f"EXISTS (SELECT 1 FROM {_APPEARANCE} pa JOIN {_CLAIM} pc ON pc.id = pa.claim_id"  # noqa: S608
        f"{_published_claim('pc', sees_all)}"
        f" WHERE pa.source_id = {alias}.id AND {_appearance_in_revision('pa', 'pc')})"
    )


def _read_source_parents(graph: ProvenanceGraph, *, sees: bool) -> None:
    """The parents of the reached sources, to any depth; a hidden parent ends the chain.

    The walk brought each reached source's visible parent; this reads the grandparents
    and further up, if there are any (a planner that sees a thousand sources to start
    from hashes the whole sources table at every step, so the first level is joined in
    the walk instead).
    """
    missing = {
        row["parent_id"]
        for row in graph.sources.values()
        if row["parent_id"] is not None and row["parent_id"] not in graph.sources
    }
    if missing:
        where, params = _in_ids("p.id", missing)
        columns = (
            "p.id, CAST(p.public_id AS text), p.name, p.kind, p.country, p.state_affiliated,"
            " p.reliability, p.parent_id"
        )
        sql = f"""
            WITH RECURSIVE ancestors(id, public_id, name, kind, country, state_affiliated,
                                     reliability, parent_id) AS (
                SELECT {columns} FROM {_SOURCE} p
                WHERE {where} AND {_visible_source("p", sees)}
                UNION
                SELECT {columns} FROM ancestors a JOIN {_SOURCE} p ON p.id = a.parent_id
                WHERE {_visible_source("p", sees)}
            )
            SELECT * FROM ancestors
        """  # noqa: S608
        for row in _rows(sql, params):
            if row[0] not in graph.sources:
                graph.sources[row[0]] = _source_row(row)
    graph.source_parents = sorted(
        (source_id, row["parent_id"])
        for source_id, row in graph.sources.items()
        if row["parent_id"] in graph.sources
    )


def _read_evidence(graph: ProvenanceGraph, *, sees: bool) -> None:
    """Evidence linked to the reached claims, with the links; for visitors, only what each
    claim's current published revision holds."""
    where, params = _in_ids("ec.claim_id", graph.claims.keys())
    if not sees:
        held = _in_revision("e", "rc", members=_REVISION_EVIDENCE, column="evidence_id")
        where += f" AND EXISTS (SELECT 1 FROM {_CLAIM} rc WHERE rc.id = ec.claim_id AND {held})"  # noqa: S608
    sql = f"""
        SELECT ec.evidence_id, ec.claim_id, ec.relation, CAST(e.public_id AS text), e.kind,
               e.url, e.title, e.original_filename, e.appearance_id
        FROM {_EVIDENCE_CLAIM} ec JOIN {_EVIDENCE} e ON e.id = ec.evidence_id
        WHERE {where}
        ORDER BY ec.created_at, ec.id
    """  # noqa: S608
    for (
        evidence_id,
        claim_id,
        relation,
        public_id,
        kind,
        url,
        title,
        filename,
        appearance_id,
    ) in _rows(sql, params):
        graph.evidence_links.append((evidence_id, claim_id, relation))
        graph.evidence.setdefault(
            evidence_id,
            {
                "id": evidence_id,
                "public_id": _public_id(public_id),
                "kind": kind,
                "url": url,
                "title": title,
                "original_filename": filename,
                # Only an appearance in this graph: the others may be hidden.
                "appearance_id": appearance_id if appearance_id in graph.appearances else None,
            },
        )


def _read_captures(graph: ProvenanceGraph) -> None:
    where, params = _in_ids("c.evidence_id", graph.evidence.keys())
    sql = f"""
        SELECT c.id, CAST(c.public_id AS text), c.evidence_id, c.parent_id, c.status,
               c.method, c.sha256, c.created_at, c.finished_at
        FROM {_CAPTURE} c WHERE {where}
        ORDER BY c.created_at, c.id
    """  # noqa: S608
    for row in _rows(sql, params):
        graph.captures[row[0]] = {
            "id": row[0],
            "public_id": _public_id(row[1]),
            "evidence_id": row[2],
            "parent_id": row[3],
            "status": row[4],
            "method": row[5],
            "sha256": row[6],
            "created_at": _as_utc(row[7]),
            "finished_at": _as_utc(row[8]),
        }


def _read_relations(graph: ProvenanceGraph, *, sees: bool) -> None:
    """Relations of the reached claims to claims the actor may see, which join the graph.
    For visitors, a relation made after both claims' current revisions waits for one of
    them to be published again."""
    from_in, from_params = _in_ids("r.from_claim_id", graph.claims.keys())
    to_in, to_params = _in_ids("r.to_claim_id", graph.claims.keys())
    published_then = ""
    if not sees:
        published_then = f""" AND EXISTS (
            SELECT 1 FROM {_REVISION} pr
            WHERE pr.id IN (f.published_revision_id, t.published_revision_id)
            AND r.created_at <= pr.created_at)"""  # noqa: S608
    sql = f"""
        SELECT CAST(r.public_id AS text), r.kind,
               f.id, CAST(f.public_id AS text), {_claim_text("f", sees)}, f.review_state,
               f.verdict,
               t.id, CAST(t.public_id AS text), {_claim_text("t", sees)}, t.review_state,
               t.verdict
        FROM {_RELATION} r
        JOIN {_CLAIM} f ON f.id = r.from_claim_id{_published_claim("f", sees)}
        JOIN {_CLAIM} t ON t.id = r.to_claim_id{_published_claim("t", sees)}
        WHERE ({from_in} OR {to_in}){published_then}
        ORDER BY r.created_at, r.id
    """  # noqa: S608
    for row in _rows(sql, from_params + to_params):
        from_claim, to_claim = _claim_row(row[2:7]), _claim_row(row[7:12])
        graph.claims.setdefault(from_claim["id"], from_claim)
        graph.claims.setdefault(to_claim["id"], to_claim)
        graph.relations.append(
            {
                "public_id": _public_id(row[0]),
                "kind": row[1],
                "from_claim_id": from_claim["id"],
                "to_claim_id": to_claim["id"],
            }
        )


def _checked(direction: str, depth: int) -> tuple[str, int]:
    if direction not in DIRECTIONS:
        message = "Direction must be up, down or both."
        raise DomainError(message, fields={"direction": [message]})
    if not 0 <= depth <= MAX_DEPTH:
        message = f"Depth must be between 0 and {MAX_DEPTH}."
        raise DomainError(message, fields={"depth": [message]})
    return direction, depth


def claim_graph(
    *, public_id: UUID | str, actor, direction: str = BOTH, depth: int = DEFAULT_DEPTH
) -> ProvenanceGraph:
    """The provenance subgraph of one claim as `actor` may see it.

    Seeds: the claim's appearances. Walks derived-from edges `direction` ("up", "down" or
    "both") up to `depth` hops (0–MAX_DEPTH), into other claims too, never through an
    appearance the actor may not see. Adds the sources and their visible parents, the
    evidence of every claim reached, its captures, and relations to visible claims.
    At most six queries whatever the size; NotFound (404) for a claim the actor may not see,
    DomainError (400) for a bad direction or depth.
    """
    direction, depth = _checked(direction, depth)
    sees = sees_unpublished(actor)
    parsed = parse_public_id(public_id)
    claims = Claim.objects.filter(claim_visible_q(actor), public_id=parsed)
    text = "text" if sees else Coalesce("published_revision__text", "text")
    row = parsed and claims.values_list("id", "public_id", text, "review_state", "verdict")
    row = row and row.first()
    if not row:
        raise NotFound("No claim with this id.")
    graph = ProvenanceGraph(claim_id=row[0], direction=direction, depth=depth)
    graph.claims[row[0]] = _claim_row(row)
    _walk(graph, seed_where="a.claim_id = %(seed)s", seed_params={"seed": row[0]}, sees=sees)
    _read_rest(graph, sees=sees)
    return graph


def _read_rest(graph: ProvenanceGraph, *, sees: bool) -> None:
    """The follow-up queries, one each, whatever the number of appearances reached."""
    if graph.appearances:
        _read_source_parents(graph, sees=sees)
    _read_evidence(graph, sees=sees)
    if graph.evidence:
        _read_captures(graph)
    _read_relations(graph, sees=sees)


def appearance_trace(
    *, appearance_id: int, actor, direction: str = UP, depth: int = DEFAULT_DEPTH
) -> dict[int, dict]:
    """The appearances reached from one appearance (itself included), keyed by id.

    The same single recursive query as claim_graph, seeded with one appearance: its full
    upstream trace by default. An appearance the actor may not see reaches nothing.
    """
    direction, depth = _checked(direction, depth)
    graph = ProvenanceGraph(claim_id=0, direction=direction, depth=depth)
    _walk(
        graph,
        seed_where="a.id = %(seed)s",
        seed_params={"seed": appearance_id},
        sees=sees_unpublished(actor),
    )
    return graph.appearances
