"""Reads for appearances, evidence and captures, each with a fixed number of queries."""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from claims.models import Claim
from claimtrail.exceptions import NotFound
from claimtrail.visibility import (
    appearance_visible_q,
    evidence_link_visible_q,
    if_visible,
    parse_public_id,
    visible_appearances,
    visible_claims,
    visible_evidence,
)
from provenance.models import Appearance, AppearanceDerivation, Capture, Evidence, EvidenceClaim


def latest_captures(*, evidence_id) -> QuerySet[Capture]:
    """The captures that may be an evidence item's latest, newest first: `[:1]` of it is
    "the latest capture" wherever one is shown. `evidence_id` is an id or an OuterRef.

    Only top-level captures count (embedded media is a child of its page's), and not the
    browser capture beside a page's HTTP capture: that is a view of the page, not its bytes.
    """
    return (
        Capture.objects.filter(evidence_id=evidence_id, parent__isnull=True)
        .exclude(method=Capture.Method.BROWSER)
        .order_by("-created_at", "-id")
    )


def latest_browser_captures(*, evidence_id) -> QuerySet[Capture]:
    """An evidence item's browser captures, newest first: `[:1]` of it is the view of the
    page shown beside its latest capture. `evidence_id` is an id or an OuterRef."""
    return Capture.objects.filter(
        evidence_id=evidence_id, method=Capture.Method.BROWSER, parent__isnull=True
    ).order_by("-created_at", "-id")


def captures_with_browser_views(
    *, capture_ids: Iterable[UUID], evidence_ids: Iterable[int]
) -> QuerySet[Capture]:
    """In one query: the captures with these public ids, and the newest browser capture
    of each of these evidence items (latest_browser_captures)."""
    newest = latest_browser_captures(evidence_id=OuterRef("evidence_id")).values("id")[:1]
    return Capture.objects.filter(
        Q(public_id__in=list(capture_ids))
        | Q(evidence_id__in=list(evidence_ids), id=Subquery(newest))
    )


def evidence_with_latest_capture(queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """Annotate each evidence row with its latest capture's id, status and SHA-256.

    Subqueries, not a prefetch of all captures: an item may have hundreds of captures.
    Annotations: latest_capture_public_id, latest_capture_status, latest_capture_sha256,
    latest_capture_finished_at, latest_capture_error_code.
    """
    newest = latest_captures(evidence_id=OuterRef("pk"))
    return queryset.annotate(
        latest_capture_public_id=Subquery(newest.values("public_id")[:1]),
        latest_capture_status=Subquery(newest.values("status")[:1]),
        latest_capture_sha256=Subquery(newest.values("sha256")[:1]),
        latest_capture_finished_at=Subquery(newest.values("finished_at")[:1]),
        latest_capture_error_code=Subquery(newest.values("error_code")[:1]),
    )


# --- Visibility ---------------------------------------------------------------------
# Rows the actor may not see (claimtrail.visibility) do not exist for them (404).


def claims_by_public_id(*, public_ids: Iterable[UUID], actor) -> dict[UUID, Claim]:
    """The claims among `public_ids` that `actor` may see, keyed by public id (one query)."""
    ids = set(public_ids)
    if not ids:
        return {}
    claims = visible_claims(actor).filter(public_id__in=ids)
    return {claim.public_id: claim for claim in claims}


# --- Appearances ----------------------------------------------------------------------


def _derivation_links(*, actor, side: str) -> QuerySet[AppearanceDerivation]:
    """Edges to the visible appearances on `side` ("upstream" or "appearance")."""
    return (
        AppearanceDerivation.objects.filter(appearance_visible_q(actor, side))
        .annotate(other_public_id=F(f"{side}__public_id"))
        .order_by(f"{side}__published_at", f"{side}__created_at", "id")
    )


def appearance_list(*, actor) -> QuerySet[Appearance]:
    """Visible appearances with claim and source joined, and their visible DAG neighbours.

    Three queries a page: the appearances, `upstream_ids` links and `downstream_ids` links
    (each a list of `AppearanceDerivation` annotated with `other_public_id`).
    """
    return (
        visible_appearances(actor)
        .select_related("source", "claim")
        .prefetch_related(
            Prefetch(
                "upstream_links",
                queryset=_derivation_links(actor=actor, side="upstream"),
                to_attr="upstream_ids",
            ),
            Prefetch(
                "downstream_links",
                queryset=_derivation_links(actor=actor, side="appearance"),
                to_attr="downstream_ids",
            ),
        )
    )


def appearance_get_for_user(*, public_id: UUID | str, actor) -> Appearance:
    """One visible appearance, prefetched as in appearance_list; NotFound (404) when it is
    missing, invisible to `actor` or `public_id` is not a UUID."""
    public_id = parse_public_id(public_id)
    appearance = public_id and appearance_list(actor=actor).filter(public_id=public_id).first()
    if appearance is None:
        raise NotFound("No such appearance.")
    return appearance


def appearances_by_public_id(*, public_ids: Iterable[UUID], actor) -> dict[UUID, Appearance]:
    """The visible appearances among `public_ids`, keyed by public id (one query)."""
    ids = set(public_ids)
    if not ids:
        return {}
    found = visible_appearances(actor).filter(public_id__in=ids)
    return {appearance.public_id: appearance for appearance in found}


# --- Evidence ---------------------------------------------------------------------------


def evidence_lookup_for_user(*, public_id: UUID | str, actor) -> Evidence:
    """The bare evidence row, for a write, if `actor` may see it; NotFound (404) when it is
    missing, invisible to `actor` or `public_id` is not a UUID."""
    public_id = parse_public_id(public_id)
    evidence = public_id and visible_evidence(actor).filter(public_id=public_id).first()
    if evidence is None:
        raise NotFound("No such evidence.")
    return evidence


def evidence_list(*, actor) -> QuerySet[Evidence]:
    """Visible evidence with its appearance id, visible claim links and latest capture.

    Two queries a page: the evidence (with `appearance_public_id`, null when that
    appearance is not visible, and the latest capture as subqueries) and its claim links
    with their claims (in `visible_claim_links`).
    """
    links = (
        EvidenceClaim.objects.filter(evidence_link_visible_q(actor))
        .select_related("claim")
        .order_by("created_at", "id")
    )
    appearance_public_id = if_visible(
        appearance_visible_q(actor, "appearance"), F("appearance__public_id")
    )
    return evidence_with_latest_capture(
        visible_evidence(actor)
        .annotate(appearance_public_id=appearance_public_id)
        .prefetch_related(Prefetch("claim_links", queryset=links, to_attr="visible_claim_links"))
    )


def evidence_get_for_user(*, public_id: UUID | str, actor) -> Evidence:
    """One visible evidence item, prefetched as in evidence_list; NotFound (404) when it is
    missing, invisible to `actor` or `public_id` is not a UUID."""
    public_id = parse_public_id(public_id)
    evidence = public_id and evidence_list(actor=actor).filter(public_id=public_id).first()
    if evidence is None:
        raise NotFound("No such evidence.")
    return evidence


def evidence_filter_by_claim(queryset: QuerySet[Evidence], *, claim_public_id: UUID):
    """Evidence linked to the claim with this public id (no duplicate rows)."""
    links = EvidenceClaim.objects.filter(evidence=OuterRef("pk"), claim__public_id=claim_public_id)
    return queryset.filter(Exists(links))
