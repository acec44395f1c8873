"""A claim's change history: the django-simple-history records of the claim and of its
appearances, evidence links, relations and derivations, and its review events, as one
stream newest first, paged in the database.

Queries, whatever the size of the history: one to count the stream and one for a page's
(kind, id, time) keys (a UNION ALL of the six sources), then, per kind present on the
page, one for its records and one for the records just before them (for the field diffs),
one for the claim rows' tags, and one for the review events with the captures each
relied on (two with the prefetch).
"""

from dataclasses import dataclass, field

from django.db.models import CharField, F, OuterRef, Prefetch, Q, Subquery, Value

from claims.models import (
    Claim,
    ClaimRelation,
    Credibility,
    ReviewEvent,
    ReviewEventCapture,
    Verdict,
)
from provenance.models import Appearance, AppearanceDerivation, EvidenceClaim

# Bookkeeping columns: a change to them alone is not worth a line.
IGNORED_FIELDS = {
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "created_by",
    # Shown by the review entries themselves (reading them here would cost a query each).
    "reviewed_at",
    "reviewed_by",
    "published_revision",
}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    kind: str  # claim, appearance, evidence link, relation, derivation or review
    at: object
    user: object = None
    action: str = ""  # created, changed, deleted; for reviews the move
    subject: str = ""
    changes: list[Change] = field(default_factory=list)
    review: ReviewEvent | None = None


def _model_histories(claim: Claim) -> dict[str, tuple]:
    """kind → (historical model queryset for this claim, related fields to read with it)."""
    appearance_ids = Appearance.history.filter(claim_id=claim.pk).values("id")
    return {
        "claim": (Claim.history.filter(id=claim.pk), ["history_user"]),
        "appearance": (
            Appearance.history.filter(claim_id=claim.pk),
            ["history_user", "source", "claim"],
        ),
        "evidence link": (
            EvidenceClaim.history.filter(claim_id=claim.pk),
            ["history_user", "evidence", "claim"],
        ),
        "relation": (
            ClaimRelation.history.filter(Q(from_claim_id=claim.pk) | Q(to_claim_id=claim.pk)),
            ["history_user", "from_claim", "to_claim"],
        ),
        "derivation": (
            AppearanceDerivation.history.filter(
                Q(appearance_id__in=appearance_ids) | Q(upstream_id__in=appearance_ids)
            ),
            ["history_user", "appearance__source", "upstream__source"],
        ),
    }


def _keys(queryset, kind: str, *, pk: str, at: str):
    return (
        queryset.order_by()
        .annotate(k=Value(kind, output_field=CharField()), key=F(pk), at=F(at))
        .values_list("k", "key", "at")
    )


def history_stream(claim: Claim):
    """The (kind, key, time) rows of every change, newest first: a queryset to page."""
    histories = _model_histories(claim)
    streams = [
        _keys(queryset, kind, pk="history_id", at="history_date")
        for kind, (queryset, _) in histories.items()
    ]
    reviews = _keys(ReviewEvent.objects.filter(claim=claim), "review", pk="id", at="created_at")
    return streams[0].union(*streams[1:], reviews, all=True).order_by("-at", "-key")


def _display(record, model_field) -> str:
    """A field's value as a person reads it: choices by label, related rows by name."""
    if model_field.is_relation:
        related = getattr(record, model_field.name, None)
        if isinstance(related, Appearance):
            return _appearance_label(related)
        return "—" if related is None else str(related)
    value = getattr(record, model_field.attname)
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _diff(record, previous, fields) -> list[Change]:
    changes = []
    for model_field in fields:
        new = getattr(record, model_field.attname)
        old = getattr(previous, model_field.attname) if previous is not None else None
        if previous is not None and new == old:
            continue
        if previous is None and new in (None, ""):
            continue
        changes.append(
            Change(
                field=str(model_field.verbose_name),
                old="—" if previous is None else _display(previous, model_field),
                new=_display(record, model_field),
            )
        )
    return changes


def _tracked_fields(history_model) -> list:
    meta_names = {"history_id", "history_date", "history_change_reason", "history_type"}
    return [
        f
        for f in history_model._meta.concrete_fields
        if f.name not in meta_names
        and f.name != "history_user"
        and f.attname not in IGNORED_FIELDS
        and f.name not in IGNORED_FIELDS
    ]


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _appearance_label(appearance) -> str:
    if appearance is None:
        return "a deleted appearance"
    return f"{appearance.source}’s {appearance.get_stance_display().lower()}"


def _subject(kind: str, record) -> str:
    if kind == "claim":
        return ""
    if kind == "appearance":
        return f"{record.source}, {record.get_stance_display().lower()}" if record.source else ""
    if kind == "evidence link":
        return str(record.evidence) if record.evidence_id else ""
    if kind == "relation":
        return f"{record.from_claim} → {record.to_claim}"
    if kind == "derivation":
        return f"{_appearance_label(record.appearance)} derives from " + _appearance_label(
            record.upstream
        )
    return ""


def _model_entries(kind: str, queryset, related: list, keys: list[int]) -> dict:
    """Entries for the page's historical records of one kind, with their field diffs."""
    previous_id = Subquery(
        queryset.model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    records = list(
        queryset.model.objects.filter(history_id__in=keys)
        .select_related(*related)
        .annotate(previous_history_id=previous_id)
    )
    previous = {
        row.history_id: row
        for row in queryset.model.objects.filter(
            history_id__in=[r.previous_history_id for r in records if r.previous_history_id]
        ).select_related(*[name for name in related if name != "history_user"])
    }
    fields = _tracked_fields(queryset.model)
    tags = _claim_tags([*records, *previous.values()]) if kind == "claim" else {}
    entries = {}
    for record in records:
        before = previous.get(record.previous_history_id)
        action = ACTIONS.get(record.history_type, "changed")
        changes = [] if action == "deleted" else _diff(record, before, fields)
        if kind == "claim" and action != "deleted":
            new = tags.get(record.history_id, [])
            old = tags.get(before.history_id, []) if before is not None else []
            if new != old:
                changes.append(Change("tags", ", ".join(old) or "—", ", ".join(new) or "—"))
        entries[(kind, record.history_id)] = HistoryEntry(
            kind=kind,
            at=record.history_date,
            user=record.history_user,
            action=action,
            subject=_subject(kind, record),
            changes=changes,
        )
    return entries


def _claim_tags(records) -> dict[int, list[str]]:
    """The tag names each historical claim row recorded (django-simple-history keeps the
    m2m as rows of HistoricalClaim_tags), by history id; one query."""
    through = Claim.history.model._meta.get_field("historicalclaim_tags").related_model
    names: dict[int, list[str]] = {}
    for history_id, name in (
        through.objects.filter(history_id__in=[r.history_id for r in records])
        .order_by("tag__name")
        .values_list("history_id", "tag__name")
    ):
        names.setdefault(history_id, []).append(name)
    return names


def _label(choices, value) -> str:
    return "—" if value in (None, "") else str(dict(choices.choices).get(value, value))


def _review_entries(keys: list[int]) -> dict:
    events = (
        ReviewEvent.objects.filter(id__in=keys)
        .select_related("actor")
        .prefetch_related(
            Prefetch(
                "capture_links",
                queryset=ReviewEventCapture.objects.select_related("capture__evidence").order_by(
                    "id"
                ),
            )
        )
    )
    return {
        ("review", event.id): HistoryEntry(
            kind="review",
            at=event.created_at,
            user=event.actor,
            action=f"{event.get_from_state_display()} → {event.get_to_state_display()}",
            review=event,
            changes=[
                Change(label, old, new)
                for label, old, new in (
                    (
                        "verdict",
                        _label(Verdict, event.from_verdict),
                        _label(Verdict, event.to_verdict),
                    ),
                    (
                        "credibility",
                        _label(Credibility, event.from_credibility),
                        _label(Credibility, event.to_credibility),
                    ),
                )
                if old != new
            ],
        )
        for event in events
    }


def history_entries(claim: Claim, page_keys: list[tuple]) -> list[HistoryEntry]:
    """The entries for one page of history_stream's rows, in the page's order."""
    by_kind: dict[str, list[int]] = {}
    for kind, key, _at in page_keys:
        by_kind.setdefault(kind, []).append(key)
    entries = {}
    for kind, (queryset, related) in _model_histories(claim).items():
        if kind in by_kind:
            entries |= _model_entries(kind, queryset, related, by_kind[kind])
    if "review" in by_kind:
        entries |= _review_entries(by_kind["review"])
    return [entries[(kind, key)] for kind, key, _at in page_keys if (kind, key) in entries]
