"""README.md's configuration table matches the variables claimtrail/settings.py reads."""

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class

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
