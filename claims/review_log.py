"""The tamper-evident review log: each review event's SHA-256 and the chain they form.

Every ReviewEvent stores `sha256`, the hex SHA-256 of its canonical JSON
(`review_event_content`: what was decided, by whom, when, on which captures, the
published revision's hash, and the SHA-256 of the claim's previous event), and
`previous_sha256`, the claim's previous event's `sha256` ("" for its first event). So
each claim's events form a hash chain: editing, removing or inserting an event breaks it
at that event. `verify_review_chain` re-checks one claim's chain and names the first
broken link.

No Django here: plain dicts in, so that a script holding an export of the log can copy
this module (and claimtrail/lib/canonical.py) to check it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from claimtrail.lib.canonical import canonical_sha256

# previous_sha256 of a claim's first event.
GENESIS = ""
# Bumped whenever review_event_content changes shape; part of what is hashed.
CONTENT_VERSION = 1
# The keys an event dict passed to this module needs.
EVENT_KEYS = (
    "public_id",
    "claim_public_id",
    "actor_id",
    "from_state",
    "to_state",
    "from_verdict",
    "to_verdict",
    "from_credibility",
    "to_credibility",
    "comment",
    "created_at",
    "capture_sha256s",
    "revision_sha256",
    "previous_sha256",
    "sha256",
)


def _timestamp(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def review_event_content(event: Mapping) -> dict:
    """The canonical JSON value an event's `sha256` covers (every key of EVENT_KEYS but
    `sha256`; captures as their sorted SHA-256s)."""
    return {
        "version": CONTENT_VERSION,
        "event": str(event["public_id"]),
        "claim": str(event["claim_public_id"]),
        "actor": event["actor_id"],
        "from_state": event["from_state"],
        "to_state": event["to_state"],
        "from_verdict": event["from_verdict"],
        "to_verdict": event["to_verdict"],
        "from_credibility": event["from_credibility"],
        "to_credibility": event["to_credibility"],
        "comment": event["comment"],
        "created_at": _timestamp(event["created_at"]),
        "captures": sorted(event["capture_sha256s"]),
        "revision": event["revision_sha256"] or None,
        "previous": event["previous_sha256"],
    }


def review_event_sha256(event: Mapping) -> str:
    """Hex SHA-256 of review_event_content(event)."""
    return canonical_sha256(review_event_content(event))


@dataclass(frozen=True)
class BrokenLink:
    """The first event of a claim's chain that does not check out, and why."""

    claim_public_id: str
    event_public_id: str
    reason: str

    def __str__(self) -> str:
        return f"claim {self.claim_public_id}: review event {self.event_public_id} {self.reason}"


def verify_review_chain(events: Iterable[Mapping]) -> BrokenLink | None:
    """The first broken link of one claim's events (oldest first), or None.

    An event is broken when its content no longer hashes to its `sha256` (it was
    edited), or its `previous_sha256` is not the `sha256` of the event before it (an
    event was removed or inserted before it, or the link itself was edited).
    """
    previous = GENESIS
    for event in events:
        claim, public_id = str(event["claim_public_id"]), str(event["public_id"])
        if event["previous_sha256"] != previous:
            expected = previous or "nothing (the claim's first event)"
            reason = (
                f"follows {event['previous_sha256'] or 'nothing'}, "
                f"but the event before it is {expected}"
            )
            return BrokenLink(claim, public_id, reason)
        if review_event_sha256(event) != event["sha256"]:
            reason = (
                f"does not match its SHA-256 {event['sha256'] or '(none)'}: "
                "it was changed after it was recorded"
            )
            return BrokenLink(claim, public_id, reason)
        previous = event["sha256"]
    return None


def verify_review_log(events: Iterable[Mapping]) -> list[BrokenLink]:
    """The first broken link of each claim's chain; `events` ordered by claim, then oldest
    first (each claim's events together)."""
    broken = []
    chain: list[Mapping] = []
    for event in events:
        if chain and event["claim_public_id"] != chain[0]["claim_public_id"]:
            broken.append(verify_review_chain(chain))
            chain = []
        chain.append(event)
    if chain:
        broken.append(verify_review_chain(chain))
    return [link for link in broken if link is not None]
