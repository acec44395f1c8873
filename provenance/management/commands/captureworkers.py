"""Run the capture workers: CAPTURE_WORKER_PROCESSES Celery thread-pool workers sharing
CAPTURE_WORKER_CONCURRENCY captures at once (see provenance/capture/worker_group.py).

`make run` (scripts/run.py) and docker-compose.yml start the capture workers with this
command, and bench/capture.py measures them as started by it.
"""

import argparse
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from provenance.capture.worker_group import WorkerGroup, plan, worker_commands


class Command(BaseCommand):
    help = (
        "Start the capture workers (one Celery thread-pool worker per CPU by default) and "
        "stop them together."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.CAPTURE_WORKER_PROCESSES,
            help="Worker processes (default CAPTURE_WORKER_PROCESSES; 0: one per CPU).",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=settings.CAPTURE_WORKER_CONCURRENCY,
            help="Captures at once over all processes (default CAPTURE_WORKER_CONCURRENCY).",
        )
        parser.add_argument(
            "--pin-cpus",
            action=argparse.BooleanOptionalAction,
            default=settings.CAPTURE_WORKER_PIN_CPUS,
            help="With one process per CPU, keep each on a CPU of its own (default "
            "CAPTURE_WORKER_PIN_CPUS).",
        )
        parser.add_argument("--loglevel", default="INFO", help="Celery's log level (INFO).")
        parser.add_argument(
            "--beat-schedule",
            default="",
            help="Also run the periodic tasks (Celery beat) in the first worker, keeping "
            "their schedule in this file.",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="Without Celery's start-up banners."
        )

    def handle(
        self, *args, processes, concurrency, pin_cpus, loglevel, beat_schedule, quiet, **options
    ):
        if processes < 0:
            raise CommandError("--processes: give a number of processes, or 0 for one per CPU.")
        if concurrency < 1:
            raise CommandError("--concurrency: give a number of captures at once, 1 or more.")
        worker_plan = plan(concurrency, processes, pin_cpus=pin_cpus)
        commands = worker_commands(
            worker_plan, loglevel=loglevel, beat_schedule=beat_schedule, quiet=quiet
        )
        group = WorkerGroup(
            commands, out=sys.stdout, summary=worker_plan.describe(), cpus=worker_plan.cpus
        )
        signal.signal(signal.SIGTERM, group.request_stop)
        signal.signal(signal.SIGINT, group.request_stop)
        code = group.run()
        if code:
            sys.exit(code)
