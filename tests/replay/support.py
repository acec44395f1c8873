"""Standard tools run against the project's archives: pywb's indexer and replay, and
cdxj-indexer.

pywb lives in its own venv (`.venv-replay`, made by `make replay-venv`, which `make test`
runs): it pins older Werkzeug, cryptography and redis than the project uses. Tests call
it as a subprocess. Without that venv the tests using it are skipped, unless
CLAIMTRAIL_REQUIRE_REPLAY is set (as `make test` does), in which case they fail.
"""

import hashlib
import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPLAY_BIN = Path(os.environ.get("CLAIMTRAIL_REPLAY_VENV", ROOT / ".venv-replay")) / "bin"
SCRIPT = Path(__file__).with_name("pywb_replay.py")
COLLECTION = "evidence"


def replay_venv() -> Path:
    """The replay venv's bin directory; skips (or fails under make test) when absent."""
    if (REPLAY_BIN / "wb-manager").exists():
        return REPLAY_BIN
    message = f"pywb's venv is missing at {REPLAY_BIN.parent}: run `make replay-venv`"
    if os.environ.get("CLAIMTRAIL_REQUIRE_REPLAY"):
        pytest.fail(message)
    pytest.skip(message)


def _run(args: list, cwd: Path) -> str:
    done = subprocess.run(  # noqa: S603 (our own venv's tools, fixed arguments)
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def pywb_replay(archives: list[Path], urls: list[str], workdir: Path) -> dict[str, dict]:
    """`wb-manager init` a collection in `workdir`, `wb-manager add` the WARC or WACZ
    files, then GET `/<coll>/id_/<url>` through pywb's WSGI app for each URL. Returns
    {url: {"status", "sha256", "size", "content_type"}}."""
    bin_dir = replay_venv()
    workdir.mkdir(parents=True, exist_ok=True)
    _run([bin_dir / "wb-manager", "init", COLLECTION], workdir)
    copies = []
    for index, archive in enumerate(archives):
        # wb-manager names the collection's files after the originals: keep them apart.
        copy = workdir / f"{index}-{Path(archive).name}"
        shutil.copyfile(archive, copy)
        copies.append(copy)
    # A WACZ is unpacked: its WARCs go into the collection, its CDXJ index is merged.
    unpack = ["--unpack-wacz"] if any(c.suffix == ".wacz" for c in copies) else []
    _run([bin_dir / "wb-manager", "add", *unpack, COLLECTION, *copies], workdir)
    out = _run([bin_dir / "python", SCRIPT, workdir, COLLECTION, *urls], workdir)
    return json.loads(out.strip().splitlines()[-1])


def cdxj_lines(archive: Path) -> list[dict]:
    """cdxj-indexer's index of `archive` (the project's venv has it): one dict per line,
    the JSON block plus `key` and `timestamp`."""
    from cdxj_indexer.main import CDXJIndexer

    out = StringIO()
    CDXJIndexer(out, str(archive), post_append=True, sort=True).process_all()
    lines = []
    for line in out.getvalue().splitlines():
        key, timestamp, block = line.split(" ", 2)
        lines.append({"key": key, "timestamp": timestamp, **json.loads(block)})
    return lines


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
