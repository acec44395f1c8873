"""Keeping Chromium's own network and processes in check, whatever the page does.

`isolated_executable` starts Chromium in a network namespace of its own (no interface but
an empty loopback) where the kernel allows it; `dead_port` is where its proxy points, so a
connection that escapes request interception is refused on this machine; the process
helpers kill whatever browser or driver process outlives a capture.
"""

import contextlib
import functools
import shlex
import shutil
import socket
import subprocess
from pathlib import Path

import psutil
from django.conf import settings


@functools.cache
def network_namespaces_available() -> bool:
    """Whether this process may start Chromium in a new, empty network namespace (a user
    namespace maps the worker's user; container seccomp profiles often forbid it)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        probe = subprocess.run(  # noqa: S603 - fixed arguments
            [unshare, "--user", "--map-root-user", "--net", "true"],
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
    launcher.write_text(
        f'#!/bin/sh\nexec {unshare} --user --map-root-user --net -- {browser} "$@"\n'
    )
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


def browser_processes() -> set[int]:
    return {p.pid for p in _descendants() if _is_browser(p)}


def kill_new_browser_processes(before: set[int]) -> None:
    """Kill browser and driver processes this capture started that are still alive (a
    browser that would not close, a driver stuck on it). A worker runs one capture at a
    time, so any new one is ours."""
    leftovers = [p for p in _descendants() if p.pid not in before and _is_browser(p)]
    for process in leftovers:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(leftovers, timeout=5)


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
