"""JSON-LD expansion against the schema.org context shipped in data/ (no network)."""

import json
from pathlib import Path

from pyld import jsonld

CONTEXT = Path(__file__).parent / "data" / "schemaorg-context.jsonld"
S = "http://schema.org/"


def schema_org_loader(url, options=None):
    """Serves the shipped schema.org context; any other URL is an error (no network)."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"unexpected document load: {url}")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(CONTEXT.read_text()),
    }


def expand(document: dict) -> list[dict]:
    """`document` expanded; fails naming any term that does not resolve (pyld drops it)."""
    dropped = []
    expanded = jsonld.expand(
        document, {"documentLoader": schema_org_loader}, on_property_dropped=dropped.append
    )
    assert dropped == [], f"terms that do not resolve: {dropped}"
    return expanded
