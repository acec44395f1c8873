"""README.md's configuration table matches the variables claimtrail/settings.py reads."""

import re
from pathlib import Path

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
