"""Normalization of source identifiers, so that one handle is stored one way.

`@MaxSeddon`, `maxseddon` and `https://x.com/maxseddon` are the same X handle;
`t.me/s/rian_ru` and `@rian_ru` the same Telegram channel.
"""

import re
from urllib.parse import urlsplit, urlunsplit

DOMAIN = "domain"
X_HANDLE = "x_handle"
TELEGRAM = "telegram"
WIKIDATA = "wikidata"
URL = "url"

_X_HOSTS = {"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"}
_TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.dog"}
_HANDLE_RE = re.compile(r"^[a-z0-9_]{1,15}$")
_TELEGRAM_RE = re.compile(r"^[a-z0-9_]{4,32}$")
_QID_RE = re.compile(r"^Q[1-9][0-9]*$")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class IdentifierError(ValueError):
    """The value cannot be an identifier of that kind; the message says why."""


def _split_url(value: str):
    if "://" not in value:
        value = "https://" + value
    return urlsplit(value)


def _host(parts) -> str:
    host = (parts.hostname or "").rstrip(".").lower()
    return host.removeprefix("www.")


def _path_segments(parts) -> list[str]:
    return [s for s in parts.path.split("/") if s]


def normalize_domain(value: str) -> str:
    parts = _split_url(value.strip())
    host = _host(parts)
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise IdentifierError(f"“{value}” is not a valid domain name.") from exc
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels):
        raise IdentifierError(f"“{value}” is not a valid domain name.")
    return host


def normalize_x_handle(value: str) -> str:
    value = value.strip()
    if "/" in value or "." in value:
        parts = _split_url(value)
        if _host(parts) not in _X_HOSTS or not _path_segments(parts):
            raise IdentifierError(f"“{value}” is not an X/Twitter profile address.")
        value = _path_segments(parts)[0]
    handle = value.removeprefix("@").lower()
    if not _HANDLE_RE.match(handle):
        raise IdentifierError(
            f"“{value}” is not an X/Twitter handle (1–15 letters, digits or underscores)."
        )
    return handle


def normalize_telegram(value: str) -> str:
    value = value.strip()
    if "/" in value or "." in value:
        parts = _split_url(value)
        segments = _path_segments(parts)
        if segments[:1] == ["s"]:
            segments = segments[1:]
        if _host(parts) not in _TELEGRAM_HOSTS or not segments:
            raise IdentifierError(f"“{value}” is not a Telegram channel address.")
        value = segments[0]
    name = value.removeprefix("@").lower()
    if not _TELEGRAM_RE.match(name):
        raise IdentifierError(
            f"“{value}” is not a Telegram channel name (4–32 letters, digits or underscores)."
        )
    return name


def normalize_wikidata(value: str) -> str:
    value = value.strip()
    if "/" in value:
        segments = _path_segments(_split_url(value))
        value = segments[-1] if segments else ""
    qid = value.upper()
    if not _QID_RE.match(qid):
        raise IdentifierError(f"“{value}” is not a Wikidata item id such as Q7747.")
    return qid


def normalize_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise IdentifierError(f"“{value}” is not an http(s) address.")
    netloc = parts.hostname.lower().rstrip(".")
    if parts.port and parts.port not in (80, 443):
        netloc = f"{netloc}:{parts.port}"
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


NORMALIZERS = {
    DOMAIN: normalize_domain,
    X_HANDLE: normalize_x_handle,
    TELEGRAM: normalize_telegram,
    WIKIDATA: normalize_wikidata,
    URL: normalize_url,
}


def normalize_identifier(kind: str, value: str) -> str:
    """The canonical form of `value` for identifier `kind`; raises IdentifierError."""
    try:
        normalizer = NORMALIZERS[kind]
    except KeyError as exc:
        raise IdentifierError(f"Unknown identifier kind “{kind}”.") from exc
    if not value or not value.strip():
        raise IdentifierError("An identifier needs a value.")
    try:
        return normalizer(value)
    except IdentifierError:
        raise
    except ValueError as exc:  # urlsplit and .port: "Invalid IPv6 URL", "Port out of range"
        raise IdentifierError(f"“{value.strip()}” is not a valid {kind} ({exc}).") from exc
