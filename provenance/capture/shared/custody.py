"""The chain of custody recorded with every capture: what answered, how, and with what tools.

An editor defending a capture must be able to say which software made it and what the
server said, so these values are stored verbatim (headers in their raw order,
duplicates kept) and never re-derived later.
"""

import platform
from functools import cache
from importlib import metadata as importlib_metadata

from django.conf import settings

# Libraries whose behaviour shapes the stored bytes, WARC or metadata.
LIBRARIES = (
    "Django",
    "celery",
    "requests",
    "requests-hardened",
    "urllib3",
    "warcio",
    "yt-dlp",
    "filetype",
    "extruct",
    "lxml",
    "pillow",
    "ImageHash",
    "playwright",
)
GONE_STATUSES = {404, 410}
# Statuses worth trying again later: the server may be overloaded or rate-limiting.
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def software_version() -> str:
    """Short form for Capture.software_version (100 characters)."""
    return f"claimtrail/{settings.CLAIMTRAIL_VERSION}"


@cache
def software_versions() -> dict[str, str]:
    versions = {"claimtrail": settings.CLAIMTRAIL_VERSION, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def warc_software() -> str:
    libraries = ", ".join(f"{k}/{v}" for k, v in software_versions().items() if k != "claimtrail")
    return f"Claimtrail/{settings.CLAIMTRAIL_VERSION} ({libraries})"


def header_pairs(headers) -> list[list[str]]:
    return [[str(name), str(value)] for name, value in headers]


def redirect_chain(hops) -> list[dict]:
    return [
        {
            "url": hop.url,
            "status": hop.status,
            "location": hop.location,
            "remote_ip": hop.remote_ip,
        }
        for hop in hops
    ]


def header_value(headers, name: str) -> str:
    name = name.lower()
    return next((value for key, value in headers if key.lower() == name), "")


def status_failure(status: int, reason: str, url: str) -> tuple[str, str, bool] | None:
    """(error_code, message, retryable) for a final status that is not a success."""
    if 200 <= status < 300:
        return None
    label = f"{status} {reason}".strip()
    if status in GONE_STATUSES:
        return (
            "gone",
            f"The link is gone: the server answered {label} for {url}. "
            "The earlier captures of this item are the record of what it showed.",
            False,
        )
    if status in TRANSIENT_STATUSES:
        return (
            "http_error",
            f"The server answered {label} for {url}; it may be overloaded or limiting "
            "requests. Re-queue the capture later.",
            True,
        )
    return (
        "http_error",
        f"The server answered {label} for {url} instead of the content. "
        "Check that the link opens in a browser without logging in.",
        False,
    )
