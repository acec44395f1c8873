"""README.md's configuration table matches the variables claimtrail/settings.py reads, and
every curl example of its API tour works verbatim against a live server."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.management import call_command, get_commands, load_command_class
from django.db import connection
from PIL import Image

from claims.demo import demo_main_claim
from provenance.capture.services import capture_run
from provenance.models import Capture
from tests.factories import ClaimFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


def settings_variables() -> set[str]:
    source = (BASE_DIR / "claimtrail" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def readme_configuration_table() -> set[str]:
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1]
    table = section.split("\n\n| Variable |", 2)[1]  # the first table, up to the next one
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", table.split("\n\n", 1)[0], re.M))


def test_readme_lists_every_variable_settings_reads():
    assert settings_variables() - readme_configuration_table() == set()


def test_readme_lists_no_variable_settings_does_not_read():
    assert readme_configuration_table() - settings_variables() == set()


# --- The API tour's curl examples, run verbatim against a live server -------------------

API_TOUR_EXPECTED = {
    # Browser captures only (web pages and social posts): the uploaded photo has none.
    "/screenshot/": (404, "json"),
    "/dom/": (404, "json"),
    # Downloads are files, not JSON.
    "/blob/": (200, "file"),
    "/warc/": (200, "file"),
    "export.csv": (200, "file"),
    "/package/": (200, "file"),
    # Exports in their own formats, printed to the terminal.
    "format=provn": (200, "text/provenance-notation"),
    "format=ttl": (200, "text/turtle"),
    "/claimreview/": (200, "application/ld+json"),
}
CREATED_KIND = {
    "/api/claims/": "claim-id",
    "/api/sources/": "source-id",
    "/api/appearances/": "appearance-id",
    "/api/evidence/": "evidence-id",
}
STATUS_MARK = "__CURL_STATUS__"


def _complete(command: str) -> bool:
    """Whether `command` closes all its quotes (trailing # comments may hold apostrophes)."""
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return False
    return True


def api_tour_commands() -> list[str]:
    """Every shell command in the README's API tour, continuation lines joined."""
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    tour = readme.split("\n## API tour\n", 1)[1].split("\n## ", 1)[0]
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", tour, re.S):
        pending = ""
        for line in block.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending = f"{pending}\n{line}" if pending else line
            if line.endswith("\\") or not _complete(pending):
                continue
            commands.append(pending)
            pending = ""
    return commands


def test_api_tour_has_the_examples():
    commands = api_tour_commands()
    assert len([c for c in commands if c.startswith("curl")]) >= 20
    assert any("Расцениваем" in c for c in commands)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_gunicorn(transactional_db, settings, tmp_path, monkeypatch):
    """The demo loaded into the test database, served by gunicorn as `make run` serves it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Captures are run by the test itself (uploads only): nothing reaches a broker.
    monkeypatch.setattr("provenance.capture.services._send", lambda capture_id, **kw: None)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": (
            f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
        ),
        "CELERY_BROKER_URL": "memory://",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "true",
        "CAPTURE_BROWSER_ENABLED": "false",
    }
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "gunicorn"), "claimtrail.wsgi",
         "--bind", f"127.0.0.1:{port}", "--threads", "4", "--no-control-socket"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/", timeout=2)  # noqa: S310
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _run_captures() -> None:
    """Capture uploaded files as the worker would (no network involved)."""
    for capture_id in Capture.objects.filter(status="queued", method="upload").values_list(
        "id", flat=True
    ):
        capture_run(capture_id=capture_id)


@pytest.mark.postgres  # gunicorn, in another process, reads the same test database
def test_api_tour_examples_run_verbatim(live_gunicorn, tmp_path, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # as the server checks them
    UserFactory(username="editor", roles=["editor"])
    claim = demo_main_claim()
    origin = claim.appearances.order_by("published_at").first()
    ids = {
        "claim-id": str(claim.public_id),
        "source-id": str(origin.source.public_id),
        "appearance-id": str(origin.public_id),
        "duplicate-id": str(ClaimFactory(text="Two drones hit the Kremlin").public_id),
        "printed password": "pw-editor",
    }
    work = tmp_path / "cwd"
    work.mkdir()
    Image.new("RGB", (8, 8), "red").save(work / "photo.jpg")
    assignments: list[str] = []
    results = []
    for command in api_tour_commands():
        if "<capture-id>" in command:
            _run_captures()
            capture = Capture.objects.filter(evidence__public_id=ids["evidence-id"]).latest("id")
            ids["capture-id"] = str(capture.public_id)
        text = re.sub(r"<([a-z -]+)>", lambda m: ids[m.group(1)], command)
        if re.match(r"^[A-Z]+=", text):
            assignments.append(text)
            continue
        script = "\n".join(
            [
                f"curl() {{ command curl -sS -w '\\n{STATUS_MARK} %{{http_code}} "
                '%{content_type}\' "$@"; }',
                f"B={live_gunicorn}",
                *assignments,
                text,
            ]
        )
        # Downloads (-OJ) go to a folder of their own: curl will not overwrite photo.jpg.
        cwd = work / "downloads" / str(len(results)) if " -OJ " in text else work
        cwd.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(  # noqa: S603
            ["/bin/bash", "-c", script], cwd=cwd, capture_output=True, timeout=60, check=False
        )
        output = run.stdout.decode()
        body, _, status_line = output.rpartition(f"\n{STATUS_MARK} ")
        status, _, content_type = status_line.partition(" ")
        content_type = content_type.split(";")[0]  # the media type, without charset
        expected = next(
            (want for part, want in API_TOUR_EXPECTED.items() if part in command), (None, "json")
        )
        results.append((command.splitlines()[0], run.returncode, int(status), content_type))
        if " -OJ " in text and expected[0] == 404:
            # curl -OJ has no file name for an error body (23); the status line still counts.
            assert run.returncode in (0, 23), (command, run.stderr.decode())
            assert (int(status), content_type) == (404, "application/json"), command
            continue
        assert run.returncode == 0, (command, run.stderr.decode())
        if expected[0] is None:
            assert 200 <= int(status) < 300, (command, status, body)
        else:
            assert int(status) == expected[0], (command, status, body)
        if expected[1] == "json":
            assert content_type == "application/json", (command, content_type, body)
            data = json.loads(body)
            if int(status) >= 400:
                assert set(data) == {"detail", "code", "fields"}
            elif "/api/auth/token/" in command:
                ids["token"] = data["token"]
            elif "-X POST" in command and int(status) == 201:
                path = re.search(r'\$B(/api/[a-z]+/)"', command).group(1)
                ids[CREATED_KIND[path]] = data["id"]
        elif expected[1] == "file":
            assert content_type != "application/json", (command, content_type)
            assert [f.stat().st_size > 0 for f in cwd.iterdir()] == [True], command
        else:
            assert (content_type, bool(body.strip())) == (expected[1], True), command
    assert len(results) == len([c for c in api_tour_commands() if c.startswith("curl")])


VENV_PYTHON = ".venv/bin/python"
# Printed commands that change nothing outside the test database; the others are parsed only.
SAFE_TO_RUN = {"demo_accounts", "load_demo", "verify_captures"}


def readme_manage_py_commands() -> list[list[str]]:
    """Each `manage.py` command the README prints, in sh blocks or inline, as words."""
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    printed = []
    for block in re.findall(r"^```sh\n(.*?)^```", readme, re.S | re.M):
        printed += [line for line in block.splitlines() if "manage.py " in line]
    prose = re.sub(r"^```.*?^```", "", readme, flags=re.S | re.M)
    printed += [span for span in re.findall(r"`([^`]+)`", prose) if "manage.py " in span]
    commands = []
    for line in printed:
        words = shlex.split(line, comments=True)
        while words and re.fullmatch(r"[A-Z][A-Z0-9_]*=.*", words[0]):
            words.pop(0)  # VAR=value before the command
        commands.append(words)
    return commands


def _parsed(words: list[str]):
    name, args = words[2], words[3:]
    command = load_command_class(get_commands()[name], name)
    return command, command.create_parser("manage.py", name).parse_args(args)


def test_readme_manage_py_commands_use_the_virtualenv_and_exist():
    commands = readme_manage_py_commands()

    assert len(commands) >= 5
    for words in commands:
        assert words[:2] == [VENV_PYTHON, "manage.py"], " ".join(words)
        assert words[2] in get_commands(), " ".join(words)
        _parsed(words)  # the printed arguments are accepted (CommandError otherwise)
    assert (BASE_DIR / VENV_PYTHON).exists()


@pytest.mark.django_db
def test_readme_manage_py_commands_that_are_safe_to_run_succeed(settings):
    settings.DEBUG = True  # demo_accounts
    runnable = [w for w in readme_manage_py_commands() if w[2:3] and w[2] in SAFE_TO_RUN]
    assert {words[2] for words in runnable} == SAFE_TO_RUN

    for words in runnable:
        call_command(words[2], *words[3:], stdout=StringIO(), stderr=StringIO())
