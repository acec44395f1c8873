"""Two concurrent edits must not close a derivation cycle (the PostgreSQL advisory lock).

Each thread has its own database connection. The first links B ← A and holds its
transaction open while the second tries A ← B. With the lock, the second waits for the first
to commit, sees its edge and refuses; without it, both commit and form a cycle.
"""

import threading

import pytest
from django.db import connection, transaction

from claimtrail.exceptions import DomainError
from provenance import services
from provenance.models import AppearanceDerivation
from provenance.services import appearance_update
from tests.factories import AppearanceFactory, ClaimFactory, UserFactory
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,  # advisory locks
]


def _another_session_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Statistics views keep one snapshot per transaction unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock')"
        )
        return cursor.fetchone()[0]


def race(a, b, actor) -> dict[str, BaseException | None]:
    first_linked = threading.Event()
    second_done = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def first():
        try:
            with transaction.atomic():
                appearance_update(appearance=b, actor=actor, derived_from=[a])
                first_linked.set()
                # Keep the edge uncommitted until the other edit is blocked on the lock, or,
                # with no lock, has committed.
                wait_until(
                    lambda: second_done.is_set() or _another_session_waits_for_a_lock(),
                    "the second edit to wait for the lock or finish",
                )
            outcome["first"] = None
        except BaseException as exc:
            outcome["first"] = exc
            first_linked.set()
        finally:
            connection.close()

    def second():
        first_linked.wait(timeout=10)
        try:
            with transaction.atomic():
                appearance_update(appearance=a, actor=actor, derived_from=[b])
            outcome["second"] = None
        except BaseException as exc:
            outcome["second"] = exc
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcome


@pytest.fixture
def pair():
    actor = UserFactory(username="racer", roles=["analyst"])
    claim = ClaimFactory(actor=actor)
    a = AppearanceFactory(actor=actor, claim=claim, published_at=None)
    b = AppearanceFactory(actor=actor, claim=claim, published_at=None)
    return a, b, actor


def test_concurrent_edits_cannot_close_a_cycle(pair):
    a, b, actor = pair

    outcome = race(a, b, actor)

    assert outcome["first"] is None
    assert isinstance(outcome["second"], DomainError)
    assert outcome["second"].code == "derivation_cycle"
    assert list(AppearanceDerivation.objects.values_list("appearance_id", "upstream_id")) == [
        (b.pk, a.pk)
    ]


def test_without_the_lock_the_same_race_closes_a_cycle(pair, monkeypatch):
    # Shows the test above would fail if the guard were removed.
    monkeypatch.setattr(services, "_lock_derivation_graph", lambda: None)
    a, b, actor = pair

    outcome = race(a, b, actor)

    assert outcome == {"first": None, "second": None}
    assert set(AppearanceDerivation.objects.values_list("appearance_id", "upstream_id")) == {
        (b.pk, a.pk),
        (a.pk, b.pk),
    }
