"""Fetch one URL for a capture: guarded, bounded in size and time, streamed to disk.

Every hop goes through `PinnedAdapter` (guard, then connect to the checked address); redirects
are followed here, one at a time, so each is recorded and checked before any connection. The
body is written as the server sent it (still content-encoded) while it is hashed; a decoded
copy is made beside it for gzip and deflate. Memory stays flat whatever the size.
"""

import hashlib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.utils import requote_uri

from provenance.capture.fetch.decoding import ContentDecoder
from provenance.capture.shared import netguard
from provenance.capture.shared.fetch_errors import (
    CaptureRefused,
    FetchError,
    classify,
    deadline_error,
)
from provenance.capture.shared.pinned import PinnedAdapter, Watchdog

__all__ = ["CaptureRefused", "FetchError", "FetchLimits", "FetchResult", "Hop", "fetch"]

CHUNK = 256 * 1024  # per read from the socket: fewer trips through urllib3 per MB than 64 KiB


def user_agent() -> str:
    return (
        f"Claimtrail/{settings.CLAIMTRAIL_VERSION} "
        "(+https://github.com/claimtrail; evidence preservation)"
    )


@dataclass
class FetchLimits:
    max_bytes: int
    connect_timeout: float
    read_timeout: float
    deadline: float
    max_redirects: int

    @classmethod
    def from_settings(cls) -> "FetchLimits":
        return cls(
            max_bytes=settings.CAPTURE_MAX_BYTES,
            connect_timeout=settings.CAPTURE_CONNECT_TIMEOUT,
            read_timeout=settings.CAPTURE_READ_TIMEOUT,
            deadline=settings.CAPTURE_DEADLINE,
            max_redirects=settings.CAPTURE_MAX_REDIRECTS,
        )


@dataclass
class Hop:
    url: str
    status: int
    location: str
    remote_ip: str


@dataclass
class FetchResult:
    requested_url: str
    final_url: str
    redirect_chain: list[Hop]
    remote_ip: str
    http_status: int
    http_version: str
    reason: str
    request_headers: list[tuple[str, str]]
    response_headers: list[tuple[str, str]]
    raw_path: Path
    raw_sha256: str
    raw_size: int
    body_path: Path
    body_sha256: str
    body_size: int
    content_type: str
    timings: dict = field(default_factory=dict)
    # The raw body as read, when it fit in `keep_in_memory` bytes (else None): the WARC is
    # written from these rather than by reading the file back.
    raw_chunks: list[bytes] | None = field(default=None, repr=False)

    def cleanup(self) -> None:
        """Remove the temporary files (the pipeline calls this once it has stored them)."""
        self.raw_chunks = None
        self.raw_path.unlink(missing_ok=True)
        self.body_path.unlink(missing_ok=True)


def fetch(
    url: str, *, workdir: Path, limits: FetchLimits | None = None, keep_in_memory: int = 0
) -> FetchResult:
    """Fetch `url` into files under `workdir`; non-2xx statuses are results, not errors.
    A raw body of at most `keep_in_memory` bytes is also kept in memory (`raw_chunks`).

    Raises `FetchError` (or its subclass `CaptureRefused`) with a stable code.
    """
    limits = limits or FetchLimits.from_settings()
    netguard.check_url(url)
    Path(workdir).mkdir(parents=True, exist_ok=True)
    watchdog = Watchdog(limits.deadline)
    adapter = PinnedAdapter(watchdog)
    session = requests.Session()
    session.trust_env = False  # proxy variables are ignored unless CAPTURE_PROXY_URL is set
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    watchdog.start()
    try:
        return _fetch(session, adapter, url, Path(workdir), limits, keep_in_memory)
    except FetchError:
        raise
    except Exception as exc:
        if watchdog.fired:  # whatever broke, it broke because the watchdog cut the socket
            raise deadline_error(limits.deadline) from exc
        host = adapter.target.host if adapter.target else (urlsplit(url).hostname or url)
        raise classify(exc, host=host, read_timeout=limits.read_timeout) from exc
    finally:
        watchdog.cancel()
        session.close()


def _fetch(session, adapter, url, workdir, limits, keep_in_memory) -> FetchResult:
    started = time.monotonic()
    proxy = settings.CAPTURE_PROXY_URL
    proxies = {"http": proxy, "https": proxy} if proxy else {}
    chain: list[Hop] = []
    current = url
    while True:
        if adapter.watchdog.fired:
            raise deadline_error(limits.deadline)
        request = session.prepare_request(requests.Request("GET", current, headers=_headers()))
        sent = time.monotonic()
        connect_timeout = min(limits.connect_timeout, adapter.watchdog.remaining())
        response = session.send(
            request,
            stream=True,
            allow_redirects=False,
            timeout=(connect_timeout, limits.read_timeout),
            proxies=proxies,
            verify=True,
        )
        ttfb_ms = _ms_since(sent)
        target = adapter.target
        location = session.get_redirect_target(response)
        if location is None:
            break
        response.close()
        hop = Hop(request.url, response.status_code, response.headers["Location"], target.ip)
        chain.append(hop)
        if len(chain) > limits.max_redirects:
            raise CaptureRefused(
                "too_many_redirects",
                f"The URL redirected more than {limits.max_redirects} times "
                "(CAPTURE_MAX_REDIRECTS); capture the final address instead.",
            )
        current = requote_uri(urljoin(request.url, location))
    try:
        files = _download(response, workdir, limits, adapter.watchdog, keep_in_memory)
    finally:
        response.close()
    raw = response.raw
    return FetchResult(
        requested_url=url,
        final_url=request.url,
        redirect_chain=chain,
        remote_ip=target.ip,
        http_status=response.status_code,
        http_version=raw.version_string,
        reason=response.reason or "",
        request_headers=list(request.headers.items()),
        response_headers=_raw_headers(response),
        content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower(),
        timings=_timings(
            dns_ms=target.dns_ms,
            connect_ms=adapter.watchdog.connect_ms,  # None when a kept-alive connection served
            ttfb_ms=ttfb_ms,
            total_ms=_ms_since(started),
        ),
        **files,
    )


def _headers() -> dict[str, str]:
    return {
        "User-Agent": user_agent(),
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",  # the codings we can decode
    }


def _download(
    response, workdir: Path, limits: FetchLimits, watchdog: Watchdog, keep_in_memory: int
) -> dict:
    """Stream the body to disk, raw and (for gzip/deflate) decoded, hashing both."""
    announced = response.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > limits.max_bytes:
        raise CaptureRefused(
            "too_large",
            f"The server announced {int(announced)} bytes, more than the {limits.max_bytes}-byte "
            "limit (CAPTURE_MAX_BYTES).",
        )
    decoder = ContentDecoder.for_header(
        response.headers.get("Content-Encoding", ""), limits.max_bytes
    )
    raw = _HashingFile(workdir, "raw-", keep=keep_in_memory)
    body = _HashingFile(workdir, "body-") if decoder else raw
    try:
        for chunk in response.raw.stream(CHUNK, decode_content=False):
            raw.write(chunk)
            if raw.size > limits.max_bytes:
                raise CaptureRefused(
                    "too_large",
                    f"The body passed the {limits.max_bytes}-byte limit (CAPTURE_MAX_BYTES).",
                )
            if watchdog.fired:
                break
            for piece in decoder.feed(chunk) if decoder else ():
                body.write(piece)
        if watchdog.fired:  # a cut socket can look like a clean end of a close-delimited body
            raise deadline_error(limits.deadline)
        for piece in decoder.finish() if decoder else ():
            body.write(piece)
    except BaseException:
        raw.discard()
        body.discard()
        raise
    raw.close()
    body.close()
    return {
        "raw_path": raw.path,
        "raw_sha256": raw.sha256,
        "raw_size": raw.size,
        "raw_chunks": raw.kept,
        "body_path": body.path,
        "body_sha256": body.sha256,
        "body_size": body.size,
    }


class _HashingFile:
    """A temporary file that hashes what is written to it, and keeps it in memory too
    (`kept`) while it is at most `keep` bytes."""

    def __init__(self, workdir: Path, prefix: str, *, keep: int = 0):
        self._file = tempfile.NamedTemporaryFile(dir=workdir, prefix=prefix, delete=False)  # noqa: SIM115
        self.path = Path(self._file.name)
        self._hash = hashlib.sha256()
        self.size = 0
        self.sha256 = ""
        self._keep = keep
        self.kept: list[bytes] | None = [] if keep > 0 else None

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)
        if self.kept is not None:
            if self.size <= self._keep:
                self.kept.append(bytes(data))  # no copy for bytes; a view would change
            else:
                self.kept = None

    def close(self) -> None:
        self._file.close()
        self.sha256 = self._hash.hexdigest()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def _raw_headers(response) -> list[tuple[str, str]]:
    """Headers in the order and spelling received, duplicates kept (Set-Cookie, Link...)."""
    original = getattr(response.raw, "_original_response", None)
    if original is not None:
        return [(k, v) for k, v in original.msg.items()]
    return list(response.raw.headers.items())


def _timings(**values: float | None) -> dict:
    return {name: round(value, 1) for name, value in values.items() if value is not None}


def _ms_since(start: float) -> float:
    return round((time.monotonic() - start) * 1000, 1)
