from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "provenance"

    def ready(self) -> None:
        """Register the Celery tasks in every process, web ones included: the capture
        services send them by name (provenance/capture/task_names.py) and a task the app
        knows is sent with its own options, or run inline under CELERY_TASK_ALWAYS_EAGER."""
        from provenance import tasks  # noqa: F401
