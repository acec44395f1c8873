"""Fuzz the API against its own schema with schemathesis, all checks, bounded; fail on anything
not in the documented allowlist (scripts/schemathesis_allowlist.txt).

Starts the app (gunicorn) on a free loopback port with a fresh SQLite database in a temporary
directory, the demo case loaded and an editor token, runs `schemathesis run --checks all`
against /api/schema/, and compares the failures (operation and check) with the allowlist.
Captures are queued to an in-memory broker that no worker reads: nothing leaves the machine.

Usage: python scripts/schemathesis_run.py [--max-examples 5] [--seed 1] [--keep]
Exit status: 0 when every failure is allowlisted, 1 otherwise (or when the run broke).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
ALLOWLIST = BASE_DIR / "scripts" / "schemathesis_allowlist.txt"
HOST = "127.0.0.1"
# Per operation and phase; 5 keeps the run under three minutes on two cores.
DEFAULT_MAX_EXAMPLES = 5
RUN_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_environment(folder: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "REDIS_", "CAPTURE_S3_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="claimtrail.settings",
        DATABASE_URL=f"sqlite:///{folder / 'claimtrail.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        # Collected as in production: with DEBUG off every page (the error pages too) names
        # its static files through the manifest that collectstatic writes.
        STATIC_ROOT=str(folder / "static"),
        # Queued captures stay in this process's memory: no worker, no fetch, no network.
        CELERY_BROKER_URL="memory://",
        DEBUG="false",
        SECRET_KEY="schemathesis-run-only-" + os.urandom(16).hex(),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
        SITE_URL="",
        # The fuzzer asks for tokens far faster than a person logs in.
        AUTH_THROTTLE_RATE="100000/min",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our interpreter, fixed commands)
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def editor_token(env: dict[str, str]) -> str:
    """A token of the demo editor (demo_accounts prints accounts only with DEBUG on)."""
    output = manage({**env, "DEBUG": "true"}, "demo_accounts")
    match = re.search(r"^\s*editor\s.*token ([0-9a-f]{40})", output, re.MULTILINE)
    if not match:
        sys.exit(f"no editor token in the output of demo_accounts:\n{output}")
    return match.group(1)


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer {url} within 60 s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def load_allowlist(path: Path) -> set[tuple[str, str]]:
    """(operation, check) pairs, one a line: `GET /api/claims/ check_name  # reason`."""
    allowed = set()
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3 or "#" not in raw:
            sys.exit(f"{path}:{number}: write `METHOD PATH CHECK  # why`, got {raw!r}")
        method, route, check = parts
        allowed.add((f"{method.upper()} {route}", check))
    return allowed


def failures_from_report(report: Path) -> dict[tuple[str, str], str]:
    """(operation, check) → the failure's title, from schemathesis' NDJSON event stream,
    where each check result reads {"name", "status": "failure", "failure_info": {...}}."""
    found: dict[tuple[str, str], str] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            failure = (node.get("failure_info") or {}).get("failure") or {}
            if node.get("status") == "failure" and "name" in node and failure.get("operation"):
                key = (failure["operation"], node["name"])
                title = f"{failure.get('code', '')} {failure.get('title', '')}".strip()
                found.setdefault(key, title)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for line in report.read_text().splitlines():
        if line.strip():
            walk(json.loads(line))
    return found


def errors_from_report(report: Path) -> list[str]:
    """Errors that stopped schemathesis from testing something (not failed checks)."""
    errors = []
    for line in report.read_text().splitlines():
        event = json.loads(line) if line.strip() else {}
        for kind in ("NonFatalError", "FatalError", "Interrupted"):
            if kind in event:
                detail = event[kind]
                label = detail.get("label") or detail.get("phase") or ""
                info = detail.get("info") or detail.get("value") or {}
                text = info.get("message") if isinstance(info, dict) else str(info)
                errors.append(f"{kind} {label}: {str(text or detail)[:300]}")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    allowed = load_allowlist(ALLOWLIST)
    folder = Path(tempfile.mkdtemp(prefix="claimtrail-schemathesis-"))
    env = app_environment(folder)
    port = free_port()
    base = f"http://{HOST}:{port}"
    log = folder / "server.log"
    started = time.monotonic()
    server = None
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "load_demo")
        token = editor_token(env)
        with log.open("w") as out:
            server = subprocess.Popen(  # noqa: S603 (our gunicorn, fixed arguments)
                [
                    str(BIN_DIR / "gunicorn"), "claimtrail.wsgi",
                    "--bind", f"{HOST}:{port}",
                    "--workers", "1", "--threads", "4",
                    "--timeout", "60",
                    "--no-control-socket",
                ],
                cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_until_serving(f"{base}/api/schema/", server, log)
        report = folder / "events.ndjson"
        command = [
            str(BIN_DIR / "schemathesis"), "run", f"{base}/api/schema/",
            "--checks", "all",
            "--max-examples", str(args.max_examples),
            "--seed", str(args.seed),
            "--workers", "1",
            "--header", f"Authorization: Token {token}",
            "--request-timeout", "30",
            "--suppress-health-check", "all",
            "--report", "ndjson", "--report-ndjson-path", str(report),
            "--output-truncate", "true",
            "--no-color",
        ]  # fmt: skip
        print(f"schemathesis against {base} (max {args.max_examples} examples an operation)")
        run_env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
        result = subprocess.run(  # noqa: S603 (our schemathesis, fixed arguments)
            command, cwd=folder, env=run_env, timeout=RUN_TIMEOUT, check=False
        )
        if not report.exists():
            print(f"schemathesis wrote no report (exit {result.returncode})", file=sys.stderr)
            return 1
        failures = failures_from_report(report)
        errors = errors_from_report(report)
    finally:
        if server is not None:
            stop(server)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    unexpected = {key: msg for key, msg in failures.items() if key not in allowed}
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {len(failures)} failing (operation, check) pair(s), "
        f"{len(failures) - len(unexpected)} allowlisted, {elapsed:.0f} s"
    )
    for (operation, check), message in sorted(failures.items()):
        mark = "allowed" if (operation, check) in allowed else "FAILED "
        print(f"  {mark} {operation} {check}: {message}")
    stale = allowed - set(failures)
    for operation, check in sorted(stale):
        print(f"  (allowlisted but not seen this run: {operation} {check})")
    for error in errors:
        print(f"  ERROR   {error}")
    if result.returncode not in (0, 1):
        print(f"schemathesis exited {result.returncode}", file=sys.stderr)
        return 1
    return 1 if unexpected or errors else 0


if __name__ == "__main__":
    sys.exit(main())
