"""Writes for appearances and evidence."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history

from claims.models import Claim, ReviewEventCapture
from claims.services import claim_refresh_search_document
from claimtrail.exceptions import DomainError, NotFound
from claimtrail.lib import dates
from claimtrail.lib.auth import require_role
from claimtrail.lib.history import delete_attributed, locked_for_edit, save_attributed
from claimtrail.roles import ANALYST, EDITOR
from provenance.capture.retention import (
    capture_file_names,
    capture_files_remove_unreferenced,
    upload_remove_unreferenced,
)
from provenance.capture.services import capture_enqueue
from provenance.models import (
    Appearance,
    AppearanceDerivation,
    Capture,
    Evidence,
    EvidenceClaim,
)
from sources.models import Source

# Serializes edits of the derivation graph on PostgreSQL so two concurrent edits
# cannot each pass the cycle check and together close a cycle.
_DAG_LOCK_KEY = 0x43545244  # "CTRD"

APPEARANCE_FIELDS = (
    "source",
    "stance",
    "quote",
    "quote_language",
    "quote_translation",
    "url",
    "published_at",
    "published_precision",
)


def _lock_derivation_graph() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_DAG_LOCK_KEY])


def _check_translation(appearance: Appearance) -> None:
    working = settings.WORKING_LANGUAGE.lower()
    language = appearance.quote_language.lower()
    if not appearance.quote or not language or language.split("-")[0] == working:
        return
    if not appearance.quote_translation.strip():
        raise DomainError(
            f"A quote in “{appearance.quote_language}” needs a translation into “{working}”.",
            code="translation_required",
            fields={"quote_translation": [f"Translate the quote into {working}."]},
        )


def _would_cycle(*, appearance: Appearance, upstreams: list[Appearance]) -> bool:
    """Whether `appearance` is already upstream of any proposed upstream."""
    frontier = {u.pk for u in upstreams}
    seen: set[int] = set()
    while frontier:
        if appearance.pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                AppearanceDerivation.objects.filter(appearance_id__in=frontier).values_list(
                    "upstream_id", flat=True
                )
            )
            - seen
        )
    return False


def _check_order(*, appearance: Appearance, upstream: Appearance) -> None:
    if appearance.published_at is None or upstream.published_at is None:
        return
    if not dates.may_precede(
        upstream.published_at,
        upstream.published_precision,
        appearance.published_at,
        appearance.published_precision,
    ):
        raise DomainError(
            "An appearance can only derive from one published at or before it; "
            f"{upstream.public_id} was published after this one.",
            code="derived_from_later",
            fields={"derived_from": ["Points to a later appearance."]},
        )


def appearance_set_derived_from(
    *, appearance: Appearance, actor, upstreams: Iterable[Appearance]
) -> None:
    """Make `upstreams` the appearances this one derives from.

    Refuses self-derivation, cycles and upstreams published later. Every edge added or
    removed gets a history row with the actor (enough to restore it). Takes the
    derivation-graph lock; call inside a transaction.
    """
    upstreams = list({u.pk: u for u in upstreams}.values())
    _lock_derivation_graph()
    for upstream in upstreams:
        if upstream.pk == appearance.pk:
            raise DomainError(
                "An appearance cannot derive from itself.",
                code="self_derivation",
                fields={"derived_from": ["Contains the appearance itself."]},
            )
        _check_order(appearance=appearance, upstream=upstream)
    if _would_cycle(appearance=appearance, upstreams=upstreams):
        raise DomainError(
            "This derivation would create a cycle: the appearance is already upstream of one "
            "of the appearances it would derive from.",
            code="derivation_cycle",
            fields={"derived_from": ["Would create a cycle."]},
        )
    current = {link.upstream_id: link for link in appearance.upstream_links.all()}
    wanted = {u.pk for u in upstreams}
    delete_attributed([link for pk, link in current.items() if pk not in wanted], actor=actor)
    bulk_create_with_history(
        [
            AppearanceDerivation(appearance=appearance, upstream_id=pk)
            for pk in wanted - set(current)
        ],
        AppearanceDerivation,
        default_user=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _check_existing_derivations(appearance: Appearance) -> None:
    """After a date change, the appearance must still fit between its neighbours."""
    for link in appearance.upstream_links.select_related("upstream"):
        _check_order(appearance=appearance, upstream=link.upstream)
    for link in appearance.downstream_links.select_related("appearance"):
        _check_order(appearance=link.appearance, upstream=appearance)


@transaction.atomic
def appearance_create(
    *,
    actor,
    claim: Claim,
    source: Source,
    stance: str,
    quote: str = "",
    quote_language: str = "",
    quote_translation: str = "",
    url: str = "",
    published_at: datetime | None = None,
    published_precision: str = Appearance.Precision.EXACT,
    derived_from: Iterable[Appearance] = (),
) -> Appearance:
    """Record one occurrence of a claim; keeps the claim's search document current."""
    require_role(actor, ANALYST)
    appearance = Appearance(
        claim=claim,
        source=source,
        stance=stance,
        quote=quote.strip(),
        quote_language=quote_language.strip(),
        quote_translation=quote_translation.strip(),
        url=url,
        published_at=(dates.truncate(published_at, published_precision) if published_at else None),
        published_precision=published_precision,
        created_by=actor,
    )
    _check_translation(appearance)
    save_attributed(appearance, actor=actor)
    if derived_from:
        appearance_set_derived_from(appearance=appearance, actor=actor, upstreams=derived_from)
    claim_refresh_search_document(claim_ids=[claim.id])
    return appearance


@transaction.atomic
def appearance_update(
    *,
    appearance: Appearance,
    actor,
    derived_from: Iterable[Appearance] | None = None,
    **changes,
) -> Appearance:
    """Change fields of an appearance (names in APPEARANCE_FIELDS) and/or its upstreams, on
    the row as it is now (locked_for_edit)."""
    require_role(actor, ANALYST)
    unknown = set(changes) - set(APPEARANCE_FIELDS)
    if unknown:
        raise DomainError(f"Cannot change {', '.join(sorted(unknown))} of an appearance.")
    appearance = locked_for_edit(appearance)
    for field, value in changes.items():
        setattr(appearance, field, value.strip() if isinstance(value, str) else value)
    if "published_precision" in changes and appearance.published_at is None:
        message = "A precision needs a published_at date."
        raise DomainError(message, fields={"published_precision": [message]})
    if appearance.published_at is not None:
        appearance.published_at = dates.truncate(
            appearance.published_at, appearance.published_precision
        )
    _check_translation(appearance)
    save_attributed(appearance, actor=actor)
    if derived_from is not None:
        appearance_set_derived_from(appearance=appearance, actor=actor, upstreams=derived_from)
    if {"published_at", "published_precision"} & set(changes):
        _lock_derivation_graph()
        _check_existing_derivations(appearance)
    claim_refresh_search_document(claim_ids=[appearance.claim_id])
    return appearance


def appearance_delete(*, actor, appearance: Appearance) -> None:
    """Delete an appearance (editors only); appearances derived from it lose that edge, and
    the history of the appearance and of each edge records the actor. Its evidence stays."""
    require_role(actor, EDITOR, "Only editors can delete appearances.")
    with transaction.atomic():
        claim_id = appearance.claim_id
        delete_attributed([appearance], actor=actor)
        claim_refresh_search_document(claim_ids=[claim_id])


def _link_claims(*, evidence: Evidence, actor, claim_links: Iterable[tuple[Claim, str]]) -> None:
    for claim, relation in claim_links:
        if relation not in EvidenceClaim.Relation.values:
            message = f"Relation must be supports, refutes or context, not “{relation}”."
            raise DomainError(message, code="invalid_relation", fields={"claims": [message]})
        link, created = EvidenceClaim.objects.get_or_create(
            evidence=evidence, claim=claim, defaults={"relation": relation}
        )
        if not created and link.relation != relation:
            link.relation = relation
            save_attributed(link, actor=actor)


def evidence_create(
    *,
    actor,
    kind: str = Evidence.Kind.OTHER,
    url: str = "",
    file: UploadedFile | None = None,
    title: str = "",
    description: str = "",
    claim_links: Iterable[tuple[Claim, str]] = (),
    appearance: Appearance | None = None,
) -> Evidence:
    """Record evidence (a link or an uploaded file) and queue its first capture on commit.

    An upload is written to storage before the transaction opens (no file I/O while it
    is held) and removed again if the evidence is not saved."""
    require_role(actor, ANALYST)
    if bool(url) == bool(file):
        raise DomainError(
            "Give either a URL to capture or a file to upload, not both and not neither.",
            fields={"url": ["Give a URL or a file."]},
        )
    if file is not None and file.size > settings.UPLOAD_MAX_BYTES:
        raise DomainError(
            f"The file is larger than the {settings.UPLOAD_MAX_BYTES} bytes allowed.",
            code="too_large",
            fields={"file": ["File too large."]},
        )
    evidence = Evidence(
        kind=kind,
        url=url,
        title=title.strip(),
        description=description.strip(),
        appearance=appearance,
        created_by=actor,
    )
    if file is not None:
        evidence.original_filename = file.name[:255]
        evidence.file.save(file.name, file, save=False)
    try:
        with transaction.atomic():
            save_attributed(evidence, actor=actor)
            _link_claims(evidence=evidence, actor=actor, claim_links=claim_links)
            capture_enqueue(actor=actor, evidence=evidence)
    except BaseException:
        if evidence.file:
            evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def evidence_update(
    *,
    evidence: Evidence,
    actor,
    claim_links: Iterable[tuple[Claim, str]] | None = None,
    **changes,
) -> Evidence:
    """Edit evidence metadata or its claim links, on the row as it is now (locked_for_edit);
    the URL and file are fixed once captured."""
    require_role(actor, ANALYST)
    unknown = set(changes) - {"kind", "title", "description", "appearance"}
    if unknown:
        raise DomainError(
            f"Cannot change {', '.join(sorted(unknown))} of evidence; add new evidence instead."
        )
    evidence = locked_for_edit(evidence)
    for field, value in changes.items():
        setattr(evidence, field, value.strip() if isinstance(value, str) else value)
    save_attributed(evidence, actor=actor)
    if claim_links is not None:
        claim_links = list(claim_links)
        keep = [claim.pk for claim, _ in claim_links]
        EvidenceClaim.objects.filter(evidence=evidence).exclude(claim_id__in=keep).delete()
        _link_claims(evidence=evidence, actor=actor, claim_links=claim_links)
    return evidence


@transaction.atomic
def evidence_delete(*, actor, evidence: Evidence) -> None:
    """Delete evidence with its captures and claim links (editors only).

    Locks the evidence row. Evidence whose captures a review decision relied on is kept,
    files included (400). The captures' history keeps their record (hashes, URLs, storage
    names) with the actor; once the deletion commits, the stored files no other capture
    uses, and the uploaded file, are removed.
    """
    require_role(actor, EDITOR, "Only editors can delete evidence.")
    evidence = Evidence.objects.select_for_update().filter(pk=evidence.pk).first()
    if evidence is None:  # deleted meanwhile
        raise NotFound("No such evidence.")
    if ReviewEventCapture.objects.filter(capture__evidence=evidence).exists():
        raise DomainError(
            "A review decision relied on captures of this evidence, so it is kept with its "
            "files; unlink it from the claim instead.",
            code="evidence_relied_on",
        )
    captures = list(Capture.objects.filter(evidence=evidence))
    files = capture_file_names(captures)
    upload = evidence.file.name
    delete_attributed([evidence], actor=actor)  # its captures and claim links cascade

    # A closure, not functools.partial: Django logs a failed robust hook by __qualname__;
    # a file left behind by a failure here is an orphan that prune_orphan_files removes.
    def remove_released_files() -> None:
        capture_files_remove_unreferenced(files=files)
        upload_remove_unreferenced(name=upload)

    transaction.on_commit(remove_released_files, robust=True)
