"""Capture state transitions: queue, claim, run, finish, fail, requeue, sweep, recapture.

A capture moves queued → fetching → succeeded | failed. Every move out of "fetching" is
fenced by the attempt number the worker claimed, so a worker that lost its claim (killed,
swept, re-queued by an operator) can never overwrite the result of a later attempt.
"""

import logging
import shutil
import tempfile
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from claimtrail.celery import app as celery_app
from claimtrail.exceptions import DomainError
from claimtrail.lib.auth import require_role
from claimtrail.roles import ANALYST
from provenance.capture import rows, task_names
from provenance.capture.browser.preserve import (
    browser_capture_applies,
    browser_capture_wanted,
    preserve_browser,
)
from provenance.capture.browser.status import SKIPPED_CODE, browser_status
from provenance.capture.changes import change_since_previous
from provenance.capture.errors import CaptureBusy, CaptureRetry, describe_error
from provenance.capture.fetch.preserve import preserve_fetch
from provenance.capture.media.preserve import media_capture_wanted, preserve_media
from provenance.capture.shared.outcome import Outcome
from provenance.capture.shared.storage import release_cached_pages
from provenance.capture.upload.preserve import preserve_upload
from provenance.models import Capture, Evidence

logger = logging.getLogger(__name__)
Status = Capture.Status
# Fields the worker never changes; excluded from full_clean to spare a query per relation.
RELATIONS = ["evidence", "parent", "requested_by"]


def _validate_fields(capture: Capture, *, exclude: list[str]) -> None:
    """Field validation (lengths, choices, URLs, JSON) in Python. Not the Meta check
    constraints: PostgreSQL enforces them on the write that follows, and Django would check
    each again with a query of its own (savepoint, SELECT, release: 9 statements a capture)."""
    capture.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _send(capture_id: int, *, method: str = "") -> None:
    """Send the capture's task by its registered name: browser captures have a task (and a
    queue) of their own. By name, so this module never imports the tasks that import it."""
    name = task_names.BROWSER if method == Capture.Method.BROWSER else task_names.RUN
    celery_app.tasks[name].delay(capture_id)


def send_now(capture_id: int, *, method: str = "") -> bool:
    """Send the task outside any transaction; False (logged) when the broker is down."""
    try:
        _send(capture_id, method=method)
    except Exception:  # kombu raises several connection errors; the next sweep retries
        logger.warning("Could not send capture %s to the broker", capture_id, exc_info=True)
        return False
    return True


def _enqueue_on_commit(capture_id: int, method: str) -> None:
    # robust: a broker that is down must not fail the request that saved the evidence;
    # the sweeper re-sends captures left queued (capture_sweep_stuck).
    # A closure, not functools.partial: Django logs a failed robust hook by __qualname__.
    def send_capture() -> None:
        _send(capture_id, method=method)

    transaction.on_commit(send_capture, robust=True)


@transaction.atomic
def capture_enqueue(*, actor, evidence: Evidence, url: str = "") -> Capture:
    """An analyst asks for a capture of `evidence` (of `url`, or the evidence's own URL or
    file); it is queued, requested by `actor`, and its task sent once the transaction commits.
    Raises PermissionDenied for a user without the analyst role."""
    require_role(actor, ANALYST)
    return _enqueue(evidence=evidence, requested_by=actor, url=url)


@transaction.atomic
def capture_enqueue_scheduled(*, evidence: Evidence) -> Capture:
    """A re-capture nobody asked for (CAPTURE_RECAPTURE_HOURS): requested by no one."""
    return _enqueue(evidence=evidence, requested_by=None, url=evidence.url)


def _enqueue(
    *, evidence: Evidence, requested_by, parent: Capture | None = None, url: str = ""
) -> Capture:
    """Create a queued capture and schedule its task after the transaction commits.

    Uploads are preserved from the stored file; anything else is fetched from `url` (or
    the evidence's URL). Web pages and social posts also get a queued browser capture.
    """
    method = Capture.Method.UPLOAD if evidence.file and not url else Capture.Method.FETCH
    requested_url = "" if method == Capture.Method.UPLOAD else (url or evidence.url)
    if method == Capture.Method.FETCH and not requested_url:
        raise DomainError("This evidence has no URL or file to capture.", code="nothing_to_capture")
    capture = _queue(
        evidence=evidence,
        requested_by=requested_by,
        method=method,
        url=requested_url,
        parent=parent,
    )
    if method == Capture.Method.FETCH and browser_capture_wanted(evidence=evidence, parent=parent):
        _enqueue_browser(evidence=evidence, requested_by=requested_by, url=requested_url)
    elif method == Capture.Method.FETCH and browser_capture_applies(
        evidence=evidence, parent=parent
    ):
        _record_browser_skipped(evidence=evidence, requested_by=requested_by, url=requested_url)
    return capture


def _enqueue_browser(*, evidence: Evidence, requested_by, url: str) -> None:
    """The browser capture beside a page's HTTP capture: its own row, task and attempts."""
    _queue(evidence=evidence, requested_by=requested_by, method=Capture.Method.BROWSER, url=url)


def _record_browser_skipped(*, evidence: Evidence, requested_by, url: str) -> None:
    """Browser captures are off: the page's captures still list the method, as a capture
    that was not made (failed, code browser_off), with why and how to turn it on."""
    now = timezone.now()
    capture = Capture(
        evidence=evidence,
        method=Capture.Method.BROWSER,
        requested_url=url,
        requested_by=requested_by,
        status=Status.FAILED,
        error_code=SKIPPED_CODE,
        error_message=browser_status().skipped_message(),
        finished_at=now,
    )
    _validate_fields(capture, exclude=RELATIONS)
    capture.save()


def _enqueue_child(page: Capture, *, method: str, url: str) -> None:
    """A capture derived from a finished page capture (the video behind it)."""
    _queue(
        evidence=page.evidence,
        requested_by=page.requested_by,
        method=method,
        url=url,
        parent=page,
    )


def _queue(*, evidence: Evidence, requested_by, method: str, url: str, parent=None) -> Capture:
    """A queued capture row whose task is sent once the transaction commits."""
    capture = Capture(
        evidence=evidence,
        parent=parent,
        method=method,
        requested_url=url,
        requested_by=requested_by,
        status=Status.QUEUED,
    )
    _validate_fields(capture, exclude=RELATIONS)
    capture.save()
    _enqueue_on_commit(capture.pk, capture.method)
    return capture


def _claim(capture_id: int) -> Capture | None:
    """queued → fetching, or a fetching capture whose lease expired (its worker died)."""
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.CAPTURE_STUCK_AFTER)
    return rows.claim(capture_id, now=now, lease_expired=lease_expired)


def capture_run(*, capture_id: int) -> None:
    """Claim and perform one attempt. Idempotent: a finished capture is left alone; one
    being fetched raises CaptureBusy. Raises CaptureRetry (capture re-queued) for a
    transient failure while attempts remain; records every other outcome on the capture."""
    capture = _claim(capture_id)
    if capture is None:
        _raise_if_busy(capture_id)
        return
    attempt = capture.attempts
    if attempt > settings.CAPTURE_MAX_ATTEMPTS:
        last = capture.metadata.get("last_error", {}).get("message", "no error was recorded")
        _finish(
            capture_id,
            attempt,
            failure=(
                "too_many_attempts",
                f"Gave up after {attempt - 1} attempts. The last one said: {last}",
            ),
        )
        return
    final_attempt = attempt >= settings.CAPTURE_MAX_ATTEMPTS
    # Everything after the claim is inside the try: an error in making the work folder or
    # in recording the result is a reason on the capture, not a capture left fetching.
    try:
        workdir = _new_workdir()
        try:
            outcome = _perform(capture, workdir=workdir, final_attempt=final_attempt)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        release_cached_pages(outcome.stored_names())
        _finish(capture_id, attempt, outcome=outcome, claimed=capture)
    except Exception as exc:
        code, message, retryable = describe_error(exc)
        if retryable and not final_attempt:
            _requeue_after_error(capture_id, attempt, code=code, message=message)
            raise CaptureRetry(code, message) from exc
        if retryable:
            message = f"{message} (gave up after {attempt} attempts)"
        _finish(capture_id, attempt, failure=(code, message))


def _new_workdir() -> Path:
    """A private folder for one attempt, under CAPTURE_WORK_DIR (created when missing)."""
    parent = settings.CAPTURE_WORK_DIR or None
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="capture-", dir=parent))


def _raise_if_busy(capture_id: int) -> None:
    started_at = (
        Capture.objects.filter(pk=capture_id, status=Status.FETCHING)
        .values_list("started_at", flat=True)
        .first()
    )
    if started_at is not None:
        lease_ends = started_at + timedelta(seconds=settings.CAPTURE_STUCK_AFTER)
        raise CaptureBusy(max(1, int((lease_ends - timezone.now()).total_seconds()) + 1))


def _perform(capture: Capture, *, workdir: Path, final_attempt: bool) -> Outcome:
    if capture.method == Capture.Method.UPLOAD:
        return preserve_upload(capture, workdir=workdir)
    if capture.method == Capture.Method.BROWSER:
        return preserve_browser(capture, workdir=workdir, final_attempt=final_attempt)
    if capture.method == Capture.Method.MEDIA:
        return preserve_media(capture, workdir=workdir)
    return preserve_fetch(capture, workdir=workdir, final_attempt=final_attempt)


def _requeue_after_error(capture_id: int, attempt: int, *, code: str, message: str) -> None:
    with transaction.atomic():
        capture = _locked_if_current(capture_id, attempt)
        if capture is None:
            return
        capture.status = Status.QUEUED
        capture.started_at = None
        capture.metadata = {
            **capture.metadata,
            "last_error": {"code": code, "message": message, "attempt": attempt},
        }
        capture.save(update_fields=["status", "started_at", "metadata", "updated_at"])


def _locked_if_current(capture_id: int, attempt: int) -> Capture | None:
    """The capture, row-locked, if this attempt still owns it (fetching, same attempt)."""
    capture = Capture.objects.select_for_update().filter(pk=capture_id).first()
    if capture is None or capture.status != Status.FETCHING or capture.attempts != attempt:
        logger.info("Capture %s attempt %s was superseded; result dropped", capture_id, attempt)
        return None
    return capture


def _finish(
    capture_id: int,
    attempt: int,
    *,
    outcome: Outcome | None = None,
    failure: tuple[str, str] | None = None,
    claimed: Capture | None = None,
) -> None:
    """Record the outcome and queue embedded media. One conditional UPDATE, fenced by the
    attempt: it writes only while the capture is still fetching under this attempt number
    (the row lock it takes orders it with a sweep or a re-claim), else the result is dropped.
    `claimed` is the row as `_claim` read it (read again when not given). The UPDATE and
    the children it queues share a transaction; alone, the UPDATE needs none of its own."""
    fields = dict(outcome.fields) if outcome else {}
    failure = failure or (outcome.failure if outcome else None)
    capture = None
    if failure:
        fields.update(status=Status.FAILED, error_code=failure[0], error_message=failure[1])
    else:
        capture = claimed or Capture.objects.get(pk=capture_id)
        fields.update(status=Status.SUCCEEDED, error_code="", error_message="")
        fields["metadata"] = {
            **fields.get("metadata", {}),
            **change_since_previous(capture, fields["sha256"]),
        }
    now = timezone.now()
    fields["finished_at"] = now
    # Only the fields written are validated; the URLs as before: a final URL that the
    # server redirected to is a fact, whatever Django's URLValidator thinks of it.
    unwritten = [f.name for f in Capture._meta.fields if f.name not in fields]
    _validate_fields(Capture(**fields), exclude=[*unwritten, "requested_url", "final_url"])
    embedded, media_url = [], ""
    if outcome and capture is not None and capture.parent_id is None:
        embedded = outcome.embedded_media
        if media_capture_wanted(capture=capture, content_type=fields.get("content_type", "")):
            media_url = fields.get("final_url") or capture.requested_url
    with transaction.atomic() if embedded or media_url else nullcontext():
        if not rows.finish(capture_id, attempt, {**fields, "updated_at": now}):
            logger.info("Capture %s attempt %s was superseded; result dropped", capture_id, attempt)
            return
        if embedded:
            _enqueue_embedded(capture, embedded)
        if media_url:
            _enqueue_child(capture, method=Capture.Method.MEDIA, url=media_url)


def _enqueue_embedded(capture: Capture, urls: list[str]) -> None:
    """One level deep: children of a page capture; children never spawn children."""
    validate = URLValidator(schemes=["http", "https"])
    for url in urls:
        try:
            validate(url)
        except ValidationError:
            continue
        if len(url) > 2000:
            continue
        _enqueue(
            evidence=capture.evidence, requested_by=capture.requested_by, parent=capture, url=url
        )


def _lock(capture: Capture) -> Capture:
    """Re-read the row under lock: the caller's copy may be stale by the time it acts."""
    return Capture.objects.select_for_update().get(pk=capture.pk)


@transaction.atomic
def capture_fail(*, capture: Capture, code: str, message: str) -> Capture:
    """Mark a capture failed with its reason (an operator's or the sweeper's decision).
    Locks the row; a worker still running it finds its fence broken and drops its result."""
    capture = _lock(capture)
    if capture.status == Status.SUCCEEDED:
        raise DomainError("A succeeded capture cannot be marked failed.", code="invalid_state")
    capture.status = Status.FAILED
    capture.error_code = code
    capture.error_message = message
    capture.finished_at = timezone.now()
    _validate_fields(capture, exclude=[*RELATIONS, "requested_url", "final_url"])
    capture.save(
        update_fields=["status", "error_code", "error_message", "finished_at", "updated_at"]
    )
    return capture


def _is_stuck(capture: Capture) -> bool:
    lease_expired = timezone.now() - timedelta(seconds=settings.CAPTURE_STUCK_AFTER)
    return capture.started_at is None or capture.started_at < lease_expired


@transaction.atomic
def capture_requeue(*, capture: Capture, reset_attempts: bool = False) -> Capture:
    """Put a failed, queued or stuck capture back in the queue; its task is sent on commit.

    Locks the row. `reset_attempts` (the admin action) grants a fresh set of attempts. A
    capture being fetched right now is refused: two workers would race for it.
    """
    capture = _lock(capture)
    if capture.status == Status.SUCCEEDED:
        raise DomainError(
            "A succeeded capture is not re-queued; ask for a new capture of the evidence.",
            code="invalid_state",
        )
    if capture.status == Status.FETCHING and not _is_stuck(capture):
        raise DomainError(
            "This capture is being fetched now; re-queue it only if it is still fetching "
            f"after {settings.CAPTURE_STUCK_AFTER} seconds.",
            code="invalid_state",
        )
    capture.status = Status.QUEUED
    capture.started_at = None
    capture.finished_at = None
    capture.error_code = ""
    capture.error_message = ""
    fields = ["status", "started_at", "finished_at", "error_code", "error_message", "updated_at"]
    if reset_attempts:
        capture.attempts = 0
        fields.append("attempts")
    capture.save(update_fields=fields)
    _enqueue_on_commit(capture.pk, capture.method)
    return capture
