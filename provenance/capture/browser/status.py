"""Whether browser captures are on, and if not, why and how to turn them on.

Said in three places, all from `browser_status()`: `make run` prints it at start, each
worker logs it when it is ready (with a warning when Chromium must run without its sandbox
because the worker is root), and a page captured while they are off gets a browser
capture row that says it was skipped and why (services.capture_enqueue).
"""

import logging
import os
from dataclasses import dataclass

from celery.signals import worker_ready
from django.conf import settings

from provenance.capture.browser.isolation import running_as_root

logger = logging.getLogger(__name__)
SKIPPED_CODE = "browser_off"


@dataclass(frozen=True)
class BrowserStatus:
    enabled: bool
    reason: str = ""  # why they are off, for a reader ("" when on)
    how: str = ""  # how to turn them on

    def notice(self) -> str:
        if self.enabled:
            return (
                "Browser captures are on: web pages and social posts also get a screenshot, "
                f"rendered DOM and WARC from Chromium ({settings.CAPTURE_BROWSER_PATH})."
            )
        return f"Browser captures are off: {self.reason}. {self.how}"

    def skipped_message(self) -> str:
        return f"No browser capture was made: {self.reason}. {self.how}"


def browser_status() -> BrowserStatus:
    path = settings.CAPTURE_BROWSER_PATH
    if settings.CAPTURE_BROWSER_ENABLED:
        return BrowserStatus(enabled=True)
    if not os.access(path, os.X_OK):
        return BrowserStatus(
            enabled=False,
            reason=f"Chromium is not installed (no executable at CAPTURE_BROWSER_PATH={path})",
            how=(
                "To turn them on, install Chromium (Debian: apt-get install chromium) or set "
                "CAPTURE_BROWSER_PATH to it, and restart."
            ),
        )
    return BrowserStatus(
        enabled=False,
        reason="they are turned off (CAPTURE_BROWSER_ENABLED=false)",
        how="To turn them on, set CAPTURE_BROWSER_ENABLED=true and restart.",
    )


@worker_ready.connect
def announce(**_kwargs) -> None:
    """Log the status once the worker is ready, and warn when the sandbox is off."""
    status = browser_status()
    logger.info("%s", status.notice())
    if status.enabled and running_as_root():
        logger.warning(
            "The worker runs as root, so Chromium runs with --no-sandbox: acceptable in "
            "development only. In production run the worker as an unprivileged user "
            "(docker-compose.yml does), where Chromium keeps its sandbox."
        )
