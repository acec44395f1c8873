"""Reads for the dashboard: what needs attention now. Each is one query, whatever the data."""

from django.db.models import Count, DateTimeField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from claims.models import Claim, ClaimRelation, Verdict
from claims.selectors import claim_list_values, claim_visible
from claimtrail.visibility import (
    appearance_visible_q,
    claim_visible_q,
    evidence_link_visible_q,
    visible_captures,
)
from provenance.capture.browser.status import SKIPPED_CODE as BROWSER_SKIPPED_CODE
from provenance.models import Appearance, CaptureStatus, EvidenceClaim

SECTION_SIZE = 10
NOT_REVIEWED = "Not reviewed"
IN_PROGRESS = (CaptureStatus.QUEUED, CaptureStatus.FETCHING)


def claims_awaiting_review(*, actor, limit: int = SECTION_SIZE) -> list[dict]:
    """Claims in review, oldest change first (the one waiting longest comes first)."""
    rows = claim_list_values(actor=actor, filters={"review_state": Claim.ReviewState.IN_REVIEW})
    return list(rows.order_by("updated_at", "id")[:limit])


def _newest(rows, column: str) -> Coalesce:
    """The newest `column` among `rows` (already tied to the outer claim), or the claim's
    own updated_at when there are none: GREATEST is NULL on SQLite if any argument is."""
    newest = rows.order_by(F(column).desc()).values(column)[:1]
    return Coalesce(Subquery(newest, output_field=DateTimeField()), F("updated_at"))


def last_activity(actor) -> Greatest:
    """When anything the actor may see last happened to the claim: the newest of its own
    updated_at and its appearances' (written on create too), its evidence links' and its
    relations' (either direction) times. One correlated subquery per kind, so ordering
    by it keeps the list one query; adding an appearance to an old claim brings it up."""
    appearances = Appearance.objects.filter(appearance_visible_q(actor), claim=OuterRef("pk"))
    links = EvidenceClaim.objects.filter(evidence_link_visible_q(actor), claim=OuterRef("pk"))
    relations = ClaimRelation.objects.filter(
        Q(from_claim=OuterRef("pk")) | Q(to_claim=OuterRef("pk")),
        claim_visible_q(actor, "from_claim"),
        claim_visible_q(actor, "to_claim"),
    )
    return Greatest(
        F("updated_at"),
        _newest(appearances, "updated_at"),
        _newest(links, "created_at"),
        _newest(relations, "updated_at"),
    )


def claims_recently_changed(*, actor, limit: int = SECTION_SIZE) -> list[dict]:
    """Claims by their latest activity (see last_activity), newest first; each row has it
    as `last_activity`."""
    rows = claim_list_values(actor=actor).annotate(last_activity=last_activity(actor))
    return list(rows.order_by("-last_activity", "-id")[:limit])


def _first_claim(actor, field: str) -> Subquery:
    """A column of the earliest visible claim the capture's evidence is attached to."""
    links = EvidenceClaim.objects.filter(
        claim_visible_q(actor, "claim"), evidence_id=OuterRef("evidence_id")
    ).order_by("id")
    return Subquery(links.values(f"claim__{field}")[:1])


def captures_needing_attention(*, actor, limit: int = SECTION_SIZE) -> dict[str, list[dict]]:
    """Captures queued or fetching, and failed ones with their reasons, newest first;
    each with the evidence's title/URL and the first claim it backs (one query). A browser
    capture recorded as skipped because browser captures are off is not a failure to act
    on: the claim page lists it with its reason, the dashboard leaves it out."""
    rows = (
        visible_captures(actor)
        .filter(Q(status__in=IN_PROGRESS) | Q(status=CaptureStatus.FAILED))
        .exclude(status=CaptureStatus.FAILED, error_code=BROWSER_SKIPPED_CODE)
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
