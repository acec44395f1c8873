"""capture_enqueue: an analyst's request, checked and queued in one transaction; tasks are
sent by their registered names, which stay what they were before they were made explicit."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from claimtrail.exceptions import NotPermitted
from provenance.capture import services, task_names
from provenance.capture.services import capture_enqueue
from provenance.models import Capture
from provenance.tasks import (
    capture_browser_task,
    capture_recapture_task,
    capture_run_task,
    capture_sweep_task,
)
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def test_an_analyst_request_is_queued_in_their_name(analyst, django_capture_on_commit_callbacks):
    evidence = EvidenceFactory(kind="image", url="https://example.org/a.jpg")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        capture = capture_enqueue(actor=analyst, evidence=evidence)
    assert capture.status == Capture.Status.QUEUED
    assert capture.requested_by == analyst
    assert len(callbacks) == 1  # its task, sent on commit


def test_a_viewer_cannot_ask_for_a_capture(viewer, django_capture_on_commit_callbacks):
    evidence = EvidenceFactory(kind="image", url="https://example.org/a.jpg")
    before = evidence.captures.count()
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(NotPermitted),
    ):
        capture_enqueue(actor=viewer, evidence=evidence)
    assert evidence.captures.count() == before
    assert callbacks == []


def test_anonymous_or_missing_actor_is_refused():
    evidence = EvidenceFactory(kind="image", url="https://example.org/a.jpg")
    with pytest.raises(NotPermitted):
        capture_enqueue(actor=None, evidence=evidence)


def test_a_failure_after_the_first_row_leaves_nothing_queued(
    analyst, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A page's HTTP capture and its browser capture are queued together or not at all."""
    settings.CAPTURE_BROWSER_ENABLED = True
    evidence = EvidenceFactory(kind="web_page", url="https://example.org/story")
    before = evidence.captures.count()

    def broken(**_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_enqueue_browser", broken)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        capture_enqueue(actor=analyst, evidence=evidence)
    assert evidence.captures.count() == before
    assert callbacks == []


def test_task_names_are_the_ones_queued_messages_carry():
    assert capture_run_task.name == task_names.RUN == "provenance.tasks.capture_run_task"
    assert capture_browser_task.name == task_names.BROWSER
    assert task_names.BROWSER == "provenance.tasks.capture_browser_task"
    assert capture_sweep_task.name == task_names.SWEEP == "provenance.tasks.capture_sweep_task"
    assert capture_recapture_task.name == task_names.RECAPTURE
    assert task_names.RECAPTURE == "provenance.tasks.capture_recapture_task"
    # The settings route and schedule by the same names.
    assert task_names.BROWSER in django_settings.CELERY_TASK_ROUTES
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {task_names.SWEEP, task_names.RECAPTURE} <= scheduled


def test_capture_services_never_import_the_tasks():
    """The import cycle is gone: services send by name, only the tasks import services."""
    tree = ast.parse(Path(services.__file__).read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name and name.startswith("provenance.tasks") for name in imported)


def test_a_web_process_knows_the_tasks_it_sends(tmp_path):
    """A process that never imports provenance.tasks itself (gunicorn) still has the tasks
    registered, so a send uses the task's own options (and CELERY_TASK_ALWAYS_EAGER)."""
    code = (
        "import django; django.setup()\n"
        "from claimtrail.celery import app\n"
        "from provenance.capture import task_names\n"
        "print(task_names.RUN in app.tasks, task_names.BROWSER in app.tasks)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(django_settings.BASE_DIR),
    )
    assert result.stdout.split() == ["True", "True"]
