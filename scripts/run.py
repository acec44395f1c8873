"""Serve Claimtrail for `make run`: the web server and the Celery workers, started and stopped
as one.

The capture workers (`manage.py captureworkers`: CAPTURE_WORKER_CONCURRENCY captures at once
in threads, over one process per CPU, the first also running the periodic tasks); when
browser captures are on, another worker takes the browser queue with at most
CAPTURE_BROWSER_CONCURRENCY Chromiums. Whether browser captures are on, and why not, is
printed at start.

Ctrl-C or SIGTERM (also from `make`, which passes it on) stops them all; when any one exits,
the others are stopped too. On Linux the two also get SIGTERM if this supervisor is killed
outright, so nothing is left behind.

Usage: python scripts/run.py [--host 127.0.0.1] [--port 8000]
       python scripts/run.py --prepare   (only create the broker's folders)
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
STOP_TIMEOUT = 20.0
# Seconds the banner waits for the worker once the web server answers.
BANNER_WAIT = 30.0
PR_SET_PDEATHSIG = 1
# The line each child prints once it consumes; the banner waits for them. Celery logs
# "<name>@<host> ready."; captureworkers says "..., all ready." once all its workers have.
READY_LINES = {"capture workers": "all ready.", "browser worker": " ready."}


def die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process when its parent dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def prepare_broker_folders() -> None:
    """Create the folders Celery's filesystem transport reads and writes, if it is in use."""
    options = _settings().CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def _settings():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrail.settings")
    from django.conf import settings

    return settings


def commands(host: str, port: int) -> dict[str, list[str]]:
    """The web server's command and the workers' (the browser worker only when browser
    captures are on), by name."""
    settings = _settings()
    var_dir = BASE_DIR / "var"
    celery = [str(BIN_DIR / "celery"), "--quiet", "-A", "claimtrail", "worker"]
    celery += ["--loglevel", "INFO"]
    # --quiet drops the start-up banners, which would push the demo accounts off screen;
    # --beat-schedule runs the periodic tasks (sweeper, re-captures) in the first worker.
    capture_workers = [sys.executable, str(BASE_DIR / "manage.py"), "captureworkers"]
    capture_workers += ["--quiet", "--beat-schedule", str(var_dir / "celery-beat-schedule")]
    found = {
        "web server": [
            str(BIN_DIR / "gunicorn"), "claimtrail.wsgi",
            "--bind", f"{host}:{port}",
            "--threads", "4",
            "--graceful-timeout", "10",
            "--access-logfile", "-",
            "--no-control-socket",
        ],
        "capture workers": capture_workers,
    }  # fmt: skip
    if settings.CAPTURE_BROWSER_ENABLED:
        found["browser worker"] = [
            *celery,
            "--pool", "threads", "--concurrency", str(settings.CAPTURE_BROWSER_CONCURRENCY),
            "--queues", settings.CAPTURE_BROWSER_QUEUE, "--hostname", "browser@%h",
        ]  # fmt: skip
    return found


def browser_notice() -> str:
    """One line: whether web pages get a browser capture, and if not why and how."""
    import django

    django.setup()
    from provenance.capture.browser.status import browser_status

    return browser_status().notice()


def answers(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def banner(url: str) -> str:
    return (
        f"\nClaimtrail is running at {url}/\n"
        f"  Log in    {url}/accounts/login/ with a demo account printed above (viewer, analyst,\n"
        "            editor); the application opens at /. With DEBUG off there are none:\n"
        "            use `manage.py createsuperuser`.\n"
        f"  Admin     {url}/admin/ (staff: the demo editor)\n"
        f"  API docs  {url}/api/docs/ (a token: POST /api/auth/token/ with username and password)\n"
        "Ctrl-C stops the web server and the workers.\n"
    )


def relay(stream, ready_line: str, ready: threading.Event) -> None:
    """Copy a child's output to ours, noting when it says it is ready."""
    for line in stream:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.rstrip().endswith(ready_line):
            ready.set()


class Supervisor:
    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}
        self.stop_signal: int | None = None

    def request_stop(self, signum: int, frame) -> None:
        self.stop_signal = signum

    def start(self, name: str, command: list[str], *, ready_line: str = "") -> threading.Event:
        """Start a child; the event is set once it prints a line ending in ready_line."""
        ready = threading.Event()
        # Own process group: a Ctrl-C reaches the children once, through stop(), not twice.
        child = subprocess.Popen(  # noqa: S603
            command,
            cwd=BASE_DIR,
            start_new_session=True,
            preexec_fn=die_with_parent,
            stdout=subprocess.PIPE if ready_line else None,
            stderr=subprocess.STDOUT if ready_line else None,
            text=True,
        )
        self.children[name] = child
        if ready_line:
            threading.Thread(
                target=relay, args=(child.stdout, ready_line, ready), daemon=True
            ).start()
        else:
            ready.set()
        return ready

    def exited(self) -> tuple[str, int] | None:
        for name, child in self.children.items():
            if child.poll() is not None:
                return name, child.returncode
        return None

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(
                    f"run: the {name} did not stop in {STOP_TIMEOUT:.0f} s; killing it", flush=True
                )
            # Its helpers too (gunicorn workers, the Celery pool), should any remain.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="only create the broker's folders (anything that enqueues a task needs them)",
    )
    args = parser.parse_args()
    prepare_broker_folders()
    if args.prepare:
        return 0
    url = f"http://{args.host}:{args.port}"

    supervisor = Supervisor()
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    die_with_parent()

    print(f"run: {browser_notice()}", flush=True)
    started = commands(args.host, args.port)
    readiness = []
    for name, command in started.items():
        readiness.append(supervisor.start(name, command, ready_line=READY_LINES.get(name, "")))
    announce_by = time.monotonic() + BANNER_WAIT
    announced = False
    exited = None
    while supervisor.stop_signal is None and exited is None:
        time.sleep(0.2)
        exited = supervisor.exited()
        worker_up = all(r.is_set() for r in readiness) or time.monotonic() > announce_by
        if not announced and worker_up and answers(args.host, args.port):
            print(banner(url), flush=True)
            announced = True

    if exited:
        name, code = exited
        print(f"run: the {name} exited with code {code}; stopping the rest", flush=True)
    else:
        print("run: stopping the web server and the workers", flush=True)
    supervisor.stop()
    print("run: stopped", flush=True)
    return 1 if exited else 0


if __name__ == "__main__":
    sys.exit(main())
