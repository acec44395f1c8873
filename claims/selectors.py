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
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict

from claims.filters import SEARCH_RANK, ClaimFilter, PublicClaimFilter
from claims.models import Claim, ClaimRelation, PublishedRevision
from claimtrail.exceptions import NotFound
from claimtrail.visibility import (
    parse_public_id,
    sees_unpublished,
    visible_claims,
)
from provenance.models import Appearance, Capture, EvidenceClaim

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
    """Claims the actor may see, filtered by ClaimFilter parameters, as dicts: LIST_FIELDS,
    `created_by_username`, `appearance_count`, `evidence_count` (and `search_rank` with
    `q` on PostgreSQL, which orders by it); no tags. Invalid filters raise ValidationError.

    One query for any page size (plus the actor's roles once); add the tags of a page
    with claim_tag_names. Building no model instances is most of the API list's speed;
    `search_document` and `search_vector`, the longest columns, are not read.
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
