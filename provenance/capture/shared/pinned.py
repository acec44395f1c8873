"""A requests adapter that connects only to the address the guard checked, under a deadline.

The pinning is requests-hardened's technique (its `IPFilterAdapter`): the urllib3 pool is keyed
on the checked IP while the Host header, TLS SNI and certificate check use the name. Its own
filter cannot be reused because it resolves again and checks only the first DNS answer, so
resolution and address rules come from `netguard` here.

Every socket is registered with a `Watchdog` that shuts it down when the fetch's wall-clock
deadline passes: read timeouts alone let a server trickle one byte at a time forever.
"""

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time

from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from provenance.capture.shared import netguard


class _AlarmClock:
    """Fires each watchdog whose deadline has passed, from one daemon thread per process.

    A `threading.Timer` per fetch started and ended a thread for every capture: a clone,
    its stack and GIL hand-offs the worker's other threads paid for. Cancelled watchdogs
    stay in the heap until they reach its top, or until they are most of it (then it is
    rebuilt without them), so a long deadline does not keep every finished fetch's.
    """

    COMPACT_FROM = 256

    def __init__(self):
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._cancelled = 0

    def add(self, deadline: float, watchdog: "Watchdog") -> None:
        with self._condition:
            self._drop_cancelled()
            if len(self._heap) >= self.COMPACT_FROM and self._cancelled * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if not entry[2].cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0
            heapq.heappush(self._heap, (deadline, next(self._order), watchdog))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="capture-watchdogs", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is watchdog:  # sooner than what the thread waits for
                self._condition.notify()

    def cancel(self, watchdog: "Watchdog") -> None:
        with self._condition:
            watchdog.cancelled = True
            self._cancelled += 1

    def pending(self) -> int:
        """Watchdogs in the heap, cancelled ones included (for tests)."""
        with self._condition:
            return len(self._heap)

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
            self._cancelled = max(0, self._cancelled - 1)

    def _next_due(self) -> "Watchdog":
        with self._condition:
            while True:
                self._drop_cancelled()
                if not self._heap:
                    self._condition.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait <= 0:
                    return heapq.heappop(self._heap)[2]
                self._condition.wait(wait)

    def _run(self) -> None:
        while True:
            self._next_due()._fire()


_clock = _AlarmClock()


def _new_clock_after_fork() -> None:
    """A forked child has no clock thread, and the parent's lock may be held in it."""
    global _clock
    _clock = _AlarmClock()


os.register_at_fork(after_in_child=_new_clock_after_fork)


class Watchdog:
    """Cuts every socket of one fetch when `seconds` have passed since `start()`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self.cancelled = False
        self.connect_ms: float | None = None  # of the latest new connection
        self._deadline = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._clock: _AlarmClock | None = None

    def start(self) -> None:
        self._deadline = time.monotonic() + self.seconds
        self._clock = _clock
        self._clock.add(self._deadline, self)

    def cancel(self) -> None:
        with self._lock:
            self._sockets.clear()
        if self._clock is None:
            self.cancelled = True
        elif not self.cancelled:
            self._clock.cancel(self)

    def remaining(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _cut(sock)

    def _fire(self) -> None:
        with self._lock:
            if self.cancelled:
                return
            self.fired = True
            for sock in self._sockets:
                _cut(sock)


def _cut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also under TLS: it wakes a blocked recv in the fetch thread
    # without touching the SSL object that thread is using. A closed socket has no fd left.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watched(conn_cls: type, watchdog: Watchdog) -> type:
    def _new_conn(self):
        started = time.monotonic()
        sock = conn_cls._new_conn(self)
        watchdog.connect_ms = round((time.monotonic() - started) * 1000, 1)
        watchdog.watch(sock)
        return sock

    return type(f"Watched{conn_cls.__name__}", (conn_cls,), {"_new_conn": _new_conn})


def _watched_pool_classes(watchdog: Watchdog) -> dict[str, type]:
    http_conn = _watched(HTTPConnection, watchdog)
    https_conn = _watched(HTTPSConnection, watchdog)
    return {
        "http": type("WatchedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("WatchedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class PinnedAdapter(HTTPAdapter):
    """Checks each request's URL with the guard and connects to the address it returned.

    `target` holds the destination of the latest request (its IP is the hop's remote IP).
    """

    def __init__(self, watchdog: Watchdog):
        self.watchdog = watchdog
        self.target: netguard.Target | None = None
        self._pool_classes = _watched_pool_classes(watchdog)
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = self._pool_classes
        return manager

    def send(self, request, **kwargs):
        self.target = None
        self.watchdog.connect_ms = None
        self.target = netguard.resolve_url(request.url)
        return super().send(request, **kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        target = self.target
        if target is None or host_params["host"] != target.host:
            # Two URL parsers disagreeing about the host is how guards get bypassed.
            raise netguard.CaptureRefused(
                "refused_address", "The host to connect to is not the one that was checked."
            )
        name = f"[{target.host}]" if ":" in target.host else target.host
        if host_params["port"] is not None:
            name += f":{host_params['port']}"
        headers = CaseInsensitiveDict({"Host": name})
        headers.update((k, v) for k, v in request.headers.items() if k.lower() != "host")
        request.headers = headers
        if host_params["scheme"] == "https":
            pool_kwargs["assert_hostname"] = target.host
            pool_kwargs["server_hostname"] = target.host
        host_params["host"] = f"[{target.ip}]" if ":" in target.ip else target.ip
        return host_params, pool_kwargs
