"""Reads for the dashboard: what needs attention now. Each is one query, whatever the data."""

from django.db.models import Count, F, OuterRef, Q, Subquery

from claims.models import Claim, Verdict
from claims.selectors import claim_list_values, claim_visible
from claimtrail.visibility import claim_visible_q, visible_captures
from provenance.models import CaptureStatus, EvidenceClaim

SECTION_SIZE = 10
NOT_REVIEWED = "Not reviewed"
IN_PROGRESS = (CaptureStatus.QUEUED, CaptureStatus.FETCHING)


def claims_awaiting_review(*, actor, limit: int = SECTION_SIZE) -> list[dict]:
    """Claims in review, oldest change first (the one waiting longest comes first)."""
    rows = claim_list_values(actor=actor, filters={"review_state": Claim.ReviewState.IN_REVIEW})
    return list(rows.order_by("updated_at", "id")[:limit])


def claims_recently_changed(*, actor, limit: int = SECTION_SIZE) -> list[dict]:
    return list(claim_list_values(actor=actor).order_by("-updated_at", "-id")[:limit])


def _first_claim(actor, field: str) -> Subquery:
    """A column of the earliest visible claim the capture's evidence is attached to."""
    links = EvidenceClaim.objects.filter(
        claim_visible_q(actor, "claim"), evidence_id=OuterRef("evidence_id")
    ).order_by("id")
    return Subquery(links.values(f"claim__{field}")[:1])


def captures_needing_attention(*, actor, limit: int = SECTION_SIZE) -> dict[str, list[dict]]:
    """Captures queued or fetching, and failed ones with their reasons, newest first;
    each with the evidence's title/URL and the first claim it backs (one query)."""
    rows = (
        visible_captures(actor)
        .filter(Q(status__in=IN_PROGRESS) | Q(status=CaptureStatus.FAILED))
        .annotate(
            evidence_title=F("evidence__title"),
            evidence_url=F("evidence__url"),
            evidence_filename=F("evidence__original_filename"),
            claim_public_id=_first_claim(actor, "public_id"),
            claim_text=_first_claim(actor, "text"),
        )
        .order_by("-created_at", "-id")
        .values(
            "public_id",
            "status",
            "method",
            "attempts",
            "requested_url",
            "error_code",
            "error_message",
            "created_at",
            "started_at",
            "finished_at",
            "evidence_title",
            "evidence_url",
            "evidence_filename",
            "claim_public_id",
            "claim_text",
        )
    )
    in_progress = list(rows.filter(status__in=IN_PROGRESS)[:limit])
    failed = list(rows.filter(status=CaptureStatus.FAILED)[:limit])
    return {"in_progress": in_progress, "failed": failed}


def verdict_counts(*, actor) -> list[dict]:
    """Every verdict with the number of visible claims that have it, in the scale's order,
    then the claims not reviewed yet (blank verdict, value "")."""
    counts = dict(
        claim_visible(actor=actor)
        .order_by()
        .values_list("verdict")
        .annotate(n=Count("id"))
        .values_list("verdict", "n")
    )
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in [*Verdict.choices, ("", NOT_REVIEWED)]
    ]
