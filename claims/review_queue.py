"""Reads for the review pages: the queue, a claim's evidence with capture status, and what a
merge would move. Each a fixed number of queries, whatever the size of the data."""

from django.db.models import F, OuterRef, Q, Subquery

from claims.models import Claim, ClaimRelation, ReviewEvent, ReviewState
from claims.selectors import claim_list_values
from provenance.models import Appearance, Capture, EvidenceClaim


def _submission(field: str) -> Subquery:
    """`field` of the claim's latest move into review."""
    events = ReviewEvent.objects.filter(
        claim_id=OuterRef("id"), to_state=ReviewState.IN_REVIEW
    ).exclude(from_state=ReviewState.IN_REVIEW)
    return Subquery(events.order_by("-created_at", "-id").values(field)[:1])


def review_queue_values(*, actor):
    """Claims in review as the claim list's rows (one query), with who submitted each and
    when, oldest submission first (a claim never submitted through review counts from its
    creation)."""
    rows = claim_list_values(actor=actor, filters={"review_state": [ReviewState.IN_REVIEW]})
    return rows.annotate(
        submitted_by=_submission("actor__username"),
        submitted_at=_submission("created_at"),
    ).order_by("submitted_at", "created_at", "id")


def claim_timeline(claim: Claim) -> list[Appearance]:
    """The claim's appearances, earliest first (unknown dates last), with their sources
    (one query)."""
    return list(
        Appearance.objects.filter(claim=claim)
        .select_related("source")
        .order_by(F("published_at").asc(nulls_last=True), "id")
    )


def _latest_capture(field: str) -> Subquery:
    captures = Capture.objects.filter(evidence_id=OuterRef("evidence_id"), parent__isnull=True)
    return Subquery(captures.order_by("-created_at", "-id").values(field)[:1])


def claim_evidence_rows(claim: Claim) -> list[EvidenceClaim]:
    """The claim's evidence links with their evidence and its latest top-level capture's
    status, id and SHA-256 (one query)."""
    return list(
        EvidenceClaim.objects.filter(claim=claim)
        .select_related("evidence")
        .annotate(
            capture_status=_latest_capture("status"),
            capture_public_id=_latest_capture("public_id"),
            capture_sha256=_latest_capture("sha256"),
        )
        .order_by("created_at", "id")
    )


def _relation_rows(relations: list[ClaimRelation], *, duplicate: Claim, target: Claim) -> list:
    """The duplicate's relations, each with the other claim and whether it moves, decided as
    claims.services._move_relations decides (one pointing at the target, or repeating a
    relation the target has, is dropped)."""
    existing = set()
    for r in relations:
        if r.from_claim_id == target.pk:
            existing.add(("out", r.to_claim_id, r.kind))
        if r.to_claim_id == target.pk:
            existing.add(("in", r.from_claim_id, r.kind))
    rows = []
    outgoing = [r for r in relations if r.from_claim_id == duplicate.pk]
    incoming = [r for r in relations if r.to_claim_id == duplicate.pk and r not in outgoing]
    for direction, group in (("out", outgoing), ("in", incoming)):
        for relation in group:
            other = relation.to_claim if direction == "out" else relation.from_claim
            key = (direction, other.pk, relation.kind)
            moves = other.pk != target.pk and key not in existing
            if moves:
                existing.add(key)
            rows.append(
                {
                    "relation": relation,
                    "other": other,
                    "outgoing": direction == "out",
                    "moves": moves,
                }
            )
    return rows


def merge_preview(*, duplicate: Claim, target: Claim) -> dict:
    """What claims.services.claim_merge would do: appearances that move, evidence links that
    move or are dropped (the target has them), relations that move or are dropped, tags
    the target gains. Five queries, whatever the size."""
    appearances = list(
        Appearance.objects.filter(claim=duplicate)
        .select_related("source")
        .order_by("published_at", "id")
    )
    target_evidence = set(
        EvidenceClaim.objects.filter(claim=target).values_list("evidence_id", flat=True)
    )
    links = list(
        EvidenceClaim.objects.filter(claim=duplicate).select_related("evidence").order_by("id")
    )
    both = [duplicate.pk, target.pk]
    relations = list(
        ClaimRelation.objects.filter(Q(from_claim_id__in=both) | Q(to_claim_id__in=both))
        .select_related("from_claim", "to_claim")
        .order_by("created_at", "id")
    )
    tags = {duplicate.pk: [], target.pk: []}
    for claim_id, name in (
        Claim.tags.through.objects.filter(claim_id__in=both)
        .order_by("tag__name")
        .values_list("claim_id", "tag__name")
    ):
        tags[claim_id].append(name)
    relation_rows = _relation_rows(relations, duplicate=duplicate, target=target)
    return {
        "appearances": appearances,
        "evidence_moving": [link for link in links if link.evidence_id not in target_evidence],
        "evidence_dropped": [link for link in links if link.evidence_id in target_evidence],
        "relations": relation_rows,
        "relations_moving": sum(1 for row in relation_rows if row["moves"]),
        "tags_added": [name for name in tags[duplicate.pk] if name not in tags[target.pk]],
    }
