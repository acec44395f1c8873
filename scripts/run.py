"""Serve Claimtrail for `make run`: the web server and a Celery worker, started and stopped as one.

Ctrl-C or SIGTERM (also from `make`, which passes it on) stops both; when either one exits,
the other is stopped too. On Linux the two also get SIGTERM if this supervisor is killed
outright, so nothing is left behind.

Usage: python scripts/run.py [--host 127.0.0.1] [--port 8000]
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
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
STOP_TIMEOUT = 20.0
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process when its parent dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def prepare_broker_folders() -> None:
    """Create the folders Celery's filesystem transport reads and writes, if it is in use."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrail.settings")
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def commands(host: str, port: int) -> dict[str, list[str]]:
    var_dir = BASE_DIR / "var"
    return {
        "web server": [
            str(BIN_DIR / "gunicorn"), "claimtrail.wsgi",
            "--bind", f"{host}:{port}",
            "--threads", "4",
            "--graceful-timeout", "10",
            "--access-logfile", "-",
        ],
        # --beat runs the periodic tasks (sweeper, re-captures) inside this one worker.
        "worker": [
            str(BIN_DIR / "celery"), "-A", "claimtrail", "worker",
            "--loglevel", "INFO",
            "--beat", "--schedule", str(var_dir / "celery-beat-schedule"),
        ],
    }  # fmt: skip


def answers(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def banner(url: str) -> str:
    return (
        f"\nClaimtrail is running at {url}/\n"
        f"  API docs  {url}/api/docs/\n"
        f"  Admin     {url}/admin/\n"
        f"Log in at {url}/admin/login/ with one of the demo accounts printed above (or one made\n"
        "with `manage.py createsuperuser`). API clients: POST /api/auth/token/ with username and\n"
        'password, then send "Authorization: Token <key>".\n'
        "Ctrl-C stops the web server and the worker.\n"
    )


class Supervisor:
    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}
        self.stop_signal: int | None = None

    def request_stop(self, signum: int, frame) -> None:
        self.stop_signal = signum

    def start(self, name: str, command: list[str]) -> None:
        # Own process group: a Ctrl-C reaches the children once, through stop(), not twice.
        self.children[name] = subprocess.Popen(  # noqa: S603
            command, cwd=BASE_DIR, start_new_session=True, preexec_fn=die_with_parent
        )

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
    args = parser.parse_args()
    url = f"http://{args.host}:{args.port}"

    supervisor = Supervisor()
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    die_with_parent()
    prepare_broker_folders()

    for name, command in commands(args.host, args.port).items():
        supervisor.start(name, command)
    announced = False
    exited = None
    while supervisor.stop_signal is None and exited is None:
        time.sleep(0.2)
        exited = supervisor.exited()
        if not announced and answers(args.host, args.port):
            print(banner(url), flush=True)
            announced = True

    if exited:
        name, code = exited
        print(f"run: the {name} exited with code {code}; stopping the rest", flush=True)
    else:
        print("run: stopping the web server and the worker", flush=True)
    supervisor.stop()
    print("run: stopped", flush=True)
    return 1 if exited else 0


if __name__ == "__main__":
    sys.exit(main())
