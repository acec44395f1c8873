"""Reads for claims, each with a fixed number of queries and the actor's visibility."""

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict

from claims.filters import SEARCH_RANK, ClaimFilter
from claims.models import Claim, ClaimRelation, ReviewEvent, ReviewEventCapture, Tag
from claimtrail.exceptions import NotFound
from claimtrail.roles import VIEWER, user_has_role
from provenance.models import Appearance, Capture, Evidence, EvidenceClaim
from provenance.selectors import evidence_with_latest_capture

CLAIM_NOT_FOUND = "No claim with this id."


def _sees_unpublished(actor) -> bool:
    return actor is not None and user_has_role(actor, VIEWER)


def claim_visible(*, actor, claims: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
    """All claims (or `claims`) for viewers and the roles above; published ones for anyone
    else."""
    claims = Claim.objects.all() if claims is None else claims
    if not _sees_unpublished(actor):
        claims = claims.filter(review_state=Claim.ReviewState.PUBLISHED)
    return claims


def _count(model, *, claim_field: str = "claim_id") -> Coalesce:
    rows = (
        model.objects.filter(**{claim_field: OuterRef("pk")})
        .order_by()
        .values(claim_field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _as_query_dict(filters: Mapping) -> QueryDict:
    """Query parameters as a QueryDict; a plain dict may give one value or a list."""
    if isinstance(filters, QueryDict):
        return filters
    data = QueryDict(mutable=True)
    for key, value in filters.items():
        data.setlist(key, list(value) if isinstance(value, list | tuple) else [value])
    return data


def _list_annotations() -> dict:
    return {
        "created_by_username": F("created_by__username"),
        "appearance_count": _count(Appearance),
        "evidence_count": _count(EvidenceClaim),
    }


def _filtered(claims: QuerySet, filters: Mapping | None) -> QuerySet:
    """Apply ClaimFilter parameters; a `q` search on PostgreSQL is ordered by rank."""
    if not filters:
        return claims
    filterset = ClaimFilter(_as_query_dict(filters), queryset=claims)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    claims = filterset.qs
    if SEARCH_RANK in claims.query.annotations:
        claims = claims.order_by(f"-{SEARCH_RANK}", "-id")
    return claims


def claim_list(*, actor, filters: Mapping | None = None) -> QuerySet[Claim]:
    """Claims the actor may see, as list rows, filtered by ClaimFilter parameters.

    Rows carry `tags` (prefetched), `appearance_count`, `evidence_count` and
    `created_by_username`: three queries for any page size (rows, tags; the actor's
    roles once). Invalid filters raise ValidationError. A `q` search on PostgreSQL is
    ordered by rank. `search_document` and `search_vector`, the longest columns, are
    not loaded.
    """
    claims = (
        claim_visible(actor=actor)
        .defer("search_document", "search_vector")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .annotate(**_list_annotations())
    )
    return _filtered(claims, filters)


# Columns of a claim list row (the API list reads these, not model instances).
LIST_FIELDS = (
    "id",
    "public_id",
    "text",
    "summary",
    "first_seen",
    "verdict",
    "credibility",
    "review_state",
    "created_at",
    "updated_at",
    "reviewed_at",
)


@functools.cache
def _list_values() -> QuerySet[dict]:
    # Built once: building it took about as long as PostgreSQL takes to run it. Never
    # evaluated itself (it would keep its rows); callers chain a copy from it.
    return Claim.objects.values(*LIST_FIELDS, **_list_annotations())


def claim_list_values(*, actor, filters: Mapping | None = None) -> QuerySet[dict]:
    """claim_list as dicts: LIST_FIELDS, `created_by_username`, `appearance_count`,
    `evidence_count` (and `search_rank` with `q` on PostgreSQL); no tags.

    One query for any page size (plus the actor's roles once); add the tags of a page
    with claim_tag_names. Building no model instances is most of the API list's speed.
    """
    return _filtered(claim_visible(actor=actor, claims=_list_values().all()), filters)


def claim_tag_names(*, claim_ids: Iterable[int]) -> dict[int, list[str]]:
    """Tag names of each claim, alphabetical (one query); claims without tags are absent."""
    names: dict[int, list[str]] = {}
    links = (
        Claim.tags.through.objects.filter(claim_id__in=list(claim_ids))
        .order_by("tag__name")
        .values_list("claim_id", "tag__name")
    )
    for claim_id, name in links:
        names.setdefault(claim_id, []).append(name)
    return names


def _parse_id(public_id) -> uuid.UUID | None:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None


def claim_lookup_for_user(*, public_id, actor) -> Claim:
    """The bare claim row, if it exists and the actor may see it; else NotFound (404).

    A claim the actor may not see is reported exactly like a missing one.
    """
    parsed = _parse_id(public_id)
    claim = claim_visible(actor=actor).filter(public_id=parsed).first() if parsed else None
    if claim is None:
        raise NotFound(CLAIM_NOT_FOUND)
    return claim


def claim_get_for_user(*, public_id, actor) -> Claim:
    """A claim with everything its detail page embeds; NotFound (404) if not visible.

    Ten queries whatever the number of appearances, evidence, relations or events:
    claim (+ created/reviewed by usernames), tags, appearances (+ source), their
    derived_from, evidence links, the evidence with its latest capture, relations out,
    relations in, review events (+ actor username), and the captures each relied on.
    Related claims the actor may not see are left out.
    """
    parsed = _parse_id(public_id)
    claim = claim_details(claim_visible(actor=actor), actor=actor).filter(public_id=parsed)
    found = claim.first() if parsed else None
    if found is None:
        raise NotFound(CLAIM_NOT_FOUND)
    return found


def claim_details(claims: QuerySet[Claim], *, actor) -> QuerySet[Claim]:
    """Prefetch what the claim detail shows (see claim_get_for_user).

    Only the columns the detail shows are read: no search document or vector, no whole
    user rows.
    """
    brief_claim = ["public_id", "kind", "from_claim", "to_claim"]
    relations_out = ClaimRelation.objects.select_related("to_claim").only(
        *brief_claim, "to_claim__public_id", "to_claim__text", "to_claim__review_state"
    )
    relations_in = ClaimRelation.objects.select_related("from_claim").only(
        *brief_claim, "from_claim__public_id", "from_claim__text", "from_claim__review_state"
    )
    if not _sees_unpublished(actor):
        published = Claim.ReviewState.PUBLISHED
        relations_out = relations_out.filter(to_claim__review_state=published)
        relations_in = relations_in.filter(from_claim__review_state=published)
    appearances = (
        Appearance.objects.select_related("source")
        .defer("created_by", "source__description", "source__aliases", "source__created_by")
        .order_by("published_at", "created_at", "id")
        .prefetch_related(
            Prefetch("derived_from", queryset=Appearance.objects.only("id", "public_id"))
        )
    )
    evidence = evidence_with_latest_capture(Evidence.objects.defer("description"))
    evidence_links = EvidenceClaim.objects.order_by("created_at", "id").prefetch_related(
        Prefetch("evidence", queryset=evidence)
    )
    events = (
        ReviewEvent.objects.annotate(actor_username=F("actor__username"))
        .order_by("created_at", "id")
        .prefetch_related(
            Prefetch(
                "capture_links",
                queryset=ReviewEventCapture.objects.annotate(
                    capture_public_id=F("capture__public_id")
                ).order_by("id"),
            )
        )
    )
    return (
        claims.defer("search_document", "search_vector")
        .annotate(
            created_by_username=F("created_by__username"),
            reviewed_by_username=F("reviewed_by__username"),
        )
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name")),
            Prefetch("appearances", queryset=appearances),
            Prefetch("evidence_links", queryset=evidence_links),
            Prefetch("relations_out", queryset=relations_out.order_by("created_at", "id")),
            Prefetch("relations_in", queryset=relations_in.order_by("created_at", "id")),
            Prefetch("review_events", queryset=events),
        )
    )


def claim_related(claim: Claim) -> list[dict]:
    """Relations in both directions from a claim fetched by claim_get_for_user."""
    related = [
        {"relation": r, "direction": "out", "claim": r.to_claim} for r in claim.relations_out.all()
    ]
    related += [
        {"relation": r, "direction": "in", "claim": r.from_claim} for r in claim.relations_in.all()
    ]
    return related


# --- The claim detail as dicts ----------------------------------------------------------
# Each read below is a queryset made by a module-level function of the claim's id (or
# public id). On PostgreSQL _rows compiles its SQL once per process and runs it again with
# the next claim's values: building and compiling these querysets took Django longer than
# PostgreSQL takes to run them (bench/api.py, claim_detail_50). psycopg2 returns the values
# the ORM returns there (no converters for these columns); other databases go through the
# ORM each time. tests/claims/test_api_claim_payloads.py compares the result with the
# serializers over model instances on both.

_SENTINEL_INT = -(2**62) - 7919
_SENTINEL_UUID = uuid.UUID("00000000-7e57-7e57-7e57-000000000000")
_compiled: dict[tuple, tuple[str, tuple, list[tuple[int, int]]]] = {}


def _sentinel(value, index: int):
    """A stand-in for `value` when compiling, which no real argument can equal."""
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=_SENTINEL_UUID.int + index)
    return _SENTINEL_INT - index


def _compile(build: Callable[..., QuerySet], fields: tuple, args: tuple, alias: str):
    sentinels = [_sentinel(arg, index) for index, arg in enumerate(args)]
    sql, params = build(*sentinels).values_list(*fields).query.get_compiler(alias).as_sql()
    slots = [
        (position, sentinels.index(param))
        for position, param in enumerate(params)
        if type(param) in (int, uuid.UUID) and param in sentinels
    ]
    if {index for _, index in slots} != set(range(len(args))):
        raise ValueError(f"{build.__name__}: an argument does not reach the SQL as a parameter.")
    return sql, params, slots


def _rows(build: Callable[..., QuerySet], fields: tuple, *args) -> list[dict]:
    """`build(*args).values_list(*fields)` as dicts keyed by `fields` (see above)."""
    connection = connections[Claim.objects.db]  # claims and provenance share a database
    if connection.vendor != "postgresql":
        rows = build(*args).values_list(*fields)
        return [dict(zip(fields, row, strict=True)) for row in rows]
    key = (build, fields, connection.alias)
    if key not in _compiled:
        _compiled[key] = _compile(build, fields, args, connection.alias)
    sql, params, slots = _compiled[key]
    params = list(params)
    for position, index in slots:
        params[position] = args[index]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]


def _grouped(rows: list[dict], *, key: str, child_columns: tuple, into: str) -> list[dict]:
    """Rows of parents LEFT JOINed to their children (a parent's rows consecutive), one dict
    per parent with its children under `into`: each the value of the one child column, or
    a dict of them; none when the first child column is null."""
    parents: list[dict] = []
    for row in rows:
        child = {column: row.pop(column) for column in child_columns}
        if not parents or parents[-1][key] != row[key]:
            row[into] = []
            parents.append(row)
        if child[child_columns[0]] is not None:
            parents[-1][into].append(child if len(child) > 1 else child[child_columns[0]])
    return parents


CLAIM_FIELDS = (*LIST_FIELDS, "created_by__username", "reviewed_by__username", "tags__name")


# claim_visible's two cases, each a function of the id alone so that _rows compiles it once.
def _claim(public_id: uuid.UUID) -> QuerySet[Claim]:
    return Claim.objects.filter(public_id=public_id).order_by("tags__name")


def _claim_published(public_id: uuid.UUID) -> QuerySet[Claim]:
    return _claim(public_id).filter(review_state=Claim.ReviewState.PUBLISHED)


APPEARANCE_FIELDS = (
    "id",
    "public_id",
    "stance",
    "quote",
    "quote_language",
    "quote_translation",
    "url",
    "published_at",
    "published_precision",
    "source__public_id",
    "source__name",
    "source__kind",
    "source__reliability",
    "source__state_affiliated",
    "derived_from__public_id",
)


def _appearances(claim_id: int) -> QuerySet[Appearance]:
    # derived_from in Appearance's default order, as claim_details prefetches it.
    return Appearance.objects.filter(claim_id=claim_id).order_by(
        "published_at",
        "created_at",
        "id",
        "derived_from__published_at",
        "derived_from__created_at",
        "derived_from__id",
    )


EVIDENCE_FIELDS = (
    "relation",
    "evidence__public_id",
    "evidence__kind",
    "evidence__url",
    "evidence__title",
    "latest_capture__public_id",
    "latest_capture__status",
    "latest_capture__sha256",
    "latest_capture__finished_at",
    "latest_capture__error_code",
)


def _evidence(claim_id: int) -> QuerySet[EvidenceClaim]:
    # The capture provenance.selectors.evidence_with_latest_capture annotates, joined on
    # the one id its subquery picks: five subqueries (one a column) took longer to build.
    newest = Capture.objects.filter(
        evidence_id=OuterRef("evidence_id"), parent__isnull=True
    ).order_by("-created_at", "-id")
    latest = Q(evidence__captures__id=Subquery(newest.values("id")[:1]))
    return (
        EvidenceClaim.objects.filter(claim_id=claim_id)
        .annotate(latest_capture=FilteredRelation("evidence__captures", condition=latest))
        .order_by("created_at", "id")
    )


RELATED_CLAIM_FIELDS = ("public_id", "text", "review_state")
RELATION_FIELDS = (
    "public_id",
    "kind",
    "from_claim_id",
    *(f"{side}__{field}" for side in ("from_claim", "to_claim") for field in RELATED_CLAIM_FIELDS),
)


def _relations(claim_id: int) -> QuerySet[ClaimRelation]:
    return ClaimRelation.objects.filter(
        Q(from_claim_id=claim_id) | Q(to_claim_id=claim_id)
    ).order_by("created_at", "id")


def _relations_published(claim_id: int) -> QuerySet[ClaimRelation]:
    published = Claim.ReviewState.PUBLISHED
    return _relations(claim_id).filter(
        Q(from_claim_id=claim_id, to_claim__review_state=published)
        | Q(to_claim_id=claim_id, from_claim__review_state=published)
    )


REVIEW_EVENT_FIELDS = (
    "id",
    "public_id",
    "actor__username",
    "from_state",
    "to_state",
    "from_verdict",
    "to_verdict",
    "from_credibility",
    "to_credibility",
    "comment",
    "created_at",
    "capture_links__id",
    "capture_links__capture__public_id",
    "capture_links__sha256",
)


def _review_events(claim_id: int) -> QuerySet[ReviewEvent]:
    return ReviewEvent.objects.filter(claim_id=claim_id).order_by(
        "created_at", "id", "capture_links__id"
    )


def claim_detail_for_user(*, public_id, actor) -> dict:
    """A claim and everything its detail embeds, as dicts; NotFound (404) if not visible.

    The content of claim_get_for_user without model instances, in five queries whatever
    the number of children (and the actor's roles once): the claim (+ created/reviewed
    by usernames, its tags joined), appearances (+ source, derived_from joined), evidence
    links (+ evidence, its latest capture joined), relations both ways (+ the other
    claim; ones the actor may not see left out), review events (+ actor, their captures
    joined). A joined child repeats its parent's columns, which costs less than another
    round trip for a handful of tags, derived_from links or captures.

    Keys: CLAIM_FIELDS, with `tags` (names) for `tags__name`; `appearances`
    (APPEARANCE_FIELDS, with `derived_from` (public ids) for `derived_from__public_id`);
    `evidence` (EVIDENCE_FIELDS); `related` (`public_id`, `kind`, `direction` "out" or
    "in", `claim`: RELATED_CLAIM_FIELDS); `review_events` (REVIEW_EVENT_FIELDS, with
    `captures` for the `capture_links__` columns, a dict of them each).
    """
    parsed = _parse_id(public_id)
    sees_all = _sees_unpublished(actor)
    found = []
    if parsed:
        rows = _rows(_claim if sees_all else _claim_published, CLAIM_FIELDS, parsed)
        found = _grouped(rows, key="id", child_columns=("tags__name",), into="tags")
    if not found:
        raise NotFound(CLAIM_NOT_FOUND)
    claim = found[0]
    claim_id = claim["id"]
    claim["appearances"] = _grouped(
        _rows(_appearances, APPEARANCE_FIELDS, claim_id),
        key="id",
        child_columns=("derived_from__public_id",),
        into="derived_from",
    )
    claim["evidence"] = _rows(_evidence, EVIDENCE_FIELDS, claim_id)
    relations = _rows(_relations if sees_all else _relations_published, RELATION_FIELDS, claim_id)
    claim["related"] = _related(relations, claim_id=claim_id)
    claim["review_events"] = _grouped(
        _rows(_review_events, REVIEW_EVENT_FIELDS, claim_id),
        key="id",
        child_columns=REVIEW_EVENT_FIELDS[-3:],
        into="captures",
    )
    return claim


def _related(relations: list[dict], *, claim_id: int) -> list[dict]:
    """Relations from the claim ("out"), then to it ("in"), each oldest first."""
    related = []
    for row in relations:
        outgoing = row["from_claim_id"] == claim_id
        other = "to_claim" if outgoing else "from_claim"
        related.append(
            {
                "public_id": row["public_id"],
                "kind": row["kind"],
                "direction": "out" if outgoing else "in",
                "claim": {field: row[f"{other}__{field}"] for field in RELATED_CLAIM_FIELDS},
            }
        )
    related.sort(key=lambda relation: relation["direction"] != "out")
    return related


def claim_relation_get(*, claim: Claim, public_id) -> ClaimRelation:
    """A relation from or to `claim`; NotFound (404) otherwise."""
    parsed = _parse_id(public_id)
    relation = (
        ClaimRelation.objects.filter(Q(from_claim=claim) | Q(to_claim=claim), public_id=parsed)
        .select_related("from_claim", "to_claim")
        .first()
        if parsed
        else None
    )
    if relation is None:
        raise NotFound("This claim has no relation with this id.")
    return relation


def review_captures_for_claim(*, claim: Claim, public_ids: Iterable) -> list[Capture]:
    """Succeeded captures of evidence linked to `claim`, in the order given.

    Raises NotFound naming the first id that is not one of them (a 400 in the caller).
    """
    wanted = list(dict.fromkeys(public_ids))
    captures = {
        c.public_id: c
        for c in Capture.objects.filter(
            public_id__in=wanted,
            status=Capture.Status.SUCCEEDED,
            evidence__claim_links__claim=claim,
        )
    }
    for public_id in wanted:
        if public_id not in captures:
            raise NotFound(f"No succeeded capture with id {public_id} among this claim's evidence.")
    return [captures[public_id] for public_id in wanted]
