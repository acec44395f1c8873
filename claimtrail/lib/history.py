"""Saving domain rows: edits applied to the row as it is now, and attribution of
django-simple-history records outside a request (commands, tasks)."""

from typing import TypeVar

from django.db import models, router
from django.db.models.deletion import Collector

from claimtrail.exceptions import NotFound

M = TypeVar("M", bound=models.Model)


def locked_for_edit(instance: M) -> M:
    """`instance`'s row as it is now, locked until the transaction ends, to apply an edit to.

    Saving the copy a caller read earlier would put back every field someone else saved
    since (a publication's state and verdict, another analyst's correction). FOR NO KEY
    UPDATE: new rows pointing at this one (links, captures) need not wait. NotFound when
    the row was deleted meanwhile; saving the old copy would have made it again.
    """
    found = (
        type(instance)._default_manager.select_for_update(no_key=True).filter(pk=instance.pk)
    ).first()
    if found is None:
        raise NotFound(f"This {instance._meta.verbose_name} was deleted meanwhile.")
    return found


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
