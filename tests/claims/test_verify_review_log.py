"""The review log's hash chain: claim_review seals every event; verify_review_log re-checks
the chains and names the first broken link when the database was edited behind the
application's back."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from claims.models import ReviewEvent
from claims.review_chain import review_log_events
from claims.review_log import review_event_sha256
from claims.services import claim_review
from tests.claims.conftest import make_succeeded_capture
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(editor):
    """A claim moved to review, published on a capture, archived; and a second claim."""
    claim = ClaimFactory(actor=editor)
    make_succeeded_capture(EvidenceFactory(actor=editor, claims=[claim]), content=b"video")
    claim_review(claim=claim, actor=editor, to_state="in_review", comment="Ready.")
    claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
    claim_review(claim=claim, actor=editor, to_state="archived", comment="Superseded.")
    other = ClaimFactory(actor=editor)
    claim_review(claim=other, actor=editor, to_state="in_review")
    return claim


def _events(claim) -> list[ReviewEvent]:
    return list(ReviewEvent.objects.filter(claim=claim).order_by("created_at", "id"))


def _raw(sql: str, params: list) -> None:
    # Straight to the table, as someone with database access would: no service, no model.
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=ReviewEvent._meta.db_table), params)


def test_each_event_is_chained_to_the_previous_one(reviewed):
    events = _events(reviewed)
    rows = {row["id"]: row for row in review_log_events(claim_ids=[reviewed.pk])}

    assert [event.previous_sha256 for event in events] == [
        "",
        events[0].sha256,
        events[1].sha256,
    ]
    for event in events:
        assert len(event.sha256) == 64
        assert review_event_sha256(rows[event.pk]) == event.sha256
    published = rows[events[1].pk]
    assert published["revision_sha256"] == events[1].revision.sha256
    assert len(published["capture_sha256s"]) == 1


def test_intact_log_passes(reviewed, capsys):
    call_command("verify_review_log")

    assert "Checked 4 review events of 2 claims: 0 broken chain(s)." in capsys.readouterr().out


def test_an_old_event_edited_in_the_database_is_named(reviewed, capsys):
    _first, published, _ = _events(reviewed)
    _raw("UPDATE {table} SET to_verdict = %s WHERE id = %s", ["supported", published.pk])

    with pytest.raises(CommandError) as raised:
        call_command("verify_review_log")

    assert str(raised.value) == "Checked 4 review events of 2 claims: 1 broken chain(s)."
    assert capsys.readouterr().err == (
        f"BROKEN   claim {reviewed.public_id}: review event {published.public_id} does not "
        f"match its SHA-256 {published.sha256}: it was changed after it was recorded\n"
    )


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(reviewed, capsys):
    first, published, _archived = _events(reviewed)
    row = next(r for r in review_log_events(claim_ids=[reviewed.pk]) if r["id"] == first.pk)
    row["comment"] = "Rewritten."
    _raw(
        "UPDATE {table} SET comment = %s, sha256 = %s WHERE id = %s",
        ["Rewritten.", review_event_sha256(row), first.pk],
    )

    with pytest.raises(CommandError):
        call_command("verify_review_log")

    assert f"review event {published.public_id} follows {first.sha256}" in capsys.readouterr().err


def test_a_deleted_event_breaks_the_chain_at_the_next_one(reviewed, capsys):
    _first, published, archived = _events(reviewed)
    _raw("DELETE FROM claims_revieweventcapture WHERE review_event_id = %s", [published.pk])
    _raw("DELETE FROM {table} WHERE id = %s", [published.pk])

    with pytest.raises(CommandError):
        call_command("verify_review_log")

    assert f"review event {archived.public_id} follows" in capsys.readouterr().err


def test_a_removed_capture_link_is_caught(reviewed, capsys):
    published = _events(reviewed)[1]
    _raw("DELETE FROM claims_revieweventcapture WHERE review_event_id = %s", [published.pk])

    with pytest.raises(CommandError):
        call_command("verify_review_log")

    assert f"review event {published.public_id} does not match" in capsys.readouterr().err


def test_one_claim_only(reviewed, editor, capsys):
    other = ReviewEvent.objects.exclude(claim=reviewed).get()
    _raw("UPDATE {table} SET comment = %s WHERE id = %s", ["Edited.", other.pk])

    call_command("verify_review_log", claim=str(reviewed.public_id))

    assert "Checked 3 review events of 1 claims: 0 broken chain(s)." in capsys.readouterr().out


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_claim_is_a_command_error(value):
    with pytest.raises(CommandError) as raised:
        call_command("verify_review_log", claim=value)

    assert str(raised.value) == f"--claim: no claim with id “{value}”."


def test_migration_chains_events_recorded_before_the_chain(reviewed, capsys):
    events = _events(reviewed)
    ReviewEvent.objects.update(sha256="", previous_sha256="")
    migration = importlib.import_module("claims.migrations.0007_chain_existing_review_events")

    migration.chain_existing(apps, None)

    assert [(e.sha256, e.previous_sha256) for e in _events(reviewed)] == [
        (e.sha256, e.previous_sha256) for e in events
    ]
    call_command("verify_review_log")
    assert "0 broken chain(s)." in capsys.readouterr().out
