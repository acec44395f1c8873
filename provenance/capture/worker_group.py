"""The capture workers: one Celery thread-pool worker process per CPU, started and stopped
as one (`manage.py captureworkers`, run by `make run` and docker-compose.yml).

Captures mostly wait on the network, so each process runs its share of
CAPTURE_WORKER_CONCURRENCY in threads. But hashing, writing WARCs and the ORM are Python,
and one process runs Python on one core at a time (the GIL): a single process left a
bytes-heavy batch at about one core of a machine's CPUs (bench/README.md). Splitting the
threads over CAPTURE_WORKER_PROCESSES processes (default: one per CPU this process may use)
keeps the same number of captures at once, and of database connections, while using every
core.

The group relays its workers' output, prints one line ending in READY_LINE once all of
them consume, passes SIGTERM and SIGINT on (Celery's warm shutdown: running captures
finish), and when one worker exits stops the others and exits with its code, so a
supervisor (`scripts/run.py`, Docker's restart policy) sees the failure.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

READY_LINE = "all ready."
CELERY_READY = " ready."  # Celery logs "<hostname> ready." once it consumes
HOSTNAME = "capture{index}@%h"
PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.2
RELAY_DRAIN_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerPlan:
    processes: int
    threads: int  # per process
    cpus: tuple[int, ...] = ()  # the CPU each process is pinned to; () when not pinned

    def describe(self) -> str:
        text = (
            f"{self.processes} process{'es' if self.processes != 1 else ''} "
            f"of {self.threads} thread{'s' if self.threads != 1 else ''}"
        )
        if self.cpus:
            text += f", each on its own CPU ({', '.join(map(str, self.cpus))})"
        return text


def _allowed_cpus() -> list[int]:
    """The CPUs this process may run on (a container's or taskset's limit included);
    empty where the system does not say (not Linux)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return []


def usable_cpus() -> int:
    """How many CPUs this process may use."""
    return len(_allowed_cpus()) or os.cpu_count() or 1


def plan(concurrency: int, processes: int = 0, *, pin_cpus: bool = False) -> WorkerPlan:
    """Split `concurrency` captures at once over `processes` workers (0: one per usable
    CPU), never more processes than captures; every process gets the same thread count,
    rounded up.

    With `pin_cpus`, and one process per usable CPU, each process is kept on a CPU of its
    own: its threads hand the GIL to one another many times a capture (at every hash,
    write, read and query), and each hand-off to a thread on another CPU wakes that CPU
    (an inter-processor interrupt, costly in a virtual machine). Pinned, the hand-offs stay
    on one CPU; alternated bytes-heavy runs went from 125.8 to 135.0 MB/s on 2 CPUs
    (bench/README.md). With fewer or more processes than CPUs nothing is pinned, so
    that the scheduler can still spread them."""
    concurrency = max(1, concurrency)
    processes = min(max(1, processes or usable_cpus()), concurrency)
    allowed = _allowed_cpus() if pin_cpus else []
    cpus = tuple(allowed) if len(allowed) == processes > 1 else ()
    return WorkerPlan(processes=processes, threads=math.ceil(concurrency / processes), cpus=cpus)


def worker_commands(
    worker_plan: WorkerPlan,
    *,
    python: str = sys.executable,
    queues: str = "celery",
    loglevel: str = "INFO",
    beat_schedule: str = "",
    quiet: bool = False,
) -> list[list[str]]:
    """One `celery worker` command line per process, named capture1@…, capture2@…; with
    `beat_schedule`, the first also runs beat (the periodic tasks must run once)."""
    commands = []
    for index in range(1, worker_plan.processes + 1):
        command = [python, "-m", "celery", *(["--quiet"] if quiet else [])]
        command += ["-A", "claimtrail", "worker", "--loglevel", loglevel]
        command += ["--pool", "threads", "--concurrency", str(worker_plan.threads)]
        command += ["--queues", queues, "--hostname", HOSTNAME.format(index=index)]
        if beat_schedule and index == 1:
            command += ["--beat", "--schedule", beat_schedule]
        commands.append(command)
    return commands


def _die_with_parent() -> None:
    """In the child: SIGTERM when the group's process dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _child_setup(cpu: int | None):
    """What a child does between fork and exec (system calls only, safe there): die with
    the group, and stay on `cpu` when given (threads it starts later inherit it)."""

    def setup() -> None:
        _die_with_parent()
        if cpu is not None:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, {cpu})

    return setup


class WorkerGroup:
    """Runs the commands as child processes in this process's group (a SIGKILL to the
    group reaches them all)."""

    def __init__(
        self,
        commands: list[list[str]],
        *,
        out=None,
        summary: str = "",
        cpus: tuple[int, ...] = (),
    ):
        self.commands = commands
        self.cpus = cpus  # the CPU of each command's process, or () for none
        self.out = out or sys.stdout
        self.summary = summary
        self.children: list[subprocess.Popen] = []
        self._relays: list[threading.Thread] = []
        self.stop_signal: int | None = None
        self._ready = 0
        self._lock = threading.Lock()

    def request_stop(self, signum: int, frame=None) -> None:
        self.stop_signal = signum

    def _say(self, line: str) -> None:
        with self._lock:
            self.out.write(line)
            self.out.flush()

    def _relay(self, child: subprocess.Popen) -> None:
        for line in child.stdout:
            self._say(line)
            if line.rstrip().endswith(CELERY_READY):
                with self._lock:
                    self._ready += 1
                    all_ready = self._ready == len(self.commands)
                if all_ready:
                    self._say(f"Capture workers: {self.summary}, {READY_LINE}\n")

    def start(self) -> None:
        for index, command in enumerate(self.commands):
            cpu = self.cpus[index] if index < len(self.cpus) else None
            child = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                preexec_fn=_child_setup(cpu),  # system calls only: safe before exec
            )
            self.children.append(child)
            relay = threading.Thread(target=self._relay, args=(child,), daemon=True)
            relay.start()
            self._relays.append(relay)

    def exited(self) -> subprocess.Popen | None:
        return next((child for child in self.children if child.poll() is not None), None)

    def stop(self) -> None:
        """Warm shutdown: each worker finishes the captures it is running."""
        for child in self.children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGTERM)
        for child in self.children:
            child.wait()
        for relay in self._relays:  # their last lines (the warm shutdown) are not lost
            relay.join(RELAY_DRAIN_SECONDS)

    def run(self) -> int:
        """Start, wait for a stop signal or a worker's exit, stop all; the exit code: 0
        when stopped by a signal, else the exited worker's (128 + N if signal N killed
        it, as a shell reports it; 1 if it exited with 0)."""
        self.start()
        exited = None
        while self.stop_signal is None and exited is None:
            time.sleep(POLL_SECONDS)
            exited = self.exited()
        if exited is not None:
            self._say(
                f"Capture workers: pid {exited.pid} exited with code {exited.returncode}; "
                "stopping the others\n"
            )
        self.stop()
        if exited is None:
            return 0
        if exited.returncode < 0:
            return 128 - exited.returncode
        return exited.returncode or 1
