"""Reads for sources, each with a fixed number of queries whatever the number of rows."""

import json
from collections.abc import Iterable
from contextlib import suppress
from uuid import UUID

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from claimtrail.exceptions import NotFound
from claimtrail.lib.normalize import NORMALIZERS, IdentifierError, normalize_identifier
from claimtrail.visibility import (
    if_visible,
    parse_public_id,
    sees_unpublished,
    source_visible_q,
    visible_appearances,
    visible_sources,
)
from sources.models import Source, SourceIdentifier


def source_list(*, actor) -> QuerySet[Source]:
    """Visible sources with their identifiers (one prefetch) and their parent's public id
    and name (`visible_parent_public_id`, `visible_parent_name`), both null when there is
    no parent or the actor may not see it."""
    parent_visible = source_visible_q(actor, "parent")
    return (
        visible_sources(actor)
        .annotate(
            visible_parent_public_id=if_visible(parent_visible, F("parent__public_id")),
            visible_parent_name=if_visible(parent_visible, F("parent__name")),
        )
        .prefetch_related(
            Prefetch("identifiers", queryset=SourceIdentifier.objects.order_by("kind", "id"))
        )
    )


def source_get_for_user(*, public_id: UUID | str, actor) -> Source:
    """One visible source with identifiers, parent and the appearances `actor` may see.

    Four queries whatever the number of appearances: the source (with its parent's id
    and name as in source_list), its identifiers, and its appearances with their claims
    (in `visible_appearances`, oldest first). Missing or invisible sources, and ids that
    are not UUIDs, raise NotFound (404).
    """
    public_id = parse_public_id(public_id)
    if public_id is None:
        raise NotFound("No such source.")
    appearances = (
        visible_appearances(actor)
        .select_related("claim")
        .annotate(claim_published_text=F("claim__published_revision__text"))
        .order_by("published_at", "created_at", "id")
    )
    source = (
        source_list(actor=actor)
        .prefetch_related(
            Prefetch("appearances", queryset=appearances, to_attr="visible_appearances")
        )
        .filter(public_id=public_id)
        .first()
    )
    if source is None:
        raise NotFound("No such source.")
    if not sees_unpublished(actor):
        # A visitor reads a claim as an editor last published it, not as since edited.
        for appearance in source.visible_appearances:
            appearance.claim.text = appearance.claim_published_text
    return source


def sources_by_public_id(*, public_ids: Iterable[UUID], actor) -> dict[UUID, Source]:
    """The visible sources among `public_ids`, keyed by public id (one query)."""
    ids = set(public_ids)
    if not ids:
        return {}
    found = visible_sources(actor).filter(public_id__in=ids)
    return {source.public_id: source for source in found}


def source_filter_by_identifier(
    queryset: QuerySet[Source], *, value: str, kind: str = ""
) -> QuerySet[Source]:
    """Sources with an identifier equal to `value` once normalized for `kind`.

    Without a kind, every kind `value` can be read as is tried. Raises IdentifierError
    when `value` is not an identifier of `kind` (or of any kind).
    """
    return queryset.filter(identifier_q(value=value, kind=kind))


def identifier_q(*, value: str, kind: str = "") -> Q:
    """The source has an identifier equal to `value` once normalized (see
    source_filter_by_identifier, which filters by it); raises IdentifierError likewise."""
    kinds = [kind] if kind else list(NORMALIZERS)
    conditions = []
    for each_kind in kinds:
        try:
            normalized = normalize_identifier(each_kind, value)
        except IdentifierError:
            if kind:
                raise
            continue
        conditions.append(Q(kind=each_kind, normalized_value=normalized))
    if not conditions:
        raise IdentifierError(f"“{value}” is not an identifier of any known kind.")
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    matching = SourceIdentifier.objects.filter(condition, source=OuterRef("pk"))
    return Q(Exists(matching))


def name_or_alias_q(value: str) -> Q:
    """The source's name or one of its aliases contains `value` (any case)."""
    matches = Q(name__icontains=value) | Q(aliases__icontains=value)
    # SQLite keeps JSON text with non-ASCII escaped ("\\u0420..."): match that spelling too.
    escaped = json.dumps(value)[1:-1]
    if escaped != value:
        matches |= Q(aliases__icontains=escaped)
    return matches


def source_search(queryset: QuerySet[Source], *, query: str) -> QuerySet[Source]:
    """The sources of `queryset` (start from visible_sources or source_list, so the
    visibility rules hold) that `query` finds: in the name or an alias, in an identifier's
    canonical spelling ("tass" finds tass.ru and @tass_agency), or as an identifier in
    any usual spelling (`@MaxSeddon`, `https://x.com/maxseddon`). Blank finds nothing.

    One condition on the source rows (EXISTS subqueries, no join), so a page or a limit
    of the result stays one query."""
    query = query.strip()
    if not query:
        return queryset.none()
    in_identifier = SourceIdentifier.objects.filter(
        source=OuterRef("pk"), normalized_value__icontains=query.lstrip("@").lower()
    )
    condition = name_or_alias_q(query) | Q(Exists(in_identifier))
    with suppress(IdentifierError):  # not an identifier's spelling: text only
        condition |= identifier_q(value=query)
    return queryset.filter(condition)
