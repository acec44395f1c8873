"""JSON with a bound on nesting: request bodies and JSON inside form fields.

Python's json module recurses once per level, so `[[[[…]]]]` a thousand deep raises
RecursionError (a 500). The depth is measured first, without recursion, and anything
deeper than JSON_MAX_DEPTH is refused before json.loads sees it.
"""

import codecs
import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

# No API body nests deeper than 3; the margin leaves room for future shapes.
JSON_MAX_DEPTH = 32

_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_CURLY_AS_SQUARE = bytes.maketrans(b"{}", b"[]")


class JSONTooDeep(ValueError):
    def __init__(self, max_depth: int):
        super().__init__(f"JSON nested too deeply (max {max_depth}).")


def _bracket_skeleton(text: str) -> bytes:
    """The brackets of `text` outside strings, all written as [ and ].

    Escaped backslashes, then escaped quotes, are dropped, so every quote left opens or
    closes a string; every other piece of the split lies inside one.
    """
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    return outside.encode("utf-8", "surrogatepass").translate(_CURLY_AS_SQUARE, _NOT_BRACKETS)


def json_depth_exceeds(text: str, max_depth: int = JSON_MAX_DEPTH) -> bool:
    """Whether the brackets of `text` (outside strings) nest deeper than `max_depth`.

    Each pass removes the innermost bracket pairs, so brackets left after `max_depth`
    passes nest deeper, as does any run of more than `max_depth` opening brackets. Brackets
    that do not pair up make the text invalid JSON, which json.loads reports.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return False
    skeleton = _bracket_skeleton(text)
    too_deep_run = b"[" * (max_depth + 1)
    for _ in range(max_depth):
        if not skeleton:
            return False
        if too_deep_run in skeleton:
            return True
        shorter = skeleton.replace(b"[]", b"")
        if len(shorter) == len(skeleton):
            return False  # unbalanced: invalid JSON
        skeleton = shorter
    return b"[]" in skeleton


def json_loads(text: str, *, max_depth: int = JSON_MAX_DEPTH, parse_constant=None):
    """json.loads that raises JSONTooDeep rather than recursing past `max_depth` levels."""
    if json_depth_exceeds(text, max_depth):
        raise JSONTooDeep(max_depth)
    try:
        return json.loads(text, parse_constant=parse_constant)
    except RecursionError as exc:  # unbalanced brackets the passes could not measure
        raise JSONTooDeep(max_depth) from exc


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser with the nesting bound; over it, a 400 naming the limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json_loads(text, parse_constant=strict_constant if self.strict else None)
        except JSONTooDeep as exc:
            raise ParseError(str(exc), code="too_deep") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
