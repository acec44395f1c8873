"""What preserving a capture returns, and the pieces every capture method shares.

No database writes in any method's `preserve_*`: the service claims the capture, calls one of
them outside any transaction (network and file I/O are slow), then records the returned
`Outcome.fields` at once.
"""

from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

from provenance.capture.shared import custody
from provenance.capture.shared.storage import StoredFile, store_file
from provenance.capture.shared.warc import WarcContext

# The Capture fields that name a stored file.
FILE_FIELDS = ("blob", "warc", "thumbnail", "screenshot", "dom")


@dataclass
class Outcome:
    fields: dict
    embedded_media: list[str] = field(default_factory=list)
    failure: tuple[str, str] | None = None  # (code, message): preserved, yet not a success

    def stored_names(self) -> list[str]:
        """The names of the files stored for this capture (FILE_FIELDS that are set)."""
        return [self.fields[name] for name in FILE_FIELDS if self.fields.get(name)]


def elapsed_ms(since: float) -> int:
    """Milliseconds since a `time.monotonic()` reading."""
    return round((monotonic() - since) * 1000)


def warc_context(capture, *, started_at, metadata: dict) -> WarcContext:
    """What every WARC record of `capture` shares (its id, start, software, metadata)."""
    return WarcContext(
        capture_id=str(capture.public_id),
        started_at=started_at,
        software=custody.warc_software(),
        metadata=metadata,
    )


def stored_fields(
    *,
    content_type: str,
    blob: StoredFile,
    warc: StoredFile,
    metadata: dict,
    timings: dict,
    thumbnail: str = "",
) -> dict:
    """The Capture fields every method records once its bytes and WARC are stored: the
    main file (blob, hash, size, type), the WARC and its hash, and the custody details."""
    return {
        "content_type": content_type[:255],
        "size": blob.size,
        "sha256": blob.sha256,
        "blob": blob.name,
        "warc": warc.name,
        "warc_sha256": warc.sha256,
        "thumbnail": thumbnail,
        "metadata": metadata,
        "timings": timings,
        "software_version": custody.software_version(),
    }


def store_thumbnail(extracted: dict) -> str:
    """Store the thumbnail an extractor made (its path popped from `extracted`); its name."""
    path = extracted.pop("thumbnail_path", None)
    if not path:
        return ""
    try:
        return store_file(Path(path)).name
    finally:
        Path(path).unlink(missing_ok=True)
