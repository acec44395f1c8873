"""Check a Claimtrail evidence package offline: every file's hash, and the review chain.

Shipped in every package as `verify/verify.py`, with the two modules whose rules it
applies copied verbatim beside it (`verify/canonical.py` is claimtrail/lib/canonical.py,
`verify/review_log.py` is claims/review_log.py): one source of truth for how the server
hashes and how this script re-checks. Standard library only (Python 3.11+). From the
unzipped package:

    python3 verify/verify.py            # or: python3 verify/verify.py <package dir>

It checks that
- `datapackage-digest.json` holds the SHA-256 of `datapackage.json`;
- every file `datapackage.json` lists is there with its size and `sha256:` hash, and no
  file is there that it does not list;
- `records/review-log.json` forms an unbroken hash chain (claims/review_log.py: each
  event's SHA-256 of its canonical JSON, each linked to the previous event's);
- `records/revision.json`, when present, hashes to its `sha256` (canonical JSON of its
  payload), and that hash is the one the review log recorded when it was published.

Prints `OK ...` and exits 0, or prints one `CHANGED ...` line per problem, naming the
file or the review event, and exits 1.
"""

import hashlib
import importlib.util
import json
import sys
import types
from pathlib import Path

DIGEST = "datapackage-digest.json"
PACKAGE = "datapackage.json"
REVIEW_LOG = "records/review-log.json"
REVISION = "records/revision.json"
READ_SIZE = 1024 * 1024


def _load_rules():
    """(canonical_sha256, verify_review_chain): from the copies next to this script when
    it runs from a package, else from the project it is part of."""
    here = Path(__file__).resolve().parent
    if not (here / "review_log.py").exists():
        from claims.review_log import verify_review_chain
        from claimtrail.lib.canonical import canonical_sha256

        return canonical_sha256, verify_review_chain
    canonical = _module("claimtrail.lib.canonical", here / "canonical.py")
    for name in ("claimtrail", "claimtrail.lib"):  # what review_log.py imports it as
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["claimtrail.lib"].canonical = canonical
    review_log = _module("claimtrail_review_log", here / "review_log.py")
    return canonical.canonical_sha256, review_log.verify_review_chain


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(READ_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def check_files(root: Path) -> list[str]:
    """Problems with the files' hashes and sizes against datapackage.json."""
    problems = []
    package_path, digest_path = root / PACKAGE, root / DIGEST
    for path in (package_path, digest_path):
        if not path.is_file():
            return [f"{path.name}: missing"]
    digest = json.loads(digest_path.read_text("utf-8"))
    if _sha256(package_path)[0] != digest.get("hash"):
        problems.append(f"{PACKAGE}: its SHA-256 is not the one {DIGEST} holds")
    listed = set()
    for resource in json.loads(package_path.read_text("utf-8")).get("resources", []):
        name = resource["path"]
        listed.add(name)
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        found, size = _sha256(path)
        if found != resource.get("hash"):
            problems.append(f"{name}: its SHA-256 is not the one {PACKAGE} lists")
        elif size != resource.get("bytes"):
            problems.append(f"{name}: {size} bytes, {PACKAGE} lists {resource.get('bytes')}")
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and name not in listed | {PACKAGE, DIGEST} and "__pycache__" not in name:
            problems.append(f"{name}: not listed in {PACKAGE}")
    return problems


def check_records(root: Path, canonical_sha256, verify_review_chain) -> list[str]:
    """Problems with the review chain and the published revision."""
    problems = []
    log_path = root / REVIEW_LOG
    if not log_path.is_file():
        return [f"{REVIEW_LOG}: missing"]
    events = json.loads(log_path.read_text("utf-8"))["events"]
    broken = verify_review_chain(events)
    if broken is not None:
        problems.append(f"{REVIEW_LOG}: {broken}")
    revision_path = root / REVISION
    if revision_path.is_file():
        revision = json.loads(revision_path.read_text("utf-8"))
        if canonical_sha256(revision["payload"]) != revision["sha256"]:
            problems.append(f"{REVISION}: its payload does not hash to its sha256")
        recorded = {event["revision_sha256"] for event in events}
        if revision["sha256"] not in recorded:
            problems.append(f"{REVISION}: no review event published a revision with its sha256")
    return problems


def verify(root: Path) -> list[str]:
    """Every problem found in the unzipped package at `root` (none: it checks out)."""
    canonical_sha256, verify_review_chain = _load_rules()
    problems = check_files(root)
    if (root / PACKAGE).is_file():
        problems += check_records(root, canonical_sha256, verify_review_chain)
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    problems = verify(root)
    for problem in problems:
        print(f"CHANGED  {problem}")
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {root}")
        return 1
    resources = json.loads((root / PACKAGE).read_text("utf-8"))["resources"]
    print(f"OK: {len(resources)} files match their hashes; the review chain is unbroken.")
    for capture in _captures_without_warc(root):
        print(
            f"NOTE     capture {capture['id']} (SHA-256 {capture['sha256']}) is not in the "
            f"archive: {capture['reason']}"
        )
    return 0


def _captures_without_warc(root: Path) -> list[dict]:
    """Captures the package names but could not hold (records/package.json says why)."""
    path = root / "records" / "package.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text("utf-8")).get("captures_without_warc", [])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
