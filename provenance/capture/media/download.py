"""Video behind a page, through yt-dlp, under the capture fetcher's address rules.

`download_media(page_url, workdir=...)` asks yt-dlp (as a library) for the one best
single-file format of the page's video and downloads it into a private folder of `workdir`.
Every request yt-dlp makes goes through `media.transport.GuardedRH`: resolved and checked by
the guard, connected to the checked address, redirects checked hop by hop, each response
capped at CAPTURE_MAX_BYTES, the whole run under CAPTURE_DEADLINE. No cookies file, cache,
plugins, proxy variables, JavaScript runtimes, ffmpeg, external downloaders or
post-processors.

Returns None when yt-dlp finds no video on the page; raises `FetchError` (stable `code`)
for everything else that goes wrong. yt-dlp is imported on first use: it is slow to import
and patches urllib3 and requests globally, which only the worker needs.
"""

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from provenance.capture.fetch.fetcher import FetchLimits, user_agent
from provenance.capture.shared import netguard
from provenance.capture.shared.fetch_errors import FetchError, deadline_error
from provenance.capture.shared.storage import hash_file

# Fields of yt-dlp's info dict kept with the capture (each a str or a number).
INFO_FIELDS = ("id", "title", "uploader", "timestamp", "duration", "width", "height", "ext")
INFO_FIELDS += ("webpage_url", "extractor", "format_id", "protocol", "playlist_count")
NO_MEDIA_MESSAGES = ("Unsupported URL", "No video formats found")


@dataclass
class MediaResult:
    page_url: str
    media_url: str  # the address the file was downloaded from (a manifest for HLS/DASH)
    path: Path
    sha256: str
    size: int
    info: dict  # JSON-safe: INFO_FIELDS that yt-dlp filled in
    requests: list[dict]  # url, method, then status and remote_ip, or error (also on read)
    request_count: int
    yt_dlp_version: str
    timings: dict = field(default_factory=dict)

    @property
    def urls(self) -> list[str]:
        return [r["url"] for r in self.requests]

    def cleanup(self) -> None:
        """Remove the downloaded file and its folder (call once it has been stored)."""
        shutil.rmtree(self.path.parent, ignore_errors=True)


class _Log:
    """yt-dlp's logger: nothing printed, the last warnings and errors kept for reports."""

    def __init__(self):
        self.messages: list[str] = []

    def debug(self, msg):
        pass

    info = debug

    def warning(self, msg):
        self.messages = [*self.messages[-9:], str(msg)]

    error = warning


def ytdl_params(outdir: Path, limits: FetchLimits, log: _Log, hook) -> dict:
    no_ffmpeg = outdir / ".no-ffmpeg"  # an empty folder: ffmpeg is never found, never run
    no_ffmpeg.mkdir()
    return {
        "format": "best",  # one file with video and audio: no merging
        "http_headers": {"User-Agent": user_agent()},  # extractors may set their own
        "noplaylist": True,
        "playlist_items": "1",
        "outtmpl": {"default": "media.%(ext)s"},
        "paths": {"home": str(outdir), "temp": str(outdir)},
        "restrictfilenames": True,
        "overwrites": True,
        "continuedl": False,
        "quiet": True,
        "no_warnings": False,
        "noprogress": True,
        "no_color": True,
        "logger": log,
        "progress_hooks": [hook],
        "cachedir": False,
        "cookiefile": None,
        "usenetrc": False,
        "proxy": "",
        "geo_bypass": False,
        "enable_file_urls": False,
        "socket_timeout": limits.read_timeout,
        "max_filesize": limits.max_bytes,
        "retries": 0,
        "fragment_retries": 0,
        "file_access_retries": 0,
        "extractor_retries": 0,
        "skip_unavailable_fragments": False,
        "concurrent_fragment_downloads": 1,
        "external_downloader": {"default": "native"},
        "ffmpeg_location": str(no_ffmpeg),
        "postprocessors": [],
        "fixup": "never",
        "check_formats": False,
        "js_runtimes": {},
        "remote_components": [],
        "warn_when_outdated": False,
        "writethumbnail": False,
        "writesubtitles": False,
        "writeinfojson": False,
        "getcomments": False,
    }


def download_media(
    page_url: str, *, workdir: Path, limits: FetchLimits | None = None
) -> MediaResult | None:
    """Download the video behind `page_url` (or at it) into `workdir`; None if there is none.

    Raises `FetchError`: the fetcher's codes (refused_address, dns_failed, timeout,
    too_large, deadline, http_error, gone...); media_unsupported (a live stream, RTMP...:
    nothing the native downloaders can fetch); media_unavailable (the site refused: private,
    removed, login or region walls); media_failed (anything else yt-dlp reports; retryable).
    """
    from yt_dlp import version as ytdl_version

    from provenance.capture.media.transport import GuardedTransport, MediaYDL

    limits = limits or FetchLimits.from_settings()
    netguard.check_url(page_url)
    Path(workdir).mkdir(parents=True, exist_ok=True)
    outdir = Path(tempfile.mkdtemp(prefix="media-", dir=workdir))
    transport = GuardedTransport(limits)
    log = _Log()
    began = time.monotonic()

    def size_hook(progress: dict) -> None:
        sizes = (progress.get("downloaded_bytes"), progress.get("total_bytes"))
        if any(size and size > limits.max_bytes for size in sizes):
            raise _too_large(limits)

    params = ytdl_params(outdir, limits, log, size_hook)
    transport.start()
    try:
        with MediaYDL(params, transport=transport) as ydl:
            info = _run(ydl, page_url, transport, log)
        if info is None:
            shutil.rmtree(outdir, ignore_errors=True)
            return None
        path, download = _downloaded_file(info, outdir, transport, log)
        sha256, size = hash_file(path)
        if size > limits.max_bytes:
            raise _too_large(limits)
    except BaseException:
        shutil.rmtree(outdir, ignore_errors=True)
        raise
    finally:
        transport.close()
    return MediaResult(
        page_url=page_url,
        media_url=str(download.get("url") or info.get("url") or ""),
        path=path,
        sha256=sha256,
        size=size,
        info=_metadata({**info, **download}),
        requests=transport.requests,
        request_count=transport.request_count,
        yt_dlp_version=ytdl_version.__version__,
        timings={"total_ms": round((time.monotonic() - began) * 1000, 1)},
    )


def _run(ydl, page_url: str, transport, log: _Log) -> dict | None:
    from yt_dlp.utils import DownloadError, ExtractorError, UnsupportedError

    try:
        info = ydl.extract_info(page_url, download=True)
    except FetchError:
        if transport.watchdog.fired:
            raise deadline_error(transport.limits.deadline) from None
        raise
    except DownloadError as exc:
        if transport.watchdog.fired:
            raise deadline_error(transport.limits.deadline) from exc
        original = _original(exc)
        if isinstance(original, UnsupportedError) or _says_no_media(str(exc)):
            return None
        if fetch_error := _cause(exc):
            raise fetch_error from exc
        if transport.failures:
            raise transport.failures[-1] from exc
        if isinstance(original, ExtractorError) and original.expected:
            raise FetchError(  # private, removed, login or region walls: retrying cannot help
                "media_unavailable",
                f"The site did not give out the video: {_reason(str(exc), log)}",
            ) from exc
        raise _failed(str(exc), log) from exc
    if transport.watchdog.fired:
        raise deadline_error(transport.limits.deadline)
    if info and info.get("_type") == "playlist":
        entries = [e for e in info.get("entries") or [] if e]
        info = entries[0] if entries else None
    return info


def _downloaded_file(info: dict, outdir: Path, transport, log: _Log) -> tuple[Path, dict]:
    downloads = info.get("requested_downloads") or []
    download = downloads[0] if downloads else {}
    path = Path(download.get("filepath") or info.get("filepath") or "")
    if path.name and path.is_file() and path.resolve().parent == outdir.resolve():
        return path, download
    # yt-dlp returned without a file: a size limit, a filter, or a download it gave up on.
    if transport.failures:
        raise transport.failures[-1]
    raise _failed("yt-dlp finished without downloading a file.", log)


def _cause(exc: BaseException) -> FetchError | None:
    """The FetchError behind a yt-dlp error: its exc_info, causes and contexts."""
    todo, seen = [exc], []
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        if isinstance(current, FetchError):
            return current
        if attached := getattr(current, "fetch_error", None):
            return attached
        exc_info = getattr(current, "exc_info", None)
        linked = [current.__cause__, current.__context__, getattr(current, "cause", None)]
        if exc_info and len(exc_info) > 1:
            linked.append(exc_info[1])
        todo.extend(e for e in linked if isinstance(e, BaseException))
    return None


def _original(exc) -> BaseException | None:
    exc_info = getattr(exc, "exc_info", None)
    return exc_info[1] if exc_info and len(exc_info) > 1 else None


def _says_no_media(message: str) -> bool:
    return any(text in message for text in NO_MEDIA_MESSAGES)


def _reason(message: str, log: _Log) -> str:
    reason = message.removeprefix("ERROR: ").strip() or (log.messages[-1] if log.messages else "")
    return reason[:500]


def _failed(message: str, log: _Log) -> FetchError:
    return FetchError(
        "media_failed",
        f"yt-dlp could not download the video: {_reason(message, log)}",
        retryable=True,
    )


def _too_large(limits: FetchLimits) -> FetchError:
    from provenance.capture.media.transport import too_large

    return too_large("The video file is larger", limits.max_bytes)


def _metadata(info: dict) -> dict:
    kept = {}
    for name in INFO_FIELDS:
        value = info.get(name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            kept[name] = value
        else:
            kept[name] = str(value)[:1000]
    return kept
