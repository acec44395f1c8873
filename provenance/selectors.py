"""Reads for appearances, evidence and captures, each with a fixed number of queries."""

from django.db.models import OuterRef, QuerySet, Subquery

from provenance.models import Capture, Evidence


def evidence_with_latest_capture(queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """Annotate each evidence row with its newest capture's id, status and SHA-256.

    Subqueries, not a prefetch of all captures: an item may have hundreds of captures.
    Annotations: latest_capture_public_id, latest_capture_status, latest_capture_sha256,
    latest_capture_finished_at, latest_capture_error_code.
    """
    newest = Capture.objects.filter(evidence_id=OuterRef("pk"), parent__isnull=True).order_by(
        "-created_at", "-id"
    )
    return queryset.annotate(
        latest_capture_public_id=Subquery(newest.values("public_id")[:1]),
        latest_capture_status=Subquery(newest.values("status")[:1]),
        latest_capture_sha256=Subquery(newest.values("sha256")[:1]),
        latest_capture_finished_at=Subquery(newest.values("finished_at")[:1]),
        latest_capture_error_code=Subquery(newest.values("error_code")[:1]),
    )
