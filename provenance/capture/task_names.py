"""The registered names of the capture tasks (provenance/tasks.py).

The services send tasks by these names through the Celery app, so they never import the
tasks module that imports them. The names are the ones Celery derived from the module path
before they were made explicit: messages already queued in a broker still route, and
CELERY_TASK_ROUTES / CELERY_BEAT_SCHEDULE in settings use the same strings.
"""

RUN = "provenance.tasks.capture_run_task"
BROWSER = "provenance.tasks.capture_browser_task"
SWEEP = "provenance.tasks.capture_sweep_task"
RECAPTURE = "provenance.tasks.capture_recapture_task"
