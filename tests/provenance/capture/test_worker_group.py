"""The capture workers' group (`manage.py captureworkers`): how captures at once are split
over processes, the commands it starts, and how it starts and stops them together.

The group's behaviour is shown here with stand-in workers (small Python programs that print
what Celery prints); test_reliability.py runs the real command against a real broker.
"""

import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import psutil
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provenance.capture import worker_group
from provenance.capture.worker_group import READY_LINE, WorkerGroup, WorkerPlan, plan

pytestmark = pytest.mark.django_db(databases=[])


@pytest.mark.parametrize(
    ("concurrency", "processes", "cpus", "expected"),
    [
        (16, 0, 2, WorkerPlan(processes=2, threads=8)),  # one per CPU by default
        (16, 0, 4, WorkerPlan(processes=4, threads=4)),
        (16, 3, 2, WorkerPlan(processes=3, threads=6)),  # rounded up: 18 at most
        (16, 1, 8, WorkerPlan(processes=1, threads=16)),  # the single-process set-up
        (3, 0, 8, WorkerPlan(processes=3, threads=1)),  # never more processes than captures
        (0, 0, 2, WorkerPlan(processes=1, threads=1)),
    ],
)
def test_plan_splits_captures_at_once_over_one_process_per_cpu(
    monkeypatch, concurrency, processes, cpus, expected
):
    monkeypatch.setattr(worker_group, "usable_cpus", lambda: cpus)
    assert plan(concurrency, processes) == expected


@pytest.mark.parametrize(
    ("processes", "allowed", "expected"),
    [
        (0, [0, 1], (0, 1)),  # one process per CPU: each on its own
        (0, [2, 5, 7], (2, 5, 7)),  # the CPUs this process may use (a cpuset)
        (1, [0, 1], ()),  # fewer processes than CPUs: the scheduler spreads them
        (3, [0, 1], ()),  # more processes than CPUs
        (0, [0], ()),  # one CPU: nothing to keep apart
    ],
)
def test_plan_pins_one_process_per_cpu_only(monkeypatch, processes, allowed, expected):
    monkeypatch.setattr(worker_group, "usable_cpus", lambda: len(allowed))
    monkeypatch.setattr(worker_group, "_allowed_cpus", lambda: allowed)
    assert plan(16, processes, pin_cpus=True).cpus == expected
    assert plan(16, processes, pin_cpus=False).cpus == ()
    if expected:
        assert (
            plan(16, processes, pin_cpus=True)
            .describe()
            .endswith(f"each on its own CPU ({', '.join(map(str, expected))})")
        )


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs two CPUs to tell pinned from not",
)
def test_group_starts_each_worker_on_its_cpu():
    first, second = sorted(os.sched_getaffinity(0))[:2]
    program = textwrap.dedent(
        """
        import os, signal, sys, threading, time
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        later = []
        thread = threading.Thread(target=lambda: later.append(os.sched_getaffinity(0)))
        thread.start(); thread.join()
        print("cpus", sorted(os.sched_getaffinity(0)), sorted(later[0]), flush=True)
        print("[INFO/MainProcess] w@host ready.", flush=True)
        time.sleep(60)
        """
    )
    out = io.StringIO()
    group = WorkerGroup(
        [[sys.executable, "-c", program]] * 3, out=out, summary="3", cpus=(second, first)
    )
    thread, result = _run_in_thread(group)
    _wait_for(lambda: READY_LINE in out.getvalue())
    group.request_stop(signal.SIGTERM)
    thread.join(15)
    assert result == [0]

    lines = sorted(line for line in out.getvalue().splitlines() if line.startswith("cpus"))
    everything = sorted(os.sched_getaffinity(0))
    assert lines == sorted(
        [
            f"cpus [{second}] [{second}]",
            f"cpus [{first}] [{first}]",
            f"cpus {everything} {everything}",  # the third has no CPU of its own
        ]
    )


def test_worker_commands_name_each_worker_and_run_beat_once():
    commands = worker_group.worker_commands(
        WorkerPlan(processes=3, threads=6), python="py", beat_schedule="/var/beat"
    )

    assert len(commands) == 3
    for index, command in enumerate(commands, start=1):
        assert command[:3] == ["py", "-m", "celery"]
        assert _option(command, "--pool") == "threads"
        assert _option(command, "--concurrency") == "6"
        assert _option(command, "--queues") == "celery"
        assert _option(command, "--hostname") == f"capture{index}@%h"
    assert _option(commands[0], "--schedule") == "/var/beat"
    assert [("--beat" in command) for command in commands] == [True, False, False]


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def _stand_in(name: str, *, exit_after: float | None = None, code: int = 0) -> list[str]:
    """A worker stand-in: says it is ready as Celery does, then waits for SIGTERM (exits
    0) or, with exit_after, exits with `code` by itself."""
    program = textwrap.dedent(
        f"""
        import signal, sys, time
        signal.signal(signal.SIGTERM, lambda *a: (print("{name} stopping", flush=True),
                                                  sys.exit(0)))
        print("[INFO/MainProcess] {name}@host ready.", flush=True)
        time.sleep({exit_after if exit_after is not None else 60})
        sys.exit({code})
        """
    )
    return [sys.executable, "-c", program]


def _run_in_thread(group: WorkerGroup) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(group.run()), daemon=True)
    thread.start()
    return thread, result


def _wait_for(predicate, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_group_says_all_ready_once_every_worker_is_and_stops_them_on_a_signal():
    out = io.StringIO()
    group = WorkerGroup(
        [_stand_in("capture1"), _stand_in("capture2")], out=out, summary="2 processes"
    )
    thread, result = _run_in_thread(group)
    _wait_for(lambda: READY_LINE in out.getvalue())

    lines = out.getvalue().splitlines()
    assert lines[-1] == f"Capture workers: 2 processes, {READY_LINE}"
    assert "[INFO/MainProcess] capture1@host ready." in lines
    assert "[INFO/MainProcess] capture2@host ready." in lines

    group.request_stop(signal.SIGTERM)
    thread.join(15)
    assert result == [0]
    assert all(child.returncode == 0 for child in group.children)  # SIGTERM, not killed
    assert "capture1 stopping" in out.getvalue()
    assert "capture2 stopping" in out.getvalue()


def test_group_is_not_ready_while_one_worker_is_still_starting():
    out = io.StringIO()
    slow = [sys.executable, "-c", "import time; time.sleep(60)"]  # never says ready
    group = WorkerGroup([_stand_in("capture1"), slow], out=out, summary="2 processes")
    thread, result = _run_in_thread(group)
    _wait_for(lambda: "capture1@host ready." in out.getvalue())
    time.sleep(0.5)

    assert READY_LINE not in out.getvalue()
    group.request_stop(signal.SIGTERM)
    thread.join(15)
    assert result == [0]


def test_when_one_worker_exits_the_group_stops_the_others_and_reports_its_code():
    out = io.StringIO()
    group = WorkerGroup(
        # capture2 exits once capture1 has had time to start and set up its SIGTERM handler.
        [_stand_in("capture1"), _stand_in("capture2", exit_after=2, code=3)],
        out=out,
        summary="2 processes",
    )
    thread, result = _run_in_thread(group)
    thread.join(20)

    assert result == [3]
    assert "exited with code 3; stopping the others" in out.getvalue()
    assert "capture1 stopping" in out.getvalue()
    assert all(child.poll() is not None for child in group.children)


def test_a_worker_killed_by_a_signal_is_reported_as_a_shell_would():
    out = io.StringIO()
    group = WorkerGroup([_stand_in("capture1"), _stand_in("capture2")], out=out, summary="2")
    thread, result = _run_in_thread(group)
    _wait_for(lambda: READY_LINE in out.getvalue())

    group.children[1].send_signal(signal.SIGKILL)  # an OOM kill
    thread.join(20)

    assert result == [128 + signal.SIGKILL]
    assert group.children[0].returncode == 0  # the other one was stopped, not killed


def test_workers_die_with_the_group_process_even_when_it_is_killed(tmp_path):
    """SIGKILL leaves the group no chance to stop its workers: the kernel sends them
    SIGTERM (PR_SET_PDEATHSIG), so none is left running."""
    program = textwrap.dedent(
        f"""
        import sys
        from provenance.capture.worker_group import WorkerGroup
        stand_in = {_stand_in("capture1")!r}
        WorkerGroup([stand_in, stand_in], out=sys.stdout, summary="2").run()
        """
    )
    group = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-c", program], stdout=subprocess.PIPE, text=True
    )
    try:
        for line in group.stdout:
            if READY_LINE in line:
                break
        workers = psutil.Process(group.pid).children()
        assert len(workers) == 2
    finally:
        group.kill()
        group.wait(10)

    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"processes": -1}, "--processes"),
        ({"concurrency": 0}, "--concurrency"),
    ],
)
def test_captureworkers_refuses_impossible_sizes_with_a_clear_error(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("captureworkers", **options)
