"""Waiting on something observable instead of sleeping a fixed time."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], what: str, *, timeout: float = 10.0, interval: float = 0.02
) -> T:
    """Poll `condition` until it returns something truthy, and return that.

    Fails the test with `what` (the thing waited for) after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"Timed out after {timeout:g} s waiting for {what}.")
        time.sleep(interval)
