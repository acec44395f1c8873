"""The vendored front-end files are the ones the lock file pins (checked offline)."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SCRIPT = BASE_DIR / "scripts" / "vendor_static.py"


def _script():
    spec = importlib.util.spec_from_file_location("vendor_static", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_check_passes_on_the_committed_files():
    result = subprocess.run(  # noqa: S603 (our interpreter and script)
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_check_reports_a_changed_or_missing_file(tmp_path, monkeypatch):
    script = _script()
    vendor = tmp_path / "vendor"
    shutil.copytree(script.VENDOR_DIR, vendor)
    monkeypatch.setattr(script, "VENDOR_DIR", vendor)
    lock = json.loads((vendor / "vendor-lock.json").read_text())
    (vendor / "htmx.min.js").write_text("/* not htmx */")
    (vendor / "dagre.min.js").unlink()

    problems = script.check(lock)

    assert problems == [
        "htmx.min.js: SHA-256 differs from the lock file",
        "dagre.min.js: missing",
    ]
