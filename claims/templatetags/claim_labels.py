"""Display labels for the vocabulary of claims, sources and evidence (verdict, credibility,
review state, stance, kinds), so that no page shows a stored value such as `part_of`."""

from django import template
from django.utils.dateparse import parse_date

from claims.models import Credibility, RelationKind, ReviewState, Verdict
from claimtrail.roles import user_has_role
from provenance.models import (
    CaptureStatus,
    DatePrecision,
    EvidenceKind,
    EvidenceRelation,
    Stance,
)
from sources.models import IdentifierKind, SourceKind

register = template.Library()

_VERDICTS = dict(Verdict.choices)
_STATES = dict(ReviewState.choices)
_CREDIBILITY = dict(Credibility.choices)
_STANCES = dict(Stance.choices)
_CAPTURES = dict(CaptureStatus.choices)
_SOURCE_KINDS = dict(SourceKind.choices)
_RELATIONS = dict(EvidenceRelation.choices)
_EVIDENCE_KINDS = dict(EvidenceKind.choices)
_CLAIM_RELATIONS = dict(RelationKind.choices)
_IDENTIFIER_KINDS = dict(IdentifierKind.choices)
_PRECISIONS = dict(DatePrecision.choices)


@register.filter
def verdict_label(value) -> str:
    """The verdict's label; a blank verdict is a claim not reviewed yet."""
    return _VERDICTS.get(value, value) if value else "Not reviewed"


@register.filter
def state_label(value) -> str:
    return _STATES.get(value, value or "")


@register.filter
def credibility_label(value) -> str:
    """'2 — probably true', or 'Not rated' when unset."""
    return _CREDIBILITY.get(value, "Not rated") if value is not None else "Not rated"


@register.filter
def stance_label(value) -> str:
    return _STANCES.get(value, value or "")


@register.filter
def capture_label(value) -> str:
    return _CAPTURES.get(value, value or "")


@register.filter
def source_kind_label(value) -> str:
    return _SOURCE_KINDS.get(value, value or "")


@register.filter
def evidence_relation_label(value) -> str:
    return _RELATIONS.get(value, value or "")


@register.filter
def evidence_kind_label(value) -> str:
    return _EVIDENCE_KINDS.get(value, value or "")


@register.filter
def claim_relation_label(value) -> str:
    """Lower case, read inside a sentence: "This claim contradicts …", "part of this claim"."""
    return _CLAIM_RELATIONS.get(value, value or "").lower()


@register.filter
def precision_label(value) -> str:
    return _PRECISIONS.get(value, value or "")


@register.filter
def identifier_kind_label(value) -> str:
    return _IDENTIFIER_KINDS.get(value, value or "")


@register.filter
def iso_date(value):
    """An ISO date string (as in a revision's payload) as a date, for the date filter."""
    return parse_date(value) if isinstance(value, str) else value


@register.filter
def has_role(user, role: str) -> bool:
    """Whether `user` holds `role` (claimtrail.roles; cached on the user for the request)."""
    return user_has_role(user, role)
