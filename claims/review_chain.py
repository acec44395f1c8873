"""The review log in the database: sealing each new event into its claim's hash chain,
and reading events back as the plain dicts claims.review_log checks."""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from claims.models import ReviewEvent
from claims.review_log import GENESIS, review_event_sha256

# Columns of one event row, joined to the captures it relied on (one row per capture).
ROW_FIELDS = (
    "id",
    "public_id",
    "claim_id",
    "claim__public_id",
    "actor_id",
    "from_state",
    "to_state",
    "from_verdict",
    "to_verdict",
    "from_credibility",
    "to_credibility",
    "comment",
    "created_at",
    "revision__sha256",
    "previous_sha256",
    "sha256",
    "capture_links__sha256",
)
# Rows fetched per round trip when the whole log is read.
CHUNK_SIZE = 2000


def _event(row: dict) -> dict:
    return {
        "id": row["id"],
        "public_id": row["public_id"],
        "claim_id": row["claim_id"],
        "claim_public_id": row["claim__public_id"],
        "actor_id": row["actor_id"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "from_verdict": row["from_verdict"],
        "to_verdict": row["to_verdict"],
        "from_credibility": row["from_credibility"],
        "to_credibility": row["to_credibility"],
        "comment": row["comment"],
        "created_at": row["created_at"],
        "revision_sha256": row["revision__sha256"],
        "previous_sha256": row["previous_sha256"],
        "sha256": row["sha256"],
        "capture_sha256s": [],
    }


def _rows(events: QuerySet[ReviewEvent]) -> QuerySet[dict]:
    return events.order_by("claim_id", "created_at", "id", "capture_links__id").values(*ROW_FIELDS)


def _grouped(rows: Iterable[dict]) -> Iterator[dict]:
    """One dict per event from its rows (consecutive), with `capture_sha256s`."""
    current = None
    for row in rows:
        if current is None or current["id"] != row["id"]:
            if current is not None:
                yield current
            current = _event(row)
        if row["capture_links__sha256"] is not None:
            current["capture_sha256s"].append(row["capture_links__sha256"])
    if current is not None:
        yield current


def review_log_events(*, claim_ids: Iterable[int] | None = None) -> Iterator[dict]:
    """Every review event (or those of `claim_ids`) as claims.review_log takes them,
    grouped by claim, oldest first. One query, read CHUNK_SIZE rows at a time (a
    server-side cursor on PostgreSQL), so the whole log never sits in memory."""
    events = ReviewEvent.objects.all()
    if claim_ids is not None:
        events = events.filter(claim_id__in=list(claim_ids))
    return _grouped(_rows(events).iterator(chunk_size=CHUNK_SIZE))


def review_event_seal(*, event: ReviewEvent) -> None:
    """Store `event`'s SHA-256 and its claim's previous event's, chaining it to the log.

    Precondition: the caller holds the claim's row lock (claim_review) and has written
    everything the event records (its captures, its revision), so no other event of the
    claim can slip in between and the hash covers the event as it stays. Three queries.
    """
    previous = (
        ReviewEvent.objects.filter(claim_id=event.claim_id)
        .exclude(pk=event.pk)
        .order_by("-created_at", "-id")
        .values_list("sha256", flat=True)
        .first()
    )
    (row,) = _grouped(_rows(ReviewEvent.objects.filter(pk=event.pk)))
    row["previous_sha256"] = GENESIS if previous is None else previous
    sha256 = review_event_sha256(row)
    ReviewEvent.objects.filter(pk=event.pk).update(
        sha256=sha256, previous_sha256=row["previous_sha256"]
    )
    event.sha256, event.previous_sha256 = sha256, row["previous_sha256"]
