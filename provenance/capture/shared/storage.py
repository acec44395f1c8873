"""Content-addressed storage for captured bytes, WARCs and thumbnails.

Every file is stored once under `sha256/ab/cd/<hash>` in the "captures" storage (the media
directory, or S3 when configured; see settings). The name is the hash, so two captures of
the same bytes share one file, and `verify_captures` can re-hash a file against its name.
"""

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, storages

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size: int


class StorageError(Exception):
    """The stored copy could not be written or read back as expected."""


def capture_storage() -> Storage:
    return storages["captures"]


def blob_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def hash_stream(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of a stream, read in chunks so memory stays flat."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def hash_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as fh:
        return hash_stream(fh)


def store_file(path: Path, *, sha256: str | None = None) -> StoredFile:
    """Store the file at `path` under its hash; a file already there is kept (dedup).

    `sha256` may be passed when the caller hashed the bytes while receiving them. A stored
    file of the wrong size (a write cut short elsewhere) is replaced.
    """
    size = path.stat().st_size
    if sha256 is None:
        sha256, size = hash_file(path)
    name = blob_name(sha256)
    storage = capture_storage()
    if storage.exists(name) and storage.size(name) == size and _touch(storage, name):
        return StoredFile(name=name, sha256=sha256, size=size)
    try:
        target = Path(storage.path(name))
    except NotImplementedError:
        _upload(storage, name, path)
    else:
        _place_atomically(path, target)
    return StoredFile(name=name, sha256=sha256, size=size)


def _touch(storage: Storage, name: str) -> bool:
    """Mark a file reused by a new capture as recently used, so that removal of files no
    capture references (which spares recent ones) leaves it alone while that capture is
    being recorded. False when the file was removed meanwhile: store it again."""
    try:
        os.utime(storage.path(name))
    except NotImplementedError:  # object stores: keys have no settable time
        return True
    except FileNotFoundError:
        return False
    return True


def _place_atomically(source: Path, target: Path) -> None:
    """Write beside the target under a temporary name, then rename over it.

    A reader never sees a half-written file and concurrent writers of the same hash just
    replace identical bytes. A hard link avoids copying when both sit on one filesystem.
    """
    if not target.parent.is_dir():  # a stat, cheaper than mkdir's FileExistsError
        target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copyfile(source, temporary)
        with open(temporary, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def release_cached_pages(names) -> None:
    """Ask the kernel to drop the page cache of stored files a capture has finished with.

    A capture's files are written once and seldom read soon after. Left cached, every
    capture's writes take fresh pages from free memory, and on a virtual machine whose host
    reclaims free memory a fresh page costs several times a reused one: half-way through
    500 captures of 1 MB the workers' system time doubled (bench/README.md). Dropped, the
    next capture's writes reuse these pages, and evidence bytes do not push the database's
    pages out of the cache. The files are already fsynced (`_place_atomically`), so only
    clean pages are dropped; object stores and systems without posix_fadvise are left as
    they are."""
    if not hasattr(os, "posix_fadvise"):
        return
    storage = capture_storage()
    for name in names:
        if not name:
            continue
        try:
            fd = os.open(storage.path(name), os.O_RDONLY)
        except (NotImplementedError, OSError):
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def _upload(storage: Storage, name: str, source: Path) -> None:
    """Object stores write a key whole or not at all, so no temporary name is needed."""
    with open(source, "rb") as fh:
        saved = storage.save(name, File(fh, name=name))
    if saved != name:
        raise StorageError(f"Storage renamed {name} to {saved}; enable file overwrite.")


def stored_file_exists(name: str) -> bool:
    return bool(name) and capture_storage().exists(name)


def open_stored(name: str) -> File:
    """Open a stored file for reading; raises FileNotFoundError when it is gone."""
    if not stored_file_exists(name):
        raise FileNotFoundError(name)
    return capture_storage().open(name, "rb")


def open_blob(capture) -> File:
    """The captured bytes (decoded body or uploaded file) of a capture."""
    return open_stored(capture.blob)


def open_warc(capture) -> File:
    return open_stored(capture.warc)


def open_thumbnail(capture) -> File:
    return open_stored(capture.thumbnail)


def open_screenshot(capture) -> File:
    return open_stored(capture.screenshot)


def open_dom(capture) -> File:
    return open_stored(capture.dom)


def stored_names(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under `folder` in `storage`, walked depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from stored_names(storage, f"{folder}/{sub}")


def stored_modified_at(storage: Storage, name: str) -> datetime | None:
    """When the stored file last changed (or was reused by a capture); None when gone."""
    try:
        return storage.get_modified_time(name)
    except (FileNotFoundError, OSError):
        return None


def delete_stored(storage: Storage, name: str, *, remove_empty_folder: bool = False) -> None:
    """Remove one stored file; with `remove_empty_folder`, also its folder once empty (an
    upload's own folder). Content-addressed shard folders stay: a capture being stored may
    be about to write into one."""
    storage.delete(name)
    if not remove_empty_folder:
        return
    try:
        Path(storage.path(name)).parent.rmdir()
    except (NotImplementedError, OSError):  # object stores have no folders; not empty
        return
