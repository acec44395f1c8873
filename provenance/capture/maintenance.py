"""Periodic upkeep run by Celery beat: the stuck-capture sweeper and scheduled re-captures.

Both only decide *which* captures to touch; every change goes through the services in
provenance.capture.services, which lock the row and re-check its state.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from claimtrail.exceptions import DomainError
from provenance.capture.services import (
    capture_enqueue_scheduled,
    capture_fail,
    capture_requeue,
    send_now,
)
from provenance.models import Capture, Evidence

logger = logging.getLogger(__name__)
Status = Capture.Status
SWEEP_BATCH = 1000  # per run; a larger backlog drains over several sweeps


def capture_sweep_stuck() -> dict[str, int]:
    """Nothing stays in progress forever. Captures fetching past CAPTURE_STUCK_AFTER are
    re-queued (attempts remain) or failed as `stuck`; captures queued that long lost their
    task message (broker restarted, publish failed) and have it sent again."""
    cutoff = timezone.now() - timedelta(seconds=settings.CAPTURE_STUCK_AFTER)
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    stuck = Capture.objects.filter(status=Status.FETCHING, started_at__lt=cutoff)
    for capture in stuck.only("pk", "attempts")[:SWEEP_BATCH]:
        try:
            if capture.attempts < settings.CAPTURE_MAX_ATTEMPTS:
                capture_requeue(capture=capture)
                counts["requeued"] += 1
            else:
                capture_fail(
                    capture=capture,
                    code="stuck",
                    message=(
                        f"The capture was still running after {settings.CAPTURE_STUCK_AFTER} "
                        f"seconds on each of {capture.attempts} attempts; the worker may "
                        "have crashed on this content. Re-queue it from the admin to retry."
                    ),
                )
                counts["failed"] += 1
        except DomainError:
            continue  # finished or re-claimed since the query: nothing to do
    lost = Capture.objects.filter(status=Status.QUEUED, updated_at__lt=cutoff)
    for pk, method in lost.values_list("pk", "method")[:SWEEP_BATCH]:
        # Touch first so the next sweep waits a full period before sending again.
        touched = Capture.objects.filter(pk=pk, status=Status.QUEUED, updated_at__lt=cutoff).update(
            updated_at=timezone.now()
        )
        if touched and send_now(pk, method=method):
            counts["resent"] += 1
    return counts


def capture_schedule_recaptures() -> int:
    """Queue a new capture of each linked item whose newest capture is older than
    CAPTURE_RECAPTURE_HOURS (link rot, silent edits); off when the setting is 0.
    Items with a capture still queued or fetching are skipped."""
    hours = settings.CAPTURE_RECAPTURE_HOURS
    if hours <= 0:
        return 0
    cutoff = timezone.now() - timedelta(hours=hours)
    top_level = Capture.objects.filter(evidence_id=OuterRef("pk"), parent__isnull=True)
    due = (
        Evidence.objects.exclude(url="")
        .annotate(
            newest=Subquery(top_level.order_by("-created_at").values("created_at")[:1]),
            busy=Exists(top_level.filter(status__in=[Status.QUEUED, Status.FETCHING])),
        )
        .filter(Q(newest__lt=cutoff) | Q(newest__isnull=True), busy=False)
        .order_by(F("newest").asc(nulls_first=True))[: settings.CAPTURE_RECAPTURE_BATCH]
    )
    count = 0
    for evidence in due:
        with transaction.atomic():
            capture_enqueue_scheduled(evidence=evidence)
        count += 1
    return count
