"""Which stored files are still needed, and removing the ones that are not.

Capture files are content-addressed and shared: two captures of the same bytes point at
one blob, so a file goes only when no capture references it any more. Uploads live under
`uploads/<evidence id>/` in the default storage and belong to one evidence item.

A capture elsewhere may be reusing a file at the moment it becomes unreferenced (its row
is committed after the file is stored). `store_file` touches a file it reuses, and the
removals here spare a file changed after the moment they were told was safe: it stays for
`prune_orphan_files` to consider later.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import Storage, default_storage
from django.db.models import Q
from django.utils import timezone

from provenance.capture.shared.outcome import FILE_FIELDS
from provenance.capture.shared.storage import (
    capture_storage,
    delete_stored,
    stored_modified_at,
    stored_names,
)
from provenance.models import Capture, Evidence

logger = logging.getLogger(__name__)

CAPTURE_FOLDER = "sha256"
UPLOAD_FOLDER = "uploads"


@dataclass(frozen=True)
class StoredFileRef:
    area: str  # "captures" or "uploads"
    name: str
    size: int | None
    modified_at: datetime | None


def capture_file_names(captures: Iterable[Capture]) -> dict[str, datetime | None]:
    """The stored files of `captures`, each with the latest time one of them finished
    (None for a capture that never finished)."""
    files: dict[str, datetime | None] = {}
    for capture in captures:
        for field in FILE_FIELDS:
            name = getattr(capture, field)
            if not name:
                continue
            finished = capture.finished_at
            known = files.get(name)
            if name not in files or (finished and (known is None or finished > known)):
                files[name] = finished
    return files


def _referenced_capture_files(names: set[str]) -> set[str]:
    # One query; the file columns have no index, so this reads the captures table once.
    condition = Q()
    for field in FILE_FIELDS:
        condition |= Q(**{f"{field}__in": names})
    referenced: set[str] = set()
    for row in Capture.objects.filter(condition).values_list(*FILE_FIELDS):
        referenced.update(row)
    return referenced & names


def _remove(storage: Storage, name: str, *, not_after: datetime | None, **options) -> bool:
    modified_at = stored_modified_at(storage, name)
    if modified_at is None:
        return False  # already gone
    if not_after is None or modified_at > not_after:
        logger.info("Kept %s: changed since it was released; prune_orphan_files decides", name)
        return False
    delete_stored(storage, name, **options)
    return True


def capture_files_remove_unreferenced(*, files: dict[str, datetime | None]) -> list[str]:
    """Remove each of `files` (name → the moment it was last known in use) that no capture
    references now; returns the names removed. Run after the deleting transaction commits."""
    names = set(files)
    if not names:
        return []
    storage = capture_storage()
    unreferenced = sorted(names - _referenced_capture_files(names))
    return [name for name in unreferenced if _remove(storage, name, not_after=files[name])]


def upload_remove_unreferenced(*, name: str) -> bool:
    """Remove an upload (and its folder) unless some evidence still points at it."""
    if not name or Evidence.objects.filter(file=name).exists():
        return False
    return _remove(default_storage, name, not_after=timezone.now(), remove_empty_folder=True)


def orphan_files_find(*, min_age: timedelta) -> list[StoredFileRef]:
    """Stored files no capture (capture storage) or evidence (uploads) references, last
    changed more than `min_age` ago; younger ones may belong to a capture being recorded."""
    cutoff = timezone.now() - min_age
    referenced = set()
    for row in Capture.objects.values_list(*FILE_FIELDS).iterator(chunk_size=2000):
        referenced.update(row)
    uploads = set(Evidence.objects.exclude(file="").values_list("file", flat=True))
    found = []
    for area, storage, folder, known in (
        ("captures", capture_storage(), CAPTURE_FOLDER, referenced),
        ("uploads", default_storage, UPLOAD_FOLDER, uploads),
    ):
        for name in stored_names(storage, folder):
            if name in known:
                continue
            modified_at = stored_modified_at(storage, name)
            if modified_at is None or modified_at > cutoff:
                continue
            found.append(StoredFileRef(area, name, storage.size(name), modified_at))
    return found


def orphan_files_remove(*, orphans: Iterable[StoredFileRef], min_age: timedelta) -> list[str]:
    """Remove the files `orphan_files_find` reported, checking each again just before:
    still referenced by nobody, still older than `min_age`. Returns the names removed."""
    orphans = list(orphans)
    still_free = {
        "captures": {o.name for o in orphans if o.area == "captures"},
        "uploads": {o.name for o in orphans if o.area == "uploads"},
    }
    still_free["captures"] -= _referenced_capture_files(still_free["captures"])
    still_free["uploads"] -= set(
        Evidence.objects.filter(file__in=still_free["uploads"]).values_list("file", flat=True)
    )
    cutoff = timezone.now() - min_age
    removed = []
    for orphan in orphans:
        if orphan.name not in still_free[orphan.area]:
            continue
        if orphan.area == "captures":
            done = _remove(capture_storage(), orphan.name, not_after=cutoff)
        else:
            done = _remove(default_storage, orphan.name, not_after=cutoff, remove_empty_folder=True)
        if done:
            removed.append(orphan.name)
    return removed
