"""Vendor the front-end packages the web pages use into static/vendor/.

The lock file (static/vendor/vendor-lock.json) pins each npm package's version, the
files taken from its tarball, the tarball's registry integrity (sha512) and each
vendored file's SHA-256. `make run` serves the committed files and needs no Node.js.

    python scripts/vendor_static.py           re-download the pinned versions, verify, write
    python scripts/vendor_static.py --check   verify the committed files against the lock (offline)

To move a package to another version, edit its "version" in the lock file and run the
script without --check: it fetches the new tarball, checks the registry's integrity
hash, and rewrites the files and hashes.

Source-map comments are taken out of the vendored files: the maps are not vendored, and
production's manifest storage (collectstatic with DEBUG off) refuses a file that names
one it cannot find.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
LOCK_FILE = VENDOR_DIR / "vendor-lock.json"
REGISTRY = "https://registry.npmjs.org"
# `//# sourceMappingURL=…` (JavaScript) and `/*# sourceMappingURL=… */` (CSS) comments.
SOURCE_MAP_COMMENT = re.compile(rb"(//|/\*)# sourceMappingURL=[^\s*]+[ \t]*(\*/)?")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed registry)
        return response.read()


def _tarball(package: str, version: str) -> tuple[bytes, str]:
    metadata = json.loads(_fetch(f"{REGISTRY}/{package}/{version}"))
    dist = metadata["dist"]
    data = _fetch(dist["tarball"])
    algorithm, _, expected = dist["integrity"].partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{package}@{version}: tarball does not match the registry's integrity")
    return data, dist["integrity"]


def refresh(lock: list[dict]) -> None:
    for entry in lock:
        data, integrity = _tarball(entry["package"], entry["version"])
        entry["integrity"] = integrity
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for name in entry["files"]:
                member = archive.extractfile(f"package/{name['from']}")
                if member is None:
                    raise SystemExit(f"{entry['package']}: no file {name['from']}")
                content = SOURCE_MAP_COMMENT.sub(b"", member.read())
                (VENDOR_DIR / name["to"]).write_bytes(content)
                name["sha256"] = _sha256(content)
        print(f"vendored {entry['package']}@{entry['version']}")
    LOCK_FILE.write_text(json.dumps(lock, indent=2) + "\n")


def check(lock: list[dict]) -> list[str]:
    problems = []
    for entry in lock:
        for name in entry["files"]:
            path = VENDOR_DIR / name["to"]
            if not path.exists():
                problems.append(f"{name['to']}: missing")
            elif _sha256(path.read_bytes()) != name.get("sha256"):
                problems.append(f"{name['to']}: SHA-256 differs from the lock file")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only, offline")
    args = parser.parse_args()
    lock = json.loads(LOCK_FILE.read_text())
    if not args.check:
        refresh(lock)
    problems = check(lock)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
