"""yt-dlp's network, under the capture fetcher's rules.

`GuardedRH` sends every yt-dlp request through `PinnedAdapter` (resolve, refuse non-public
addresses, connect to the checked address), follows redirects itself so each hop is checked
before it connects, caps each response at `max_bytes`, and shares one `Watchdog` deadline.
yt-dlp's and the environment's proxies are ignored; CAPTURE_PROXY_URL applies as in fetch().

`MediaYDL`'s request director holds that handler and no other (yt-dlp's urllib, requests and
curl handlers are never chosen); it downloads with the native HTTP, HLS and DASH downloaders
only (ffmpeg, curl, aria2c and rtmpdump open sockets of their own) and skips extractors that
drive PhantomJS (a browser fetching by itself). Failures are kept as `FetchError`s.
"""

import functools
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import yt_dlp
import yt_dlp.extractor
import yt_dlp.globals
from django.conf import settings
from requests.utils import requote_uri
from urllib3 import exceptions as u3
from yt_dlp.downloader import get_suitable_downloader
from yt_dlp.downloader.dash import DashSegmentsFD
from yt_dlp.downloader.hls import HlsFD
from yt_dlp.downloader.http import HttpFD
from yt_dlp.networking import RequestHandler, Response
from yt_dlp.networking._helper import get_redirect_method
from yt_dlp.networking.exceptions import HTTPError, TransportError

from provenance.capture.fetch.fetcher import FetchLimits
from provenance.capture.shared import custody
from provenance.capture.shared.fetch_errors import (
    CaptureRefused,
    FetchError,
    classify,
    deadline_error,
)
from provenance.capture.shared.pinned import PinnedAdapter, Watchdog

# No plugins from user or system directories: only yt-dlp's own extractors run here.
yt_dlp.globals.plugin_dirs.value = []

CHUNK = 1 << 20
IN_MEMORY_MAX_BYTES = 64 * 1024 * 1024  # what yt-dlp reads whole: pages, manifests, JSON
LISTED = 500  # requests listed in the result (all are counted)
SEND_OPTIONS = {"stream": True, "allow_redirects": False, "verify": True}
NATIVE_DOWNLOADERS = (HttpFD, HlsFD, DashSegmentsFD)  # each fetches through urlopen


class GuardError(TransportError):
    """A request our rules refused or that failed; `fetch_error` says which and why."""

    def __init__(self, fetch_error: FetchError):
        super().__init__(msg=fetch_error.message, cause=fetch_error)
        self.fetch_error = fetch_error


class GuardedTransport:
    """One download's network: a pinned requests session, its deadline and its record."""

    def __init__(self, limits: FetchLimits):
        self.limits = limits
        self.watchdog = Watchdog(limits.deadline)
        self.adapter = PinnedAdapter(self.watchdog)
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy variables, no .netrc
        self.session.headers = requests.structures.CaseInsensitiveDict()
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        proxy = settings.CAPTURE_PROXY_URL
        self.proxies = {"http": proxy, "https": proxy} if proxy else {}
        self.requests: list[dict] = []
        self.request_count = 0
        self.failures: list[FetchError] = []
        self._lock = threading.Lock()  # PinnedAdapter keeps the current hop's target

    def start(self) -> None:
        self.watchdog.start()

    def close(self) -> None:
        self.watchdog.cancel()
        self.session.close()

    def note(self, **entry) -> None:
        with self._lock:
            self.request_count += 1
            if len(self.requests) < LISTED:
                self.requests.append(entry)

    def fail(self, error: FetchError, *, url: str, method: str) -> GuardError:
        self.failures.append(error)
        self.note(url=url, method=method, error=error.code)
        return GuardError(error)

    def send(self, method: str, url: str, *, headers: dict, data, cookies) -> Response:
        """Send one request, following redirects with every hop checked; 2xx or HTTPError."""
        self.session.cookies = cookies
        for _ in range(self.limits.max_redirects + 1):
            response = self._hop(method, url, headers, data)
            location = self.session.get_redirect_target(response)
            if location is None:
                return self._answer(method, response)
            response.close()
            next_method = get_redirect_method(method, response.status_code)
            next_url = requote_uri(urljoin(url, location))
            drop = {"authorization", "cookie"} if _origin(next_url) != _origin(url) else set()
            if next_method != method:
                data, drop = None, drop | {"content-type", "content-length"}
            headers = {k: v for k, v in headers.items() if k.lower() not in drop}
            method, url = next_method, next_url
        raise self.fail(
            CaptureRefused(
                "too_many_redirects",
                f"The video's address redirected more than {self.limits.max_redirects} times "
                "(CAPTURE_MAX_REDIRECTS).",
            ),
            url=url,
            method=method,
        )

    def _hop(self, method, url, headers, data) -> requests.Response:
        if self.watchdog.fired:
            raise self.fail(deadline_error(self.limits.deadline), url=url, method=method)
        request = self.session.prepare_request(
            requests.Request(method, url, headers=headers, data=data)
        )
        connect = min(self.limits.connect_timeout, self.watchdog.remaining())
        try:
            with self._lock:
                timeout = (connect, self.limits.read_timeout)
                response = self.session.send(
                    request, timeout=timeout, proxies=self.proxies, **SEND_OPTIONS
                )
                target = self.adapter.target
        except FetchError as exc:
            raise self.fail(exc, url=url, method=method) from exc
        except Exception as exc:
            raise self.fail(self._classify(exc, url), url=url, method=method) from exc
        self.note(url=url, method=method, status=response.status_code, remote_ip=target.ip)
        return response

    def _answer(self, method: str, response: requests.Response) -> Response:
        answer = CappedResponse(response, self)
        if 200 <= response.status_code < 300:
            announced = response.headers.get("Content-Length", "")
            encoded = response.headers.get("Content-Encoding", "identity") != "identity"
            if not encoded and announced.isdigit() and int(announced) > self.limits.max_bytes:
                response.close()
                error = too_large(
                    f"The server announced {announced} bytes, more", self.limits.max_bytes
                )
                raise self.fail(error, url=response.url, method=method)
            return answer
        code, message, retryable = custody.status_failure(
            response.status_code, response.reason or "", response.url
        )
        self.failures.append(FetchError(code, message, retryable=retryable))
        raise HTTPError(answer)

    def _classify(self, exc: BaseException, url: str) -> FetchError:
        if self.watchdog.fired:  # whatever broke, it broke because the watchdog cut the socket
            return deadline_error(self.limits.deadline)
        host = self.adapter.target.host if self.adapter.target else (urlsplit(url).hostname or url)
        return classify(exc, host=host, read_timeout=self.limits.read_timeout)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def too_large(what: str, limit: int, setting: str = "CAPTURE_MAX_BYTES") -> FetchError:
    return CaptureRefused("too_large", f"{what} than the {limit}-byte limit ({setting}).")


class CappedResponse(Response):
    """A yt-dlp Response over the requests response, decoded, at most `max_bytes` long."""

    def __init__(self, response: requests.Response, transport: GuardedTransport):
        raw, status = response.raw, response.status_code
        super().__init__(raw, response.url, response.headers, status, response.reason)
        self._transport = transport
        self._read = 0

    def read(self, amt: int | None = None) -> bytes:
        limits = self._transport.limits
        if amt is not None:  # a downloader's block
            return self._read_some(amt, limits.max_bytes)
        # A page, manifest or API answer, read whole into memory (in chunks: urllib3's read()
        # after read(n) can lose data).
        cap = min(limits.max_bytes, IN_MEMORY_MAX_BYTES)
        return b"".join(iter(functools.partial(self._read_some, CHUNK, cap), b""))

    def _read_some(self, amt: int, cap: int) -> bytes:
        limits = self._transport.limits
        try:
            data = self.fp.read(amt, decode_content=True)
        except (u3.HTTPError, OSError) as exc:
            error = self._transport._classify(exc, self.url)
            raise self._transport.fail(error, url=self.url, method="READ") from exc
        self._read += len(data)
        if self._read > cap:
            self.close()
            within = "CAPTURE_MAX_BYTES" if cap == limits.max_bytes else "pages read into memory"
            error = too_large("The server sent more", cap, within)
            raise self._transport.fail(error, url=self.url, method="READ")
        if self.fp.closed:
            self.close()
        return data


class GuardedRH(RequestHandler):
    """Every yt-dlp request, through `GuardedTransport`; http and https only."""

    _SUPPORTED_URL_SCHEMES = ("http", "https")
    _SUPPORTED_PROXY_SCHEMES = None
    _SUPPORTED_FEATURES = None
    RH_NAME = "claimtrail-guarded"

    def __init__(self, *, transport: GuardedTransport, **kwargs):
        super().__init__(**kwargs)
        self.transport = transport

    def _check_proxies(self, proxies):
        pass  # proxies are never used: CAPTURE_PROXY_URL decides, as for every capture

    def _check_extensions(self, extensions):
        super()._check_extensions(extensions)
        for name in ("cookiejar", "timeout", "legacy_ssl", "keep_header_casing"):
            extensions.pop(name, None)
        if extensions.get("impersonate") is None:
            extensions.pop("impersonate", None)  # asked for browser impersonation: refused

    def _send(self, request):
        headers = self._get_headers(request)
        if not any(k.lower() == "accept-encoding" for k in headers):
            headers["Accept-Encoding"] = "gzip, deflate"  # the codings urllib3 decodes
        return self.transport.send(
            request.method,
            request.url,
            headers=headers,
            data=request.data,
            cookies=self._get_cookiejar(request),
        )


class MediaYDL(yt_dlp.YoutubeDL):
    """A YoutubeDL that can only reach the network through `GuardedRH`."""

    def __init__(self, params: dict, *, transport: GuardedTransport):
        self._transport = transport
        super().__init__(params)

    @functools.cached_property
    def _request_director(self):
        handler = functools.partial(GuardedRH, transport=self._transport)
        return self.build_request_director([handler], preferences=[])

    def add_info_extractor(self, ie):
        if not _runs_a_browser(ie):
            super().add_info_extractor(ie)

    def get_info_extractor(self, ie_key):
        ie = super().get_info_extractor(ie_key)
        if _runs_a_browser(ie):
            raise FetchError(
                "media_unsupported",
                f"yt-dlp reads {ie_key} videos with a browser (PhantomJS) that would fetch "
                "outside the capture's network rules; it was not used.",
            )
        return ie

    def dl(self, name, info, subtitle=False, test=False):
        downloader = get_suitable_downloader(info, self.params, to_stdout=(name == "-"))
        if downloader not in NATIVE_DOWNLOADERS:
            protocol = info.get("protocol") or "an unknown protocol"
            live = " a live stream" if info.get("is_live") else ""
            raise FetchError(
                "media_unsupported",
                f"The video is{live} served over {protocol}, which needs a downloader "
                "outside the capture's network rules; it was not downloaded.",
            )
        return super().dl(name, info, subtitle=subtitle, test=test)


@functools.cache
def browser_extractor_modules() -> frozenset[str]:
    """yt-dlp's extractor modules that drive PhantomJS (found in its sources, once)."""
    folder = Path(yt_dlp.extractor.__file__).parent
    return frozenset(
        f"yt_dlp.extractor.{path.stem}"
        for path in folder.glob("*.py")
        if path.name != "openload.py" and "PhantomJSwrapper" in path.read_text(encoding="utf-8")
    )


def _runs_a_browser(ie) -> bool:
    cls = ie if isinstance(ie, type) else type(ie)
    module = getattr(cls, "_module", None) or cls.__module__  # lazy extractors name theirs
    return module in browser_extractor_modules()
