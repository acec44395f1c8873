"""Fetch failures with stable codes, and the translation of requests/urllib3 exceptions.

Codes are part of the capture record and the API; messages are sentences an analyst can act
on. `retryable` tells the task whether another attempt can help (timeouts, resets, refused
connections) or not (refusals, invalid URLs, size and redirect limits).
"""

import http.client
import ssl

import requests
from urllib3 import exceptions as u3


class FetchError(Exception):
    """A capture fetch failed: `code` is stable, `message` is a sentence for analysts."""

    def __init__(self, code: str, message: str, *, retryable: bool = False):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable


class CaptureRefused(FetchError):
    """The fetch was refused by a rule (address, scheme, size...); retrying cannot help."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message, retryable=False)


def deadline_error(seconds: float) -> FetchError:
    return FetchError(
        "deadline",
        f"The download did not finish within {seconds:g} seconds (CAPTURE_DEADLINE); the "
        "server is slow or the file is very large.",
        retryable=True,
    )


def classify(exc: BaseException, *, host: str, read_timeout: float) -> FetchError:
    """Name the failure behind a requests/urllib3/socket exception."""
    chain = _causes(exc)

    def first(*types):
        return next((e for e in chain if isinstance(e, types)), None)

    if first(requests.exceptions.InvalidSchema):
        return CaptureRefused("refused_scheme", "Only http and https URLs can be captured.")
    if first(requests.exceptions.InvalidURL, u3.LocationValueError, UnicodeError):
        return CaptureRefused("invalid_url", f"The address of {host} cannot be used: {exc}.")
    if tls := first(ssl.SSLError, u3.SSLError):
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or tls
        return FetchError(
            "tls_error",
            f"The secure connection to {host} failed ({reason}); its certificate may be "
            "invalid or expired.",
        )
    if first(u3.NewConnectionError, u3.ProxyError) and not first(TimeoutError):
        return FetchError(
            "connect_failed",
            f"Could not connect to {host}; the site may be down. Try again later.",
            retryable=True,
        )
    if first(requests.exceptions.ConnectTimeout, u3.ConnectTimeoutError):
        return FetchError(
            "timeout", f"Connecting to {host} timed out; try again later.", retryable=True
        )
    if first(requests.exceptions.Timeout, u3.TimeoutError, TimeoutError):
        return FetchError(
            "timeout",
            f"{host} sent nothing for {read_timeout:g} seconds (CAPTURE_READ_TIMEOUT); "
            "try again later.",
            retryable=True,
        )
    if first(ConnectionResetError, http.client.IncompleteRead, u3.IncompleteRead, BrokenPipeError):
        return FetchError(
            "connection_reset",
            f"{host} closed the connection before the response was complete; try again later.",
            retryable=True,
        )
    if bad := first(http.client.HTTPException, u3.HeaderParsingError, u3.InvalidHeader):
        return FetchError(
            "bad_response",
            f"{host} sent a malformed HTTP response ({type(bad).__name__}).",
        )
    if first(OSError, u3.ProtocolError, requests.exceptions.ConnectionError):
        return FetchError(
            "connect_failed",
            f"The connection to {host} failed ({exc}); try again later.",
            retryable=True,
        )
    return FetchError("bad_response", f"The response from {host} could not be read ({exc}).")


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        todo.extend(e for e in [*linked, *current.args] if isinstance(e, BaseException))
    return seen
