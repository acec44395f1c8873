"""Render one page in headless Chromium: full-page screenshot, rendered DOM, its traffic.

Chromium never connects anywhere itself. Every request is intercepted and answered by the
capture fetcher (browser.router). Behind that, walls for whatever escapes interception (a
preconnect, a redirect Chromium would follow itself, WebRTC): its network stack points at a
proxy on a closed loopback port, its resolver answers nothing, WebRTC may not send UDP
outside the (dead) proxy, and where the kernel allows it Chromium runs in a network
namespace of its own, with no interface but an empty loopback. Each capture gets a fresh
browser and context; the browser is closed in every outcome, and killed (its driver's
whole process tree, never another session's) if it does not close when the deadline has
passed.

Before the screenshot the page is scrolled to its end, so content loaded on scroll (lazy
images, infinite feeds up to the screenshot's height) is there. A page that has not
finished loading when its time is nearly up (LOAD_RESERVE before the deadline) is kept as
it is then: screenshot, DOM and the exchanges so far, marked partial with the reason.
"""

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from provenance.capture.browser.isolation import (
    chromium_args,
    dead_port,
    isolated_executable,
    running_as_root,
    start_owned,
)
from provenance.capture.browser.router import (
    Deadline,
    Exchange,
    Router,
    Traffic,
    page_deadline_error,
)
from provenance.capture.errors import CaptureFailure
from provenance.capture.fetch.fetcher import FetchError, user_agent

VIEWPORT = {"width": 1280, "height": 800}
# Taller pages are cut here: a 1280×20000 PNG is tens of MB already.
MAX_SCREENSHOT_HEIGHT = 20_000
FETCH_THREADS = 4  # requests fetched at once for one page
SETTLE_IDLE = 3.0  # seconds to wait after `load` for the network to go quiet
SETTLE_PAUSE = 0.5  # then this long for scripts to finish changing the DOM
CLOSE_TIMEOUT = 10.0
KEPT_MESSAGES = 20
# Of the deadline, kept for taking what the page shows when its load never finishes.
LOAD_RESERVE_SHARE = 0.25
LOAD_RESERVE_MAX = 20.0
SCROLL_PAUSE = 0.15  # seconds between scroll steps: lazy loaders react to scroll events
PAGE_HEIGHT = """() => Math.max(
    document.documentElement ? document.documentElement.scrollHeight : 0,
    document.body ? document.body.scrollHeight : 0)"""
SCROLL_TO = "(y) => window.scrollTo(0, y)"


@dataclass
class PageLoad:
    """What the browser produced; the files live in the capture's work directory."""

    traffic: Traffic
    screenshot_path: Path
    dom_path: Path
    final_url: str = ""
    title: str = ""
    page_height: int = 0
    screenshot_truncated: bool = False
    partial: str = ""  # why what was kept is not the whole page ("" when it loaded)
    scrolled_to: int = 0
    browser_version: str = ""
    network_isolation: str = ""
    console_errors: int = 0
    console_messages: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    def note_error(self, text: str) -> None:
        self.console_errors += 1
        if len(self.console_messages) < KEPT_MESSAGES:
            self.console_messages.append(text[:500])

    def cleanup(self) -> None:
        self.traffic.cleanup()


def load_page(primed: Exchange, *, workdir: Path, deadline: Deadline) -> PageLoad:
    """Open `primed` (the page's document, already fetched) in a fresh browser and let it
    load through the fetcher. Raises FetchError or CaptureFailure with the reason."""
    executor = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="capture-page")
    router = Router(
        workdir=workdir / "requests", deadline=deadline, executor=executor, primed=primed
    )
    load = PageLoad(
        traffic=router.traffic,
        screenshot_path=workdir / "screenshot.png",
        dom_path=workdir / "dom.html",
    )
    executable = isolated_executable(workdir)
    load.network_isolation = "namespace" if executable else "flags"
    try:
        asyncio.run(_session(router, load, deadline, executable or settings.CAPTURE_BROWSER_PATH))
    except BaseException:
        load.cleanup()
        raise
    finally:
        # Fetches still running end by the deadline they were given.
        executor.shutdown(wait=True, cancel_futures=True)
    return load


async def _session(router: Router, load: PageLoad, deadline: Deadline, executable: str) -> None:
    with dead_port() as port:
        async with start_owned(async_playwright(), stop_within=CLOSE_TIMEOUT) as playwright:
            await _browse(playwright, router, load, deadline, executable, port)


async def _browse(playwright, router, load, deadline, executable: str, port: int) -> None:
    began = time.monotonic()
    try:
        browser = await playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=chromium_args(as_root=running_as_root()),
            proxy={"server": f"http://127.0.0.1:{port}"},
            timeout=_ms(min(30.0, deadline.remaining())),
        )
    except PlaywrightError as exc:
        raise CaptureFailure(
            "browser_failed",
            f"Chromium could not start ({_first_line(exc)}); check "
            "CAPTURE_BROWSER_PATH and that the worker has memory to spare.",
            retryable=True,
        ) from exc
    load.browser_version = browser.version
    load.timings["launch_ms"] = _ms(time.monotonic() - began)
    try:
        async with asyncio.timeout(deadline.remaining()):
            await _render(browser, router, load, deadline)
    except (TimeoutError, PlaywrightTimeout) as exc:
        raise page_deadline_error(deadline.seconds) from exc
    except PlaywrightError as exc:  # a crashed page or browser, out of memory...
        raise FetchError(
            "browser_error",
            f"Chromium failed while rendering the page ({_first_line(exc)}).",
            retryable=True,
        ) from exc
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT)


async def _render(browser, router: Router, load: PageLoad, deadline: Deadline) -> None:
    context = await browser.new_context(
        viewport=VIEWPORT,
        device_scale_factor=1,
        user_agent=user_agent(),
        service_workers="block",
        accept_downloads=False,
    )
    context.set_default_timeout(_ms(deadline.remaining()))
    await context.route("**/*", router.handle)
    await context.route_web_socket("**/*", router.websocket)
    page = await context.new_page()
    popups: set[asyncio.Task] = set()

    def close_popup(other) -> None:
        if other is not page:  # window.open: its requests would still be ours to fetch
            task = asyncio.ensure_future(other.close())
            popups.add(task)
            task.add_done_callback(popups.discard)

    context.on("page", close_popup)
    page.on("console", lambda message: message.type == "error" and load.note_error(message.text))
    page.on("pageerror", lambda error: load.note_error(f"Uncaught: {error}"))
    url = router.primed.result.final_url
    began = time.monotonic()
    reserve = min(LOAD_RESERVE_MAX, deadline.seconds * LOAD_RESERVE_SHARE)
    try:
        await page.goto(
            url, wait_until="load", timeout=_ms(max(0.001, deadline.remaining() - reserve))
        )
    except PlaywrightTimeout as exc:
        if page.url in ("", "about:blank"):  # not even the document showed
            raise page_deadline_error(deadline.seconds) from exc
        load.partial = _partial_reason(router.traffic, time.monotonic() - began)
    except PlaywrightError as exc:
        raise _navigation_error(router.traffic, url, exc) from exc
    load.timings["load_ms"] = _ms(time.monotonic() - began)
    if not load.partial:
        await _settle_and_scroll(page, load, deadline, reserve)
    load.final_url = page.url
    load.title = await page.title()
    load.dom_path.write_text(await page.content(), encoding="utf-8")
    began = time.monotonic()
    load.page_height = int(await page.evaluate(PAGE_HEIGHT) or 0)
    clip = None
    if load.page_height > MAX_SCREENSHOT_HEIGHT:
        load.screenshot_truncated = True
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": MAX_SCREENSHOT_HEIGHT}
    await page.screenshot(
        path=load.screenshot_path,
        full_page=True,
        type="png",
        clip=clip,
        timeout=_ms(deadline.remaining()),
    )
    load.timings["screenshot_ms"] = _ms(time.monotonic() - began)


async def _settle_and_scroll(page, load: PageLoad, deadline: Deadline, reserve: float) -> None:
    """Let the network go quiet, scroll to the end of the page a viewport at a time (lazy
    content loads on the way, up to the screenshot's height), back to the top, and let the
    network go quiet again. All within the deadline less the reserve."""
    began = time.monotonic()

    def left(most: float) -> float:
        return max(0.0, min(most, deadline.remaining() - reserve))

    await _quiet(page, left(SETTLE_IDLE))
    step = VIEWPORT["height"]
    y = 0
    while left(SCROLL_PAUSE) >= SCROLL_PAUSE and y < MAX_SCREENSHOT_HEIGHT:
        height = int(await page.evaluate(PAGE_HEIGHT) or 0)
        if y + step >= height:
            break
        y += step
        await page.evaluate(SCROLL_TO, y)
        await page.wait_for_timeout(_ms(SCROLL_PAUSE))
    load.scrolled_to = y
    if y:
        await page.evaluate(SCROLL_TO, 0)
        await _quiet(page, left(SETTLE_IDLE))
    await page.wait_for_timeout(_ms(left(SETTLE_PAUSE)))
    load.timings["settle_ms"] = _ms(time.monotonic() - began)


async def _quiet(page, seconds: float) -> None:
    if seconds <= 0:
        return
    with contextlib.suppress(PlaywrightTimeout):
        await page.wait_for_load_state("networkidle", timeout=_ms(seconds))


def _partial_reason(traffic: Traffic, waited: float) -> str:
    pending = sorted(traffic.pending)
    still = f"; still loading: {', '.join(pending[:5])}" if pending else ""
    more = f" and {len(pending) - 5} more" if len(pending) > 5 else ""
    return (
        f"The page had not finished loading after {waited:.0f} seconds "
        f"(CAPTURE_BROWSER_DEADLINE): kept what it showed then{still}{more}."
    )


def _navigation_error(traffic: Traffic, url: str, exc: PlaywrightError) -> Exception:
    blocked = traffic.blocked_for(url)
    if blocked is not None:
        retryable = blocked.code in {"timeout", "deadline", "connect_failed", "connection_reset"}
        return FetchError(blocked.code, blocked.message, retryable=retryable)
    text = _first_line(exc)
    if "Download is starting" in text:
        return CaptureFailure(
            "not_a_page",
            "The address starts a file download instead of showing a page; the HTTP "
            "capture of the same address keeps the file.",
        )
    return FetchError("browser_error", f"Chromium could not show the page ({text}).")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
