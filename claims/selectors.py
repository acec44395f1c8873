"""Reads for claims, each with a fixed number of queries and the actor's visibility."""

import functools
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict

from claims.filters import SEARCH_RANK, ClaimFilter, PublicClaimFilter
from claims.models import (
    Claim,
    ClaimRelation,
    PublishedRevision,
    ReviewEvent,
    ReviewEventCapture,
    Tag,
)
from claimtrail.exceptions import NotFound
from claimtrail.visibility import (
    claim_visible_q,
    parse_public_id,
    sees_unpublished,
    visible_appearances,
    visible_claims,
)
from provenance.models import Appearance, Capture, Evidence, EvidenceClaim
from provenance.selectors import evidence_with_latest_capture

CLAIM_NOT_FOUND = "No claim with this id."


def claim_visible(*, actor, claims: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
    """The claims (or those of `claims`) `actor` may see (claimtrail.visibility)."""
    return visible_claims(actor, claims)


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


def _changed_since_publication() -> Case:
    """Whether the claim was edited after its current revision: its row, an appearance or
    an evidence link changed since, or the number of appearances or evidence did. A cheap
    test for lists; the detail's publication_diff says exactly what differs."""
    published_at = OuterRef("published_revision__created_at")
    edited = (
        Q(updated_at__gt=F("published_revision__created_at"))
        | Exists(Appearance.objects.filter(claim_id=OuterRef("pk"), updated_at__gt=published_at))
        | Exists(EvidenceClaim.objects.filter(claim_id=OuterRef("pk"), created_at__gt=published_at))
        | ~Q(published_revision__appearance_count=_count(Appearance))
        | ~Q(published_revision__evidence_count=_count(EvidenceClaim))
    )
    return Case(
        When(published_revision__isnull=True, then=Value(False)),
        When(edited, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


# What the list shows of the current revision; anonymous readers get these values instead
# of the working copy's (claims.api.payloads.claim_list_items).
PUBLISHED_LIST_COLUMNS = {
    "published_text": "published_revision__text",
    "published_summary": "published_revision__summary",
    "published_first_seen": "published_revision__first_seen",
    "published_appearance_count": "published_revision__appearance_count",
    "published_evidence_count": "published_revision__evidence_count",
    "published_revision_public_id": "published_revision__public_id",
    "published_revision_number": "published_revision__number",
    "published_revision_sha256": "published_revision__sha256",
    "published_revision_created_at": "published_revision__created_at",
}


def _list_annotations() -> dict:
    return {
        "created_by_username": F("created_by__username"),
        "appearance_count": _count(Appearance),
        "evidence_count": _count(EvidenceClaim),
        **{name: F(column) for name, column in PUBLISHED_LIST_COLUMNS.items()},
        "changed_since_publication": _changed_since_publication(),
    }


def claim_filter_class(actor) -> type[ClaimFilter]:
    """The filters `actor` searches with: a reader who sees only published claims filters
    and searches what was published, never the working copy (which would leak it)."""
    return ClaimFilter if sees_unpublished(actor) else PublicClaimFilter


def _filtered(claims: QuerySet, filters: Mapping | None, *, actor) -> QuerySet:
    """Apply ClaimFilter parameters; a `q` search on PostgreSQL is ordered by rank."""
    if not filters:
        return claims
    filterset = claim_filter_class(actor)(_as_query_dict(filters), queryset=claims)
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
    return _filtered(claims, filters, actor=actor)


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
    return _filtered(claim_visible(actor=actor, claims=_list_values().all()), filters, actor=actor)


def claim_tag_names(*, claim_ids: Iterable[int], published: bool = False) -> dict[int, list[str]]:
    """Tag names of each claim, alphabetical (one query); claims without tags are absent.

    With `published`, the tags of each claim's current revision instead of its own.
    """
    names: dict[int, list[str]] = {}
    if published:
        links = (
            PublishedRevision.tags.through.objects.filter(
                publishedrevision__claim_id__in=list(claim_ids),
                publishedrevision__claim__published_revision=F("publishedrevision_id"),
            )
            .order_by("tag__name")
            .values_list("publishedrevision__claim_id", "tag__name")
        )
    else:
        links = (
            Claim.tags.through.objects.filter(claim_id__in=list(claim_ids))
            .order_by("tag__name")
            .values_list("claim_id", "tag__name")
        )
    for claim_id, name in links:
        names.setdefault(claim_id, []).append(name)
    return names


def claim_lookup_for_user(*, public_id, actor) -> Claim:
    """The bare claim row, if it exists and the actor may see it; else NotFound (404).

    A claim the actor may not see is reported exactly like a missing one.
    """
    parsed = parse_public_id(public_id)
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
    parsed = parse_public_id(public_id)
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
    relations_out = relations_out.filter(claim_visible_q(actor, "to_claim"))
    relations_in = relations_in.filter(claim_visible_q(actor, "from_claim"))
    appearances = (
        Appearance.objects.select_related("source")
        .defer("created_by", "source__description", "source__aliases", "source__created_by")
        .order_by("published_at", "created_at", "id")
        .prefetch_related(
            Prefetch(
                "derived_from",
                queryset=visible_appearances(actor).only("id", "public_id"),
            )
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


def claim_relation_get(*, claim: Claim, public_id) -> ClaimRelation:
    """A relation from or to `claim`; NotFound (404) otherwise."""
    parsed = parse_public_id(public_id)
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
