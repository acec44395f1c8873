"""Failed-login limiter shared by every way in: the token endpoint and session logins.

Failures are counted in the cache from Django's `user_login_failed` signal, which
`authenticate()` sends wherever it is called, in three counters per window of
LOGIN_FAILURE_WINDOW seconds:
- per (client address, username): LOGIN_FAILURE_LIMIT failures lock that pair;
- per client address: LOGIN_ADDRESS_FAILURE_LIMIT failures, whatever the usernames, lock
  the address (one client spraying many usernames);
- per username: past LOGIN_USERNAME_FAILURE_LIMIT failures from anywhere the username is
  under attack, and each address then gets a single wrong guess at it per window before
  its pair is locked. This only slows distributed guessing: nothing is ever locked per
  username alone, so no client can lock `editor` out for everyone, and the right password
  from an address that is not locked always works.
A lock lasts LOGIN_FAILURE_WINDOW seconds: the token endpoint and wrapped login views answer
429 with Retry-After, and `ThrottledModelBackend` refuses even a correct password, so a
login path that is not wrapped is still covered. A successful login clears its pair's count.

Counting uses `cache.incr`, atomic on Redis and the local-memory cache, so concurrent
guesses cannot slip past the limit. The client address is REMOTE_ADDR, or the address
NUM_PROXIES hops back in X-Forwarded-For when DRF's NUM_PROXIES says how many proxies
to trust, as DRF's own throttles read it. A login without a request (`authenticate()` from
a shell) counts under one shared "no address".
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


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _address_key(ip: str | None) -> str:
    return f"{_PREFIX}:ip:{_digest(ip or '')}"


def _pair_key(ip: str | None, name: str) -> str:
    return f"{_PREFIX}:ip-user:{_digest(ip or '', name)}"


def _username_key(name: str) -> str:
    return f"{_PREFIX}:user:{_digest(name)}"


def _name(username: str | None) -> str:
    return (username or "").strip().casefold()


def _lock_keys(*, ip: str | None, username: str | None) -> list[str]:
    """The keys whose lock refuses this address and username: the address and the pair."""
    keys = [_address_key(ip)]
    name = _name(username)
    if name:
        keys.append(_pair_key(ip, name))
    return keys


def login_retry_after(*, ip: str | None, username: str | None) -> int:
    """Seconds until this address may try this username again; 0 when it may now."""
    keys = [f"{key}:locked-until" for key in _lock_keys(ip=ip, username=username)]
    locked_until = max(cache.get_many(keys).values(), default=0)
    return max(0, math.ceil(locked_until - time.time()))


def _count(key: str, window: int) -> int:
    count_key = f"{key}:failures"
    cache.add(count_key, 0, timeout=window)
    try:
        return cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=window)
        return 1


def _lock(key: str, window: int) -> None:
    cache.set(f"{key}:locked-until", time.time() + window, timeout=window)
    cache.delete(f"{key}:failures")


def login_failure_record(*, ip: str | None, username: str | None) -> None:
    """Count one failed login for the address, the pair and the username; lock when over."""
    window = settings.LOGIN_FAILURE_WINDOW
    if _count(_address_key(ip), window) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        _lock(_address_key(ip), window)
    name = _name(username)
    if not name:
        return
    under_attack = _count(_username_key(name), window) > settings.LOGIN_USERNAME_FAILURE_LIMIT
    pair_limit = 1 if under_attack else settings.LOGIN_FAILURE_LIMIT
    if _count(_pair_key(ip, name), window) >= pair_limit:
        _lock(_pair_key(ip, name), window)


def login_success_record(*, ip: str | None, username: str) -> None:
    """Forget this address's failures for the username once it logs in.

    The address and the username keep their counts: a login does not reset the limits
    against spraying or distributed guessing.
    """
    cache.delete(f"{_pair_key(ip, _name(username))}:failures")


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
    login_success_record(ip=_request_ip(request), username=user.get_username())


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses any login from a locked address or (address, username)."""

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
    """Wrap a session login view: a POST from a locked address or pair gets a 429."""

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
