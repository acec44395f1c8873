"""The fetch deadline's watchdog: it cuts a fetch's sockets when its time is up, and all of
a worker's watchdogs share one thread (test_fetch.py shows it against a trickling server)."""

import socket
import threading
import time

import pytest

from provenance.capture.shared import pinned
from provenance.capture.shared.pinned import Watchdog

pytestmark = pytest.mark.django_db(databases=[])


@pytest.fixture
def clock(monkeypatch):
    """A clock of this test's own, so others' watchdogs do not count."""
    fresh = pinned._AlarmClock()
    monkeypatch.setattr(pinned, "_clock", fresh)
    return fresh


def _watched_pair(watchdog: Watchdog) -> tuple[socket.socket, socket.socket]:
    ours, theirs = socket.socketpair()
    watchdog.watch(ours)
    return ours, theirs


def _cut_within(sock: socket.socket, seconds: float) -> bool:
    """True when a blocked read on `sock` is woken by its shutdown within `seconds`."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False


def test_a_watchdog_cuts_its_sockets_when_its_time_is_up(clock):
    watchdog = Watchdog(0.2)
    ours, theirs = _watched_pair(watchdog)
    watchdog.start()

    started = time.monotonic()
    assert _cut_within(ours, 5)
    assert 0.15 < time.monotonic() - started < 3
    assert watchdog.fired
    ours.close()
    theirs.close()


def test_a_cancelled_watchdog_leaves_its_sockets_alone(clock):
    watchdog = Watchdog(0.2)
    ours, theirs = _watched_pair(watchdog)
    watchdog.start()
    watchdog.cancel()

    assert not _cut_within(ours, 0.6)
    assert not watchdog.fired
    ours.close()
    theirs.close()


def test_a_sooner_deadline_added_later_fires_first(clock):
    late, soon = Watchdog(30), Watchdog(0.2)
    late_sock, late_peer = _watched_pair(late)
    soon_sock, soon_peer = _watched_pair(soon)
    late.start()
    soon.start()

    assert _cut_within(soon_sock, 5)
    assert not late.fired
    late.cancel()
    for sock in (late_sock, late_peer, soon_sock, soon_peer):
        sock.close()


def test_watchdogs_share_one_thread_whatever_the_number_of_fetches(clock):
    """One per fetch was a thread started and ended for every capture."""
    before = threading.active_count()
    watchdogs = [Watchdog(30) for _ in range(50)]
    for watchdog in watchdogs:
        watchdog.start()

    assert threading.active_count() <= before + 1
    for watchdog in watchdogs:
        watchdog.cancel()


def test_cancelled_watchdogs_do_not_pile_up_under_a_long_deadline(clock):
    for _ in range(5 * pinned._AlarmClock.COMPACT_FROM):
        watchdog = Watchdog(600)
        watchdog.start()
        watchdog.cancel()

    assert clock.pending() <= pinned._AlarmClock.COMPACT_FROM + 1
