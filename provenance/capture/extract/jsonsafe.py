"""Make extracted values storable in a PostgreSQL jsonb column.

EXIF and page markup carry NUL characters, bytes, NaN and non-string keys, all of which
jsonb (or JSON itself) rejects; one odd tag must not fail a whole capture.
"""

import math
from fractions import Fraction
from numbers import Rational

MAX_BYTES_SHOWN = 64
MAX_STRING = 4096


def json_safe(value, depth: int = 0):
    if depth > 20:
        return None
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Rational | Fraction):
        return _ratio(value)
    if isinstance(value, str):
        return value.replace("\x00", "")[:MAX_STRING]
    if isinstance(value, bytes | bytearray):
        return _bytes(bytes(value))
    if isinstance(value, dict):
        return {str(json_safe(k, depth + 1)): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v, depth + 1) for v in value]
    if hasattr(value, "numerator") and hasattr(value, "denominator"):  # PIL IFDRational
        return _ratio(value)
    return json_safe(str(value), depth + 1)


def _ratio(value):
    try:
        number = float(value)
    except (ZeroDivisionError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _bytes(data: bytes) -> str:
    text = data.rstrip(b"\x00")
    if text and all(32 <= b < 127 for b in text) and len(text) <= MAX_STRING:
        return text.decode("ascii")
    suffix = "…" if len(data) > MAX_BYTES_SHOWN else ""
    return f"hex:{data[:MAX_BYTES_SHOWN].hex()}{suffix}"
