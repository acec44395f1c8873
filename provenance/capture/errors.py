"""The capture pipeline's own exceptions, and how any failure becomes a code and a message.

Fetch failures come from provenance.capture.fetch.fetcher (FetchError); these cover what the
pipeline itself decides: a status worth retrying, a missing upload, a busy capture.
"""

import logging

from provenance.capture.fetch.fetcher import FetchError

logger = logging.getLogger(__name__)


class CaptureFailure(Exception):
    """A failure found by the pipeline itself (not the fetcher), with its stable code."""

    def __init__(self, code: str, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable


class CaptureRetry(Exception):
    """Raised by capture_run after putting the capture back in the queue; the task retries."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class CaptureBusy(Exception):
    """Another attempt holds the capture's lease; look again in `retry_in` seconds.

    Raised for a message delivered while the capture is fetching: Redis re-delivering a
    long task, or the pool process that ran it killed (reject_on_worker_lost). If that
    attempt is dead, its lease runs out and the next look claims the capture."""

    def __init__(self, retry_in: int):
        super().__init__(f"capture busy; retry in {retry_in}s")
        self.retry_in = retry_in


def describe_error(exc: Exception) -> tuple[str, str, bool]:
    if isinstance(exc, FetchError | CaptureFailure):
        return exc.code, exc.message, bool(exc.retryable)
    # A bug or a storage outage: retry (storage may come back), then fail with the reason.
    logger.exception("Capture failed inside Claimtrail")
    return (
        "internal_error",
        f"Claimtrail could not store or process the capture ({type(exc).__name__}: {exc}).",
        True,
    )
