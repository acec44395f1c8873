"""claims.review_log: each event's hash over its canonical JSON, and the chain check, on
plain dicts (what a script holding an export of the log would pass)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from claims.review_log import (
    GENESIS,
    BrokenLink,
    review_event_content,
    review_event_sha256,
    verify_review_chain,
    verify_review_log,
)

START = datetime(2023, 5, 4, 9, 0, tzinfo=UTC)


def chain(claim: str, steps: list[tuple[str, str, str]]) -> list[dict]:
    """Events for `claim`, each hashed and linked to the one before."""
    events, previous = [], GENESIS
    for n, (from_state, to_state, verdict) in enumerate(steps):
        event = {
            "public_id": str(uuid.uuid4()),
            "claim_public_id": claim,
            "actor_id": 7,
            "from_state": from_state,
            "to_state": to_state,
            "from_verdict": "",
            "to_verdict": verdict,
            "from_credibility": None,
            "to_credibility": None,
            "comment": f"Step {n}",
            "created_at": START + timedelta(minutes=n),
            "capture_sha256s": ["bb" * 32, "aa" * 32] if to_state == "published" else [],
            "revision_sha256": "cc" * 32 if to_state == "published" else None,
            "previous_sha256": previous,
        }
        event["sha256"] = previous = review_event_sha256(event)
        events.append(event)
    return events


STEPS = [
    ("draft", "in_review", ""),
    ("in_review", "published", "refuted"),
    ("published", "archived", "refuted"),
]


def test_content_covers_every_field_and_sorts_captures():
    (event,) = chain("c1", [("draft", "published", "refuted")])

    content = review_event_content(event)

    assert content == {
        "version": 1,
        "event": event["public_id"],
        "claim": "c1",
        "actor": 7,
        "from_state": "draft",
        "to_state": "published",
        "from_verdict": "",
        "to_verdict": "refuted",
        "from_credibility": None,
        "to_credibility": None,
        "comment": "Step 0",
        "created_at": "2023-05-04T09:00:00.000000+00:00",
        "captures": ["aa" * 32, "bb" * 32],
        "revision": "cc" * 32,
        "previous": "",
    }


def test_timestamp_is_utc_whatever_the_zone_given():
    (event,) = chain("c1", [("draft", "in_review", "")])
    shifted = dict(
        event, created_at=event["created_at"].astimezone(datetime.now().astimezone().tzinfo)
    )

    assert review_event_sha256(shifted) == event["sha256"]


def test_an_intact_chain_verifies():
    assert verify_review_chain(chain("c1", STEPS)) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("comment", "Nothing to see."),
        ("to_verdict", "supported"),
        ("actor_id", 8),
        ("created_at", START + timedelta(days=1)),
        ("capture_sha256s", ["aa" * 32]),
        ("revision_sha256", "dd" * 32),
    ],
)
def test_an_edited_event_is_the_first_broken_link(field, value):
    events = chain("c1", STEPS)
    events[1][field] = value

    broken = verify_review_chain(events)

    assert broken == BrokenLink(
        "c1",
        events[1]["public_id"],
        f"does not match its SHA-256 {events[1]['sha256']}: it was changed after it was recorded",
    )


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link():
    events = chain("c1", STEPS)
    events[0]["comment"] = "Rewritten"
    events[0]["sha256"] = review_event_sha256(events[0])

    broken = verify_review_chain(events)

    assert broken.event_public_id == events[1]["public_id"]
    assert broken.reason.startswith(f"follows {events[1]['previous_sha256']}, but the event before")


def test_a_removed_event_breaks_the_chain_where_it_was():
    events = chain("c1", STEPS)
    del events[1]

    assert verify_review_chain(events).event_public_id == events[1]["public_id"]


def test_a_removed_first_event_breaks_the_chain():
    events = chain("c1", STEPS)[1:]

    broken = verify_review_chain(events)

    assert broken.event_public_id == events[0]["public_id"]
    assert broken.reason.endswith("but the event before it is nothing (the claim's first event)")


def test_log_reports_the_first_broken_link_of_each_claim():
    first, second, third = chain("c1", STEPS), chain("c2", STEPS), chain("c3", STEPS)
    second[2]["comment"] = "Edited"
    second[1]["comment"] = "Edited too"
    third[0]["sha256"] = "00" * 32

    broken = verify_review_log([*first, *second, *third])

    assert [(link.claim_public_id, link.event_public_id) for link in broken] == [
        ("c2", second[1]["public_id"]),
        ("c3", third[0]["public_id"]),
    ]
    assert str(broken[0]).startswith(f"claim c2: review event {second[1]['public_id']} does not")


def test_empty_log_verifies():
    assert verify_review_log([]) == []
