"""Canonical JSON and its SHA-256: the bytes a published revision (or a log entry) is hashed as.

Keys sorted, no whitespace, UTF-8 (not \\u escapes): anyone holding the JSON value can
recompute the hash with `json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode()` and SHA-256. Values must already be JSON types (str, int,
bool, None, lists, dicts with str keys); floats are refused, since their text form is not
the same in every JSON library.
"""

import hashlib
import json


def _check(value, path: str = "$") -> None:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: key {key!r} is not a string.")
            _check(item, f"{path}.{key}")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not a canonical JSON value.")


def canonical_bytes(value) -> bytes:
    """`value` as canonical JSON bytes; TypeError for anything but plain JSON values."""
    _check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_sha256(value) -> str:
    """Hex SHA-256 of canonical_bytes(value)."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
