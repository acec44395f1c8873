"""Answer every request a captured page makes from the capture fetcher, or refuse it.

Chromium asks, `fetch()` fetches: under the same address rules as any capture (checked
after resolution, connected to the checked address), with a size cap per response, the
fetcher's timeouts, and the page's own budget (deadline, number of requests, bytes). What
is refused or fails is aborted in the page and listed with its reason.

Redirects are followed by the fetcher, and the page gets the final response: fulfilling a
3xx would make Chromium fetch the Location itself, outside this router.
"""

import asyncio
import contextlib
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from playwright.async_api import Error as PlaywrightError

from provenance.capture.fetch.fetcher import (
    CaptureRefused,
    FetchError,
    FetchLimits,
    FetchResult,
    fetch,
)

# Hop-by-hop, or describing the bytes as sent: the page gets them decoded and whole.
NOT_FORWARDED = {"content-encoding", "content-length", "transfer-encoding", "connection"}
ABORT_REASONS = {
    "dns_failed": "namenotresolved",
    "timeout": "timedout",
    "deadline": "timedout",
    "connect_failed": "connectionfailed",
    "connection_reset": "connectionreset",
}


class Deadline:
    """The wall-clock budget of one browser capture, shared by every step and request."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())


def page_deadline_error(seconds: float) -> FetchError:
    return FetchError(
        "deadline",
        f"The page did not finish loading within {seconds:g} seconds "
        "(CAPTURE_BROWSER_DEADLINE): something on it never finished loading, or the site is "
        "slow. The HTTP capture of the same address keeps its bytes.",
        retryable=True,
    )


def fetch_for_page(url: str, *, workdir: Path, deadline: Deadline) -> FetchResult:
    """`fetch()` with the browser's limits: the per-response cap and what is left of the
    page's deadline. Errors name the browser settings that decided them."""
    left = deadline.remaining()
    if left <= 0:
        raise page_deadline_error(deadline.seconds)
    limits = FetchLimits(
        max_bytes=settings.CAPTURE_BROWSER_MAX_RESOURCE_BYTES,
        connect_timeout=min(settings.CAPTURE_CONNECT_TIMEOUT, left),
        read_timeout=min(settings.CAPTURE_READ_TIMEOUT, left),
        deadline=min(settings.CAPTURE_DEADLINE, left),
        max_redirects=settings.CAPTURE_MAX_REDIRECTS,
    )
    try:
        return fetch(url, workdir=workdir, limits=limits)
    except FetchError as exc:
        if exc.code == "deadline" and deadline.remaining() <= 0:
            raise page_deadline_error(deadline.seconds) from exc
        if exc.code == "too_large":
            exc.message = exc.message.replace(
                "(CAPTURE_MAX_BYTES)", "(CAPTURE_BROWSER_MAX_RESOURCE_BYTES)"
            )
        raise


@dataclass
class Exchange:
    """One request of the page, answered by the fetcher (its files hold the bytes)."""

    url: str  # as Chromium asked for it; result.final_url is where the bytes came from
    resource_type: str
    started_at: datetime
    result: FetchResult


@dataclass
class Blocked:
    """A request the page made that got no response: refused by a rule, or failed."""

    url: str
    resource_type: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {
            "url": self.url[:2000],
            "resource_type": self.resource_type,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class Traffic:
    """Everything the page asked for, and what became of it."""

    exchanges: list[Exchange] = field(default_factory=list)
    refused: list[Blocked] = field(default_factory=list)
    failed: list[Blocked] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    pending: set[str] = field(default_factory=set)  # being fetched right now

    def blocked_for(self, url: str) -> Blocked | None:
        return next((b for b in [*self.refused, *self.failed] if b.url == url), None)

    def cleanup(self) -> None:
        for exchange in self.exchanges:
            exchange.result.cleanup()


class Router:
    """`handle` is the `context.route("**/*")` handler; `websocket` refuses WebSockets.

    `primed` is the page's own document, fetched before Chromium started; it answers the
    first navigation to its URL so the page is not fetched twice."""

    def __init__(self, *, workdir: Path, deadline: Deadline, executor: Executor, primed: Exchange):
        self.workdir = workdir
        self.deadline = deadline
        self.executor = executor
        self.primed: Exchange | None = primed
        self.traffic = Traffic(exchanges=[primed], bytes=primed.result.raw_size)

    async def handle(self, route) -> None:
        request = route.request
        self.traffic.requests += 1
        refusal = self._refusal(request)
        if refusal is not None:
            self.traffic.refused.append(Blocked(request.url, request.resource_type, *refusal))
            await _abort(route, "blockedbyclient")
            return
        exchange = self._take_primed(request)
        if exchange is None:
            exchange = await self._fetch(route)
            if exchange is None:
                return
            self.traffic.exchanges.append(exchange)
            self.traffic.bytes += exchange.result.raw_size
        result = exchange.result
        # PlaywrightError: the page or browser closed meanwhile (deadline), nobody to answer.
        with contextlib.suppress(PlaywrightError):
            await route.fulfill(
                status=result.http_status,
                headers=_forwarded_headers(result.response_headers),
                body=result.body_path.read_bytes(),
            )

    async def websocket(self, ws) -> None:
        self.traffic.requests += 1
        self.traffic.refused.append(
            Blocked(
                ws.url,
                "websocket",
                "refused_websocket",
                "WebSockets are not opened: a capture records HTTP exchanges only.",
            )
        )
        with contextlib.suppress(PlaywrightError):
            await ws.close(code=1008, reason="not captured")

    def _refusal(self, request) -> tuple[str, str] | None:
        limit = settings.CAPTURE_BROWSER_MAX_REQUESTS
        if self.traffic.requests > limit:
            return (
                "too_many_requests",
                f"The page made more than {limit} requests (CAPTURE_BROWSER_MAX_REQUESTS); "
                "later ones were not fetched.",
            )
        if request.method != "GET":
            return (
                "refused_method",
                f"{request.method} requests are not sent: a capture only reads (GET).",
            )
        budget = settings.CAPTURE_BROWSER_MAX_PAGE_BYTES
        if self.traffic.bytes >= budget:
            return (
                "page_too_large",
                f"The page had already downloaded {self.traffic.bytes} bytes, the "
                f"{budget}-byte limit (CAPTURE_BROWSER_MAX_PAGE_BYTES).",
            )
        return None

    def _take_primed(self, request) -> Exchange | None:
        primed = self.primed
        if primed is None or request.url != primed.result.final_url:
            return None
        if not request.is_navigation_request() or request.frame.parent_frame is not None:
            return None
        self.primed = None
        return primed

    async def _fetch(self, route) -> Exchange | None:
        request = route.request
        started_at = timezone.now()
        loop = asyncio.get_running_loop()
        work = partial(fetch_for_page, request.url, workdir=self.workdir, deadline=self.deadline)
        self.traffic.pending.add(request.url)
        try:
            result = await loop.run_in_executor(self.executor, work)
        except FetchError as exc:
            blocked = Blocked(request.url, request.resource_type, exc.code, exc.message)
            if isinstance(exc, CaptureRefused):
                self.traffic.refused.append(blocked)
                await _abort(route, "blockedbyclient")
            else:
                self.traffic.failed.append(blocked)
                await _abort(route, ABORT_REASONS.get(exc.code, "failed"))
            return None
        except Exception as exc:  # a bug or a full disk: the page goes on without it
            message = f"Claimtrail could not fetch it ({type(exc).__name__}: {exc})."
            self.traffic.failed.append(
                Blocked(request.url, request.resource_type, "internal_error", message)
            )
            await _abort(route, "failed")
            return None
        finally:
            self.traffic.pending.discard(request.url)
        return Exchange(request.url, request.resource_type, started_at, result)


async def _abort(route, reason: str) -> None:
    with contextlib.suppress(PlaywrightError):
        await route.abort(reason)


def _forwarded_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    """The response headers as Playwright takes them (one value per name; Set-Cookie
    values are joined by newlines, the others by commas, as HTTP allows)."""
    merged: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in NOT_FORWARDED:
            continue
        if key in merged:
            merged[key] += ("\n" if key == "set-cookie" else ", ") + value
        else:
            merged[key] = value
    return merged
