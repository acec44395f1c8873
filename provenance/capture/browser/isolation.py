"""Keeping Chromium's own network and processes in check, whatever the page does.

`isolated_executable` starts Chromium in a network namespace of its own (no interface but
an empty loopback) where the kernel allows it; `dead_port` is where its proxy points, so a
connection that escapes request interception is refused on this machine; the process
helpers kill whatever browser or driver process outlives a capture.

Chromium keeps its own sandbox unless the worker runs as root: an unprivileged worker maps
its own user into the namespace (`--map-current-user`), where Chromium can still build its
sandbox; root (development only) maps root, where Chromium refuses to start without
`--no-sandbox` (see `chromium_args`).
"""

import asyncio
import contextlib
import functools
import os
import shlex
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import psutil
from django.conf import settings

# Chromium's own launch arguments; `chromium_args` adds --no-sandbox for root only.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-bypass-list=<-loopback>",  # loopback too goes to the dead proxy
    # STUN/TURN over UDP ignores the proxy otherwise: a page could send packets anywhere.
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]
# One browser session at a time looks for the Playwright driver it started (see
# `start_owned`): the worker runs several sessions in threads.
_DRIVER_START = threading.Lock()


def running_as_root() -> bool:
    return os.geteuid() == 0


def chromium_args(*, as_root: bool) -> list[str]:
    """Chromium's arguments. Its sandbox stays on unless the process is root, where
    Chromium will not start with it (development containers); the worker logs a warning
    at start-up then (provenance.capture.browser.status)."""
    return [*CHROMIUM_ARGS, "--no-sandbox"] if as_root else list(CHROMIUM_ARGS)


def _map_user() -> str:
    """Root maps root (Chromium then needs --no-sandbox anyway); anyone else maps their
    own user, so Chromium, not root in the namespace, keeps its sandbox."""
    return "--map-root-user" if running_as_root() else "--map-current-user"


@functools.cache
def network_namespaces_available() -> bool:
    """Whether this process may start Chromium in a new, empty network namespace (a user
    namespace maps the worker's user; container seccomp profiles often forbid it)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        probe = subprocess.run(  # noqa: S603 - fixed arguments
            [unshare, "--user", _map_user(), "--net", "true"],
            capture_output=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def isolated_executable(workdir: Path) -> str:
    """A launcher running CAPTURE_BROWSER_PATH in its own network namespace, or "" when
    namespaces are not available here (the other walls still hold)."""
    if not network_namespaces_available():
        return ""
    launcher = workdir / "chromium-netns"
    unshare = shlex.quote(shutil.which("unshare") or "unshare")
    browser = shlex.quote(settings.CAPTURE_BROWSER_PATH)
    launcher.write_text(f'#!/bin/sh\nexec {unshare} --user {_map_user()} --net -- {browser} "$@"\n')
    launcher.chmod(0o700)
    return str(launcher)


@contextlib.contextmanager
def dead_port():
    """A loopback port that is bound but never listens: connecting to it is refused. Held
    for the whole session so no other program can start listening there."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


@contextlib.asynccontextmanager
async def start_owned(starter, *, stop_within: float):
    """`async with starter` (async_playwright()), then kill what is left of the driver
    process it started and everything under it (a browser that would not close, a driver
    stuck on it). Several sessions run at once in one worker, so "new since the capture
    began" is not "ours": the driver is the child process that appeared while this session
    held the lock."""
    with _DRIVER_START:
        before = {p.pid for p in _children()}
        entered = await starter.__aenter__()
        new = [p for p in _children() if p.pid not in before and _is_browser(p)]
    driver = new[0] if len(new) == 1 else None
    try:
        yield entered
    finally:
        try:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(starter.__aexit__(None, None, None), stop_within)
        finally:
            kill_process_tree(driver)


def kill_process_tree(process: psutil.Process | None) -> None:
    """Kill a browser session's driver and everything under it (Chromium and its helpers)
    that is still alive: a browser that would not close, a driver stuck on it."""
    if process is None:
        return
    try:
        doomed = [*process.children(recursive=True), process]
    except psutil.Error:
        return
    for member in doomed:
        with contextlib.suppress(psutil.Error):
            member.kill()
    psutil.wait_procs(doomed, timeout=5)


def _children() -> list[psutil.Process]:
    try:
        return psutil.Process().children()
    except psutil.Error:
        return []


def _descendants() -> list[psutil.Process]:
    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def _is_browser(process: psutil.Process) -> bool:
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return False
    return "chrom" in command or "playwright" in command
