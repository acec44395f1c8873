"""Attribution of django-simple-history records outside a request (commands, tasks)."""

from django.db import models


def save_attributed(instance: models.Model, *, actor, update_fields=None) -> None:
    """Validate and save `instance`, recording `actor` in its history row."""
    instance.full_clean()
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance.save(update_fields=update_fields)
