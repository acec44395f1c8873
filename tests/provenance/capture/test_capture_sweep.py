"""The sweeper, re-queue and fail services, and scheduled re-captures."""

import base64
import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from claimtrail.exceptions import DomainError
from provenance.capture.maintenance import capture_schedule_recaptures, capture_sweep_stuck
from provenance.capture.services import _claim, capture_fail, capture_requeue
from provenance.models import Capture
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import capture_settings_fixture, http_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _age(capture: Capture, *, seconds: int, field: str) -> None:
    """Simulate the passage of time on one timestamp."""
    Capture.objects.filter(pk=capture.pk).update(
        **{field: timezone.now() - timedelta(seconds=seconds)}
    )


def _fetching(url="https://example.org/stuck.mp4") -> Capture:
    capture = EvidenceFactory(url=url).captures.get()
    return _claim(capture.pk)  # a worker took it...


@pytest.fixture
def broker_queue():
    """The real Redis queue the tasks go to; emptied before and after."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete("celery")
    yield client
    client.delete("celery")


def _queued_capture_ids(client) -> list[int]:
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    return [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]


def test_stuck_capture_is_requeued_while_attempts_remain(
    settings, django_capture_on_commit_callbacks
):
    capture = _fetching()
    _age(capture, seconds=settings.CAPTURE_STUCK_AFTER + 5, field="started_at")

    with django_capture_on_commit_callbacks() as callbacks:
        counts = capture_sweep_stuck()

    capture.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0, "resent": 0}
    assert capture.status == Capture.Status.QUEUED
    assert capture.attempts == 1  # kept: the cap still counts the lost attempt
    assert len(callbacks) == 1


def test_stuck_capture_fails_as_stuck_after_max_attempts(settings):
    capture = _fetching()
    Capture.objects.filter(pk=capture.pk).update(attempts=settings.CAPTURE_MAX_ATTEMPTS)
    _age(capture, seconds=settings.CAPTURE_STUCK_AFTER + 5, field="started_at")

    counts = capture_sweep_stuck()

    capture.refresh_from_db()
    assert counts["failed"] == 1
    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "stuck"
    assert capture.error_message == (
        f"The capture was still running after {settings.CAPTURE_STUCK_AFTER} seconds on each "
        f"of {settings.CAPTURE_MAX_ATTEMPTS} attempts; the worker may have crashed on this "
        "content. Re-queue it from the admin to retry."
    )


def test_recent_work_is_left_alone(settings):
    fetching = _fetching()
    queued = EvidenceFactory(url="https://example.org/q.jpg").captures.get()

    assert capture_sweep_stuck() == {"requeued": 0, "failed": 0, "resent": 0}
    fetching.refresh_from_db()
    queued.refresh_from_db()
    assert (fetching.status, queued.status) == ("fetching", "queued")


def test_queued_capture_whose_message_was_lost_is_sent_again(settings, broker_queue):
    capture = EvidenceFactory(url="https://example.org/lost.jpg").captures.get()
    _age(capture, seconds=settings.CAPTURE_STUCK_AFTER + 5, field="updated_at")

    counts = capture_sweep_stuck()

    assert counts["resent"] == 1
    assert _queued_capture_ids(broker_queue) == [capture.pk]
    # Sent once per period, not at every sweep.
    assert capture_sweep_stuck()["resent"] == 0


def test_requeue_refuses_a_succeeded_capture(capture_settings, http_server):
    from provenance.capture.services import capture_run

    capture = EvidenceFactory(url=http_server.route("/ok", b"ok")).captures.get()
    capture_run(capture_id=capture.pk)

    with pytest.raises(DomainError) as raised:
        capture_requeue(capture=capture)
    assert raised.value.message == (
        "A succeeded capture is not re-queued; ask for a new capture of the evidence."
    )


def test_requeue_refuses_a_capture_being_fetched(settings):
    capture = _fetching()
    with pytest.raises(DomainError) as raised:
        capture_requeue(capture=capture, reset_attempts=True)
    assert raised.value.message.startswith("This capture is being fetched now;")


def test_requeue_of_a_failure_clears_the_error_and_can_reset_attempts(
    django_capture_on_commit_callbacks,
):
    capture = _fetching()
    capture = capture_fail(capture=capture, code="timeout", message="Timed out.")
    assert capture.finished_at is not None

    with django_capture_on_commit_callbacks() as callbacks:
        capture = capture_requeue(capture=capture, reset_attempts=True)

    capture.refresh_from_db()
    assert (capture.status, capture.error_code, capture.error_message) == ("queued", "", "")
    assert capture.attempts == 0
    assert capture.finished_at is None
    assert len(callbacks) == 1


def test_recapture_is_off_by_default(settings):
    capture = EvidenceFactory(url="https://example.org/old.jpg").captures.get()
    _age(capture, seconds=10 * 24 * 3600, field="created_at")
    assert settings.CAPTURE_RECAPTURE_HOURS == 0
    assert capture_schedule_recaptures() == 0


def test_recapture_queues_items_whose_newest_capture_is_old(
    settings, django_capture_on_commit_callbacks
):
    settings.CAPTURE_RECAPTURE_HOURS = 24
    old = EvidenceFactory(url="https://example.org/old.jpg")
    fresh = EvidenceFactory(url="https://example.org/fresh.jpg")
    busy = EvidenceFactory(url="https://example.org/busy.jpg")
    for evidence in (old, fresh, busy):
        capture = evidence.captures.get()
        if evidence is not busy:
            capture = _claim(capture.pk)
            capture_fail(capture=capture, code="gone", message="Gone.")
        if evidence is not fresh:
            _age(capture, seconds=48 * 3600, field="created_at")

    with django_capture_on_commit_callbacks() as callbacks:
        assert capture_schedule_recaptures() == 1

    assert old.captures.count() == 2
    newest = old.captures.order_by("-created_at").first()
    assert (newest.status, newest.requested_url) == ("queued", "https://example.org/old.jpg")
    assert fresh.captures.count() == 1
    assert busy.captures.count() == 1  # still queued: not piled on
    assert len(callbacks) == 1
