"""Writes for sources and their identifiers."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from claimtrail.exceptions import DomainError
from claimtrail.lib.auth import require_role
from claimtrail.lib.history import locked_for_edit, save_attributed
from claimtrail.lib.normalize import IdentifierError, normalize_identifier
from claimtrail.roles import ANALYST, EDITOR
from sources.models import Source, SourceIdentifier

SOURCE_FIELDS = (
    "name",
    "kind",
    "description",
    "country",
    "parent",
    "state_affiliated",
    "reliability",
    "aliases",
)


def _check_parent(*, source: Source, parent: Source | None) -> None:
    """A source's parent chain must not lead back to itself."""
    seen = set()
    node = parent
    while node is not None:
        if source.pk and node.pk == source.pk:
            raise DomainError(
                "A source cannot be part of itself, directly or through its parents.",
                fields={"parent": ["This parent would make a loop."]},
            )
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


def _clean_aliases(aliases: Iterable[str]) -> list[str]:
    cleaned = []
    for alias in aliases:
        alias = alias.strip()
        if alias and alias not in cleaned:
            cleaned.append(alias)
    return cleaned


@transaction.atomic
def source_create(
    *,
    actor,
    name: str,
    kind: str = Source.Kind.UNKNOWN,
    description: str = "",
    country: str = "",
    parent: Source | None = None,
    state_affiliated: bool = False,
    reliability: str = Source.Reliability.F,
    aliases: Iterable[str] = (),
    identifiers: Iterable[tuple[str, str]] = (),
) -> Source:
    """Create a source with its identifiers; identifiers must be free after normalization."""
    require_role(actor, ANALYST)
    source = Source(
        name=name.strip(),
        kind=kind,
        description=description,
        country=country.upper(),
        parent=parent,
        state_affiliated=state_affiliated,
        reliability=reliability,
        aliases=_clean_aliases(aliases),
        created_by=actor,
    )
    save_attributed(source, actor=actor)
    for identifier_kind, value in identifiers:
        source_identifier_add(source=source, actor=actor, kind=identifier_kind, value=value)
    return source


@transaction.atomic
def source_update(
    *, source: Source, actor, identifiers: Iterable[tuple[str, str]] | None = None, **changes
) -> Source:
    """Change the given fields of a source (names in SOURCE_FIELDS) and, when `identifiers`
    is given, replace its identifiers with them: all of it lands, or none of it. Edits the
    row as it is now (locked_for_edit)."""
    require_role(actor, ANALYST)
    unknown = set(changes) - set(SOURCE_FIELDS)
    if unknown:
        raise DomainError(f"Cannot change {', '.join(sorted(unknown))} of a source.")
    source = locked_for_edit(source)
    if "parent" in changes:
        _check_parent(source=source, parent=changes["parent"])
    if "aliases" in changes:
        changes["aliases"] = _clean_aliases(changes["aliases"])
    if "country" in changes:
        changes["country"] = changes["country"].upper()
    for field, value in changes.items():
        setattr(source, field, value)
    save_attributed(source, actor=actor)
    if identifiers is not None:
        source_identifiers_replace(source=source, actor=actor, identifiers=identifiers)
    return source


def source_identifier_add(*, source: Source, actor, kind: str, value: str) -> SourceIdentifier:
    """Attach an identifier; the same handle in another spelling is refused."""
    require_role(actor, ANALYST)
    try:
        normalized = normalize_identifier(kind, value)
    except IdentifierError as exc:
        raise DomainError(str(exc), fields={"identifiers": [str(exc)]}) from exc
    existing = (
        SourceIdentifier.objects.filter(kind=kind, normalized_value=normalized)
        .select_related("source")
        .first()
    )
    if existing is not None:
        if existing.source_id == source.pk:
            return existing
        message = f"{kind} “{normalized}” already belongs to {existing.source.name}."
        raise DomainError(message, code="duplicate", fields={"identifiers": [message]})
    identifier = SourceIdentifier(
        source=source, kind=kind, value=value.strip(), normalized_value=normalized
    )
    try:
        with transaction.atomic():
            save_attributed(identifier, actor=actor)
    except IntegrityError as exc:  # a concurrent request took it first
        message = f"{kind} “{normalized}” already belongs to another source."
        raise DomainError(message, code="duplicate", fields={"identifiers": [message]}) from exc
    return identifier


@transaction.atomic
def source_identifiers_replace(
    *, source: Source, actor, identifiers: Iterable[tuple[str, str]]
) -> None:
    """Make the source's identifiers exactly `identifiers`."""
    require_role(actor, ANALYST)
    wanted = []
    for kind, value in identifiers:
        try:
            wanted.append((kind, normalize_identifier(kind, value), value))
        except IdentifierError as exc:
            raise DomainError(str(exc), fields={"identifiers": [str(exc)]}) from exc
    keep = {(kind, normalized) for kind, normalized, _ in wanted}
    for identifier in list(source.identifiers.all()):
        if (identifier.kind, identifier.normalized_value) not in keep:
            identifier._history_user = actor
            identifier.delete()
    for kind, _, value in wanted:
        source_identifier_add(source=source, actor=actor, kind=kind, value=value)


def source_delete(*, source: Source, actor) -> None:
    """Delete a source no appearance or child source refers to (editors only)."""
    require_role(actor, EDITOR)
    try:
        with transaction.atomic():
            source._history_user = actor
            source.delete()
    except ProtectedError as exc:
        raise DomainError(
            "This source still has appearances or child sources; move or delete them first.",
            code="protected",
        ) from exc
