"""Replay URLs from a pywb collection through pywb's own WSGI app, in-process.

Runs under the replay venv (`.venv-replay`, `make replay-venv`), not the project's:
pywb pins libraries the project has moved past. Called by tests/replay/support.py as

    .venv-replay/bin/python tests/replay/pywb_replay.py <root> <collection> <url>...

where <root> holds pywb's `collections/` (made by `wb-manager init` and `add`). Prints one
JSON object: {url: {"status": int, "sha256": hex of the body, "size": int,
"content_type": str}} for `/<collection>/id_/<url>` (the latest capture, bytes as
archived, no rewriting).
"""

import hashlib
import io
import json
import os
import sys
from wsgiref.util import setup_testing_defaults


def replay(app, collection: str, url: str) -> dict:
    environ = {}
    setup_testing_defaults(environ)
    environ.update(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/{collection}/id_/{url}",
            "QUERY_STRING": "",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
    )
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = headers

    chunks = app(environ, start_response)
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    content_type = next(
        (v for k, v in started.get("headers", []) if k.lower() == "content-type"), ""
    )
    return {
        "status": started.get("status", 0),
        "sha256": digest.hexdigest(),
        "size": size,
        "content_type": content_type,
    }


def main(argv: list[str]) -> int:
    root, collection, urls = argv[0], argv[1], argv[2:]
    os.chdir(root)
    from pywb.apps.frontendapp import FrontEndApp

    app = FrontEndApp()
    print(json.dumps({url: replay(app, collection, url) for url in urls}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
