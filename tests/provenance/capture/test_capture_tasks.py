"""Celery tasks: sent only after commit, options for at-least-once delivery, retries."""

from types import SimpleNamespace

import pytest
from django.db import transaction

from claimtrail.celery import app
from provenance.capture.services import CaptureRetry, capture_enqueue
from provenance.models import Capture
from provenance.tasks import capture_recapture_task, capture_run_task, capture_sweep_task
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    Route,
    capture_settings_fixture,
    http_server_fixture,
)

pytestmark = pytest.mark.django_db


def test_evidence_with_a_url_queues_a_capture_sent_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(capture_run_task, "delay", lambda capture_id: sent.append(capture_id))

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        evidence = EvidenceFactory(url="https://example.org/clip.mp4")
        assert sent == []  # nothing leaves before the transaction commits

    capture = evidence.captures.get()
    assert len(callbacks) == 1
    assert sent == [capture.pk]
    assert capture.status == Capture.Status.QUEUED
    assert capture.method == Capture.Method.FETCH
    assert capture.requested_url == "https://example.org/clip.mp4"


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(capture_run_task, "delay", lambda capture_id: sent.append(capture_id))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        EvidenceFactory(url="https://example.org/a.jpg")
        raise RuntimeError("request failed later")
    assert sent == []
    assert not Capture.objects.exists()


def test_broker_outage_does_not_fail_the_saving_request(
    django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(capture_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(capture_run_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        evidence = EvidenceFactory(url="https://example.org/b.jpg")
    # The capture stays queued; the sweeper re-sends it (test_capture_sweep).
    assert evidence.captures.get().status == Capture.Status.QUEUED


def test_run_task_is_acked_late_and_retries_with_backoff_and_jitter(settings):
    assert capture_run_task.acks_late is True
    assert capture_run_task.reject_on_worker_lost is True
    assert capture_run_task.autoretry_for == (CaptureRetry,)
    assert capture_run_task.retry_backoff == settings.CAPTURE_RETRY_BACKOFF
    assert capture_run_task.retry_backoff_max == settings.CAPTURE_RETRY_BACKOFF_MAX
    assert capture_run_task.retry_jitter is True
    assert capture_run_task.max_retries >= settings.CAPTURE_MAX_ATTEMPTS - 1


def test_run_task_retries_transient_failures_until_success(capture_settings, http_server):
    url = http_server.sequence(
        "/flaky",
        [Route(body=b"x", status=503), Route(body=b"x", status=502), Route(body=b"finally")],
    )
    capture = EvidenceFactory(url=url).captures.get()

    capture_run_task.apply(args=[capture.pk])  # eager: retries run at once

    capture.refresh_from_db()
    assert capture.status == Capture.Status.SUCCEEDED
    assert capture.attempts == 3
    assert http_server.hits_for("/flaky") == 3


def test_run_task_records_the_final_failure_with_its_reason(capture_settings, http_server):
    capture_settings.CAPTURE_MAX_ATTEMPTS = 3
    capture = EvidenceFactory(url=http_server.route("/down", status=503)).captures.get()

    capture_run_task.apply(args=[capture.pk])

    capture.refresh_from_db()
    assert capture.status == Capture.Status.FAILED
    assert capture.error_code == "http_error"
    assert "(gave up after 3 attempts)" in capture.error_message
    assert http_server.hits_for("/down") == 3


def test_permanent_failure_is_not_retried(capture_settings, http_server):
    capture = EvidenceFactory(url=http_server.route("/nope", status=404)).captures.get()
    capture_run_task.apply(args=[capture.pk])
    capture.refresh_from_db()
    assert (capture.status, capture.error_code, capture.attempts) == ("failed", "gone", 1)


def test_run_task_twice_is_harmless(capture_settings, http_server):
    capture = EvidenceFactory(url=http_server.route("/twice", b"t")).captures.get()
    capture_run_task.apply(args=[capture.pk])
    capture_run_task.apply(args=[capture.pk])
    capture.refresh_from_db()
    assert capture.attempts == 1
    assert http_server.hits_for("/twice") == 1


def test_periodic_tasks_are_scheduled_and_registered(settings):
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["capture-sweep-stuck"]["task"] == capture_sweep_task.name
    assert schedule["capture-recapture"]["task"] == capture_recapture_task.name
    assert schedule["capture-recapture"]["schedule"] == 3600.0
    for entry in schedule.values():
        assert entry["task"] in app.tasks


def test_recapture_task_is_a_no_op_when_disabled(settings):
    settings.CAPTURE_RECAPTURE_HOURS = 0
    assert capture_recapture_task.apply().get() == 0


def test_sweep_task_reports_counts():
    assert capture_sweep_task.apply().get() == {"requeued": 0, "failed": 0, "resent": 0}


def test_enqueue_refuses_evidence_without_anything_to_fetch(analyst):
    from claimtrail.exceptions import DomainError
    from provenance.models import Evidence

    evidence = Evidence(url="", title="nothing")  # unsaved: never reaches the database
    with pytest.raises(DomainError) as raised:
        capture_enqueue(actor=analyst, evidence=evidence)
    assert raised.value.message == "This evidence has no URL or file to capture."


def test_worker_keeps_database_connections_between_tasks(settings, monkeypatch):
    """CELERY_WORKER_CONN_MAX_AGE > 0: Celery's Django fixup no longer closes connections
    around each task (CELERY_DB_REUSE_MAX), and provenance.capture.worker closes only the
    old or broken ones, never around a task run eagerly inside a caller's transaction.
    test_reliability shows it with a real worker."""
    from celery.fixups.django import DjangoWorkerFixup
    from django.db import connection

    from provenance.capture import worker

    assert settings.CELERY_WORKER_CONN_MAX_AGE > 0
    assert DjangoWorkerFixup(app).db_reuse_max == settings.CELERY_DB_REUSE_MAX > 0

    closed = []
    monkeypatch.setattr(worker, "close_old_connections", lambda: closed.append(True))
    capture_run_task.apply(args=[0])  # eager: prerun and postrun signals fire
    assert closed == []

    worker.close_unusable_connections(task=SimpleNamespace(request=SimpleNamespace(is_eager=False)))
    assert closed == [True]

    saved = dict(connection.settings_dict)
    try:
        worker.keep_connections()
        assert connection.settings_dict["CONN_MAX_AGE"] == settings.CELERY_WORKER_CONN_MAX_AGE
        assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    finally:
        connection.settings_dict.update(saved)


def test_browser_captures_go_to_their_own_queue_and_fetches_to_the_default(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    """The browser worker (at most CAPTURE_BROWSER_CONCURRENCY Chromiums) takes one queue,
    the thread-pool capture worker the other; retries follow the task's route."""
    from provenance.tasks import capture_browser_task

    settings.CAPTURE_BROWSER_ENABLED = True
    sent = []
    monkeypatch.setattr(capture_run_task, "delay", lambda pk: sent.append(("run", pk)))
    monkeypatch.setattr(capture_browser_task, "delay", lambda pk: sent.append(("browser", pk)))
    with django_capture_on_commit_callbacks(execute=True):
        evidence = EvidenceFactory(kind="web_page", url="https://example.org/story")

    fetch = evidence.captures.get(method="fetch")
    browser = evidence.captures.get(method="browser")
    assert sorted(sent) == [("browser", browser.pk), ("run", fetch.pk)]
    route = app.amqp.router.route({}, capture_browser_task.name, (browser.pk,), {})
    assert route["queue"].name == settings.CAPTURE_BROWSER_QUEUE == "browser"
    assert app.amqp.router.route({}, capture_run_task.name, (fetch.pk,), {})["queue"].name == (
        "celery"
    )


def test_sweeper_resends_a_lost_browser_capture_to_the_browser_queue(settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from provenance.tasks import capture_browser_task

    settings.CAPTURE_BROWSER_ENABLED = True
    evidence = EvidenceFactory(kind="web_page", url="https://example.org/story")
    long_ago = timezone.now() - timedelta(seconds=settings.CAPTURE_STUCK_AFTER + 60)
    evidence.captures.update(updated_at=long_ago)  # both queued, their messages lost
    sent = []
    monkeypatch.setattr(capture_run_task, "delay", lambda pk: sent.append(("run", pk)))
    monkeypatch.setattr(capture_browser_task, "delay", lambda pk: sent.append(("browser", pk)))

    assert capture_sweep_task.apply().get()["resent"] == 2
    browser = evidence.captures.get(method="browser")
    fetch = evidence.captures.get(method="fetch")
    assert sorted(sent) == [("browser", browser.pk), ("run", fetch.pk)]


@pytest.fixture
def connection_settings_restored():
    """A worker's start-up (provenance.capture.worker.keep_connections) changes the
    connection settings for good; the tests after this one get them back as they were."""
    from django.db import connection, connections

    saved = dict(connections.settings["default"])
    yield
    connections.settings["default"].clear()
    connections.settings["default"].update(saved)
    connection.settings_dict.update(saved)


def test_worker_threads_make_connections_that_are_kept(settings, connection_settings_restored):
    """A thread pool's threads each open their own connection, from the settings the
    worker adjusted once at start (worker_init)."""
    import threading

    from provenance.capture import worker

    seen = {}

    def in_a_pool_thread():
        from django.db import connection as thread_connection

        seen.update(thread_connection.settings_dict)
        thread_connection.close()

    worker.keep_connections()
    thread = threading.Thread(target=in_a_pool_thread)
    thread.start()
    thread.join()
    assert seen["CONN_MAX_AGE"] == settings.CELERY_WORKER_CONN_MAX_AGE
    assert seen["CONN_HEALTH_CHECKS"] is True


def test_worker_start_takes_its_startup_objects_out_of_the_collectors_walks(
    connection_settings_restored,
):
    """Once a capture worker (or a prefork pool process) is up, the objects alive then are
    frozen: full garbage collections no longer walk Django's and Celery's ~300,000."""
    import gc

    from celery.signals import worker_process_init, worker_ready

    gc.unfreeze()
    try:
        for signal in (worker_ready, worker_process_init):
            gc.unfreeze()
            assert gc.get_freeze_count() == 0
            signal.send(sender=None)
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
