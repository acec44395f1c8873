"""Claim searches of the entering flows, through the claim list's full-text search
(claims.selectors.claim_list_values with `q`, the API's `?q=`)."""

import re

from django.core.exceptions import ValidationError
from django.db import connection

from claims.selectors import claim_list_values

SUGGESTIONS = 8
_WORD = re.compile(r"\w{4,}")


def claim_matches(*, actor, query: str, exclude=None, limit: int = SUGGESTIONS) -> list[dict]:
    """Claims matching `query` as the list's search reads it (every word, as a prefix),
    best first; one query."""
    if not query.strip():
        return []
    try:
        found = claim_list_values(actor=actor, filters={"q": query})
    except ValidationError:
        return []
    if exclude is not None:
        found = found.exclude(public_id=exclude)
    return list(found[:limit])


def similarity_query(text: str) -> str:
    """A search for claims sharing the longer words of `text`: any of them on PostgreSQL
    (ranked, so the closest come first); on SQLite, which cannot rank, its three longest
    words must all occur."""
    words = list(dict.fromkeys(word.lower() for word in _WORD.findall(text)))
    if not words:
        return ""
    if connection.vendor == "postgresql":
        return " or ".join(words[:12])
    return " ".join(sorted(words, key=len, reverse=True)[:3])


def similar_claims(*, actor, text: str) -> list[dict]:
    """Existing claims that look like `text` (one query; none for a text without words)."""
    return claim_matches(actor=actor, query=similarity_query(text))
