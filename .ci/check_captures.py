"""Smoke check: the uploaded file is captured with its SHA-256; demo links fail with a reason."""

import hashlib
import json
import sys
import time
import urllib.request

base, token, folder = sys.argv[1:4]
with open(f"{folder}/evidence.json", encoding="utf-8") as fh:
    evidence = json.load(fh)
with open(f"{folder}/upload.txt", "rb") as fh:
    expected = hashlib.sha256(fh.read()).hexdigest()


def get(path: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        base + path, headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return json.load(response)


deadline = time.monotonic() + 120
while True:
    captures = get("/api/captures/?page_size=200")["results"]
    pending = [c for c in captures if c["status"] in ("queued", "fetching")]
    if not pending or time.monotonic() > deadline:
        break
    time.sleep(2)
if pending:
    sys.exit(f"{len(pending)} capture(s) still queued or fetching after 120 s")
upload = get(f"/api/captures/?evidence={evidence['id']}")["results"][0]
if upload["status"] != "succeeded" or upload["sha256"] != expected:
    sys.exit(f"upload capture: {upload['status']} {upload['sha256']} (expected {expected})")
failed = [c for c in captures if c["status"] == "failed"]
if not failed or not all(c["error"] and c["error"]["message"] for c in failed):
    sys.exit("the demo's captures should fail with a reason")
print(
    f"upload captured, sha256 {expected[:16]}…; {len(failed)} demo capture(s) failed, e.g. "
    f"{failed[0]['error']['code']}: {failed[0]['error']['message']}"
)
