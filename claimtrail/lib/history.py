"""Attribution of django-simple-history records outside a request (commands, tasks)."""

from django.db import models, router
from django.db.models.deletion import Collector


def save_attributed(instance: models.Model, *, actor, update_fields=None) -> None:
    """Validate and save `instance`, recording `actor` in its history row."""
    instance.full_clean()
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance.save(update_fields=update_fields)


def delete_attributed(instances, *, actor) -> None:
    """Delete `instances` and what cascades from them, recording `actor` in the history
    row of every deleted row that keeps history (a plain `delete()` leaves the history of
    cascaded rows without a user). Raises ProtectedError like `delete()`."""
    instances = list(instances)
    if not instances:
        return
    collector = Collector(using=router.db_for_write(type(instances[0])))
    for model in {type(instance) for instance in instances}:
        collector.collect([instance for instance in instances if type(instance) is model])
    if actor is not None and getattr(actor, "is_authenticated", False):
        for collected in collector.data.values():
            for instance in collected:
                instance._history_user = actor
    collector.delete()
