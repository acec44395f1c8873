"""Failed-login limiter shared by every way in: the token endpoint and session logins.

Failures are counted in the cache per client address and per username, from Django's
`user_login_failed` signal, which `authenticate()` sends wherever it is called. After
LOGIN_FAILURE_LIMIT failures within LOGIN_FAILURE_WINDOW seconds, that address or username
is locked for LOGIN_FAILURE_WINDOW seconds: the token endpoint and wrapped login views answer
429 with Retry-After, and `ThrottledModelBackend` refuses even a correct password, so a login
path that is not wrapped is still covered. A successful login clears its username's count.

Counting uses `cache.incr`, atomic on Redis and the local-memory cache, so concurrent
guesses cannot slip past the limit. The client address is REMOTE_ADDR, or the address
NUM_PROXIES hops back in X-Forwarded-For when DRF's NUM_PROXIES says how many proxies
to trust, as DRF's own throttles read it.
"""

import hashlib
import math
import time
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpResponse
from rest_framework.settings import api_settings

_PREFIX = "login-throttle"


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR unless DRF's NUM_PROXIES says to trust proxies."""
    remote_addr = request.META.get("REMOTE_ADDR", "") or ""
    num_proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not num_proxies or not forwarded:
        return remote_addr
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    return addresses[-min(num_proxies, len(addresses))] if addresses else remote_addr


def _keys(*, ip: str | None, username: str | None) -> list[str]:
    keys = []
    if ip:
        keys.append(f"{_PREFIX}:ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}")
    name = (username or "").strip().casefold()
    if name:
        keys.append(f"{_PREFIX}:user:{hashlib.sha256(name.encode()).hexdigest()[:32]}")
    return keys


def login_retry_after(*, ip: str | None, username: str | None) -> int:
    """Seconds until this address and username may try again; 0 when they may now."""
    keys = [f"{key}:locked-until" for key in _keys(ip=ip, username=username)]
    locked_until = max(cache.get_many(keys).values(), default=0)
    return max(0, math.ceil(locked_until - time.time()))


def login_failure_record(*, ip: str | None, username: str | None) -> None:
    """Count one failed login; the LOGIN_FAILURE_LIMIT-th within the window locks."""
    window = settings.LOGIN_FAILURE_WINDOW
    for key in _keys(ip=ip, username=username):
        count_key = f"{key}:failures"
        cache.add(count_key, 0, timeout=window)
        try:
            failures = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, timeout=window)
            failures = 1
        if failures >= settings.LOGIN_FAILURE_LIMIT:
            cache.set(f"{key}:locked-until", time.time() + window, timeout=window)
            cache.delete(count_key)


def login_success_record(*, username: str) -> None:
    """Forget a username's failures once it logs in (the address keeps its count)."""
    cache.delete_many([f"{key}:failures" for key in _keys(ip=None, username=username)])


def _request_ip(request) -> str | None:
    return client_ip(request) if request is not None and hasattr(request, "META") else None


@receiver(user_login_failed, dispatch_uid="claimtrail.login_throttle.failed")
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    ip = _request_ip(request)
    # Attempts refused while locked are not counted: the lock runs out on time.
    if login_retry_after(ip=ip, username=username):
        return
    login_failure_record(ip=ip, username=username)


@receiver(user_logged_in, dispatch_uid="claimtrail.login_throttle.succeeded")
def _on_logged_in(sender, request, user, **kwargs) -> None:
    login_success_record(username=user.get_username())


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses any login for a locked address or username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if login_retry_after(ip=_request_ip(request), username=username):
            # authenticate() stops at PermissionDenied and sends user_login_failed.
            raise PermissionDenied("Too many failed login attempts.")
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_throttled_message(wait: int) -> str:
    unit = "second" if wait == 1 else "seconds"
    return f"Too many failed login attempts. Try again in {wait} {unit}."


def throttled_login(view):
    """Wrap a session login view: a POST from a locked address or username gets a 429."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            wait = login_retry_after(
                ip=client_ip(request), username=request.POST.get("username", "")
            )
            if wait:
                return HttpResponse(
                    login_throttled_message(wait),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                    headers={"Retry-After": str(wait)},
                )
        return view(request, *args, **kwargs)

    return wrapper
