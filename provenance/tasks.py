"""Celery tasks: an id in, a service call, nothing else (STYLE.md §6).

Delivery is at-least-once (acks_late, reject_on_worker_lost): a task killed with its
worker runs again, and the services make that harmless (conditional claim, attempt fence).
"""

from celery import shared_task
from django.conf import settings

from provenance.capture import task_names, worker  # noqa: F401 - worker keeps DB connections open
from provenance.capture.errors import CaptureBusy, CaptureRetry
from provenance.capture.maintenance import capture_schedule_recaptures, capture_sweep_stuck
from provenance.capture.services import capture_run

# Both capture tasks: delivery at least once, transient failures retried with backoff.
CAPTURE_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (CaptureRetry,),
    "retry_backoff": settings.CAPTURE_RETRY_BACKOFF,
    "retry_backoff_max": settings.CAPTURE_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    # The attempt counter in the database is the real cap (CAPTURE_MAX_ATTEMPTS): the
    # service fails the capture with its reason on the last attempt, before this runs out.
    "max_retries": settings.CAPTURE_MAX_ATTEMPTS,
}


@shared_task(name=task_names.RUN, **CAPTURE_TASK_OPTIONS)
def capture_run_task(self, capture_id: int) -> None:
    """Fetch or preserve one capture; transient failures come back as CaptureRetry.
    A capture held by another attempt is looked at again when that attempt's lease ends."""
    _run(self, capture_id)


@shared_task(name=task_names.BROWSER, **CAPTURE_TASK_OPTIONS)
def capture_browser_task(self, capture_id: int) -> None:
    """The same for a browser capture, on its own queue (CELERY_TASK_ROUTES), so a worker
    with at most CAPTURE_BROWSER_CONCURRENCY Chromiums runs it and its retries."""
    _run(self, capture_id)


def _run(task, capture_id: int) -> None:
    try:
        capture_run(capture_id=capture_id)
    except CaptureBusy as busy:
        raise task.retry(countdown=busy.retry_in, exc=busy) from busy


@shared_task(name=task_names.SWEEP, acks_late=True)
def capture_sweep_task() -> dict[str, int]:
    """Re-queue or fail captures stuck in progress; re-send ones whose message was lost."""
    return capture_sweep_stuck()


@shared_task(name=task_names.RECAPTURE, acks_late=True)
def capture_recapture_task() -> int:
    """Queue periodic re-captures (a no-op while CAPTURE_RECAPTURE_HOURS is 0)."""
    return capture_schedule_recaptures()
