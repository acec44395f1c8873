"""Set-up of Celery worker processes: database connections kept from one task to the
next, and the objects alive at start-up frozen out of the garbage collector's walks.

Celery's Django fixup closes every connection before and after each task, so each capture
paid for a new PostgreSQL connection (a server process forked, authentication). When
CELERY_WORKER_CONN_MAX_AGE is above 0, settings set CELERY_DB_REUSE_MAX so the fixup
leaves connections open (it still recycles them every that many tasks), and the handlers
below do what Django does around a web request: `close_old_connections()` before and
after each task closes a connection past its age, broken by an error or left in a
transaction, and a health check before its first use in a task (CONN_HEALTH_CHECKS) drops
one the server closed meanwhile. Tasks run eagerly (tests, debugging) are left alone.

The capture workers run a thread pool (`--pool threads`): Django gives each thread its own
connections, all made from the one settings dict per database, so setting the age there
once in the main process (`worker_init`) covers every pool thread; the handlers run in the
thread that ran the task and only touch that thread's connections. A prefork pool process
gets the same from `worker_process_init`.

Imported by `provenance.tasks`, so every worker that runs our tasks connects them.
"""

import gc

from celery.signals import (
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_init,
    worker_ready,
)
from django.conf import settings
from django.db import close_old_connections, connections


def _keeping() -> bool:
    return settings.CELERY_WORKER_CONN_MAX_AGE > 0


@worker_init.connect
@worker_process_init.connect
def keep_connections(**_kwargs) -> None:
    """In the worker and each pool process: connections (of every thread, made from these
    settings) live CELERY_WORKER_CONN_MAX_AGE seconds."""
    if not _keeping():
        return
    for alias in connections:
        database = connections.settings[alias]
        database["CONN_MAX_AGE"] = settings.CELERY_WORKER_CONN_MAX_AGE
        database["CONN_HEALTH_CHECKS"] = True
    for connection in connections.all(initialized_only=True):  # made before this signal
        connection.settings_dict["CONN_MAX_AGE"] = settings.CELERY_WORKER_CONN_MAX_AGE
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True


@task_prerun.connect
@task_postrun.connect
def close_unusable_connections(task=None, **_kwargs) -> None:
    if not _keeping() or task is None or getattr(task.request, "is_eager", False):
        return
    close_old_connections()


@worker_ready.connect
@worker_process_init.connect
def freeze_startup_objects(**_kwargs) -> None:
    """Move everything alive once the worker is up (Django, Celery, every module: some
    300,000 objects) out of the garbage collector's reach. Its full collections walked them
    all again and again: 5 to 7% of a capture worker's CPU. They stay alive for the whole
    process anyway; what the tasks create is collected as before."""
    gc.collect()
    gc.freeze()
