"""provenance.services.appearance_set_derived_from: the provenance DAG's rules."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from claimtrail.exceptions import DomainError
from provenance.models import AppearanceDerivation
from provenance.services import appearance_set_derived_from
from tests.factories import AppearanceFactory, ClaimFactory

pytestmark = pytest.mark.django_db
MAY_3 = datetime(2023, 5, 3, tzinfo=UTC)


@pytest.fixture
def claim():
    return ClaimFactory()


def appearance(claim, published_at=None, precision="exact"):
    return AppearanceFactory(claim=claim, published_at=published_at, published_precision=precision)


def upstream_ids(item) -> set[int]:
    return set(item.upstream_links.values_list("upstream_id", flat=True))


def test_sets_and_replaces_upstreams(analyst, claim):
    a, b, c = (appearance(claim) for _ in range(3))
    d = appearance(claim)

    appearance_set_derived_from(appearance=d, actor=analyst, upstreams=[a, b, b])
    assert upstream_ids(d) == {a.pk, b.pk}

    appearance_set_derived_from(appearance=d, actor=analyst, upstreams=[b, c])
    assert upstream_ids(d) == {b.pk, c.pk}

    appearance_set_derived_from(appearance=d, actor=analyst, upstreams=[])
    assert upstream_ids(d) == set()


def test_refuses_self_derivation(analyst, claim):
    item = appearance(claim)

    with pytest.raises(DomainError) as exc:
        appearance_set_derived_from(appearance=item, actor=analyst, upstreams=[item])

    assert exc.value.message == "An appearance cannot derive from itself."
    assert exc.value.code == "self_derivation"
    assert exc.value.fields == {"derived_from": ["Contains the appearance itself."]}
    assert not AppearanceDerivation.objects.exists()


def test_database_refuses_self_derivation(claim):
    item = appearance(claim)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        AppearanceDerivation.objects.create(appearance=item, upstream=item)
    assert "appearance_not_derived_from_self" in str(exc.value)


@pytest.mark.postgres  # SQLite's error names the columns, not the constraint
def test_database_refuses_duplicate_edge(claim):
    a, b = appearance(claim), appearance(claim)
    AppearanceDerivation.objects.create(appearance=b, upstream=a)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        AppearanceDerivation.objects.create(appearance=b, upstream=a)
    assert "appearance_derivation_unique" in str(exc.value)


def test_refuses_direct_cycle(analyst, claim):
    a, b = appearance(claim), appearance(claim)
    appearance_set_derived_from(appearance=b, actor=analyst, upstreams=[a])

    with pytest.raises(DomainError) as exc:
        appearance_set_derived_from(appearance=a, actor=analyst, upstreams=[b])

    assert exc.value.message == (
        "This derivation would create a cycle: the appearance is already upstream of one "
        "of the appearances it would derive from."
    )
    assert exc.value.code == "derivation_cycle"
    assert upstream_ids(a) == set()


def test_refuses_cycle_through_a_long_chain(analyst, claim):
    chain = [appearance(claim) for _ in range(6)]
    for upstream, downstream in itertools.pairwise(chain):
        appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])

    with pytest.raises(DomainError) as exc:
        appearance_set_derived_from(appearance=chain[0], actor=analyst, upstreams=[chain[-1]])

    assert exc.value.code == "derivation_cycle"
    assert upstream_ids(chain[0]) == set()


def test_allows_diamonds(analyst, claim):
    origin, left, right, sink = (appearance(claim) for _ in range(4))
    appearance_set_derived_from(appearance=left, actor=analyst, upstreams=[origin])
    appearance_set_derived_from(appearance=right, actor=analyst, upstreams=[origin])
    appearance_set_derived_from(appearance=sink, actor=analyst, upstreams=[left, right])
    assert upstream_ids(sink) == {left.pk, right.pk}


def test_refuses_upstream_published_later(analyst, claim):
    early = appearance(claim, MAY_3 + timedelta(hours=6))
    late = appearance(claim, MAY_3 + timedelta(hours=7))

    with pytest.raises(DomainError) as exc:
        appearance_set_derived_from(appearance=early, actor=analyst, upstreams=[late])

    assert exc.value.message == (
        "An appearance can only derive from one published at or before it; "
        f"{late.public_id} was published after this one."
    )
    assert exc.value.code == "derived_from_later"
    assert upstream_ids(early) == set()


def test_allows_same_exact_time(analyst, claim):
    a = appearance(claim, MAY_3 + timedelta(hours=6))
    b = appearance(claim, MAY_3 + timedelta(hours=6))
    appearance_set_derived_from(appearance=b, actor=analyst, upstreams=[a])
    assert upstream_ids(b) == {a.pk}


def test_day_precision_upstream_on_the_same_day_as_exact_downstream_is_fine(analyst, claim):
    # Stored as midnight, but the day-precision upstream could be any time that day.
    upstream = appearance(claim, MAY_3 + timedelta(hours=20), precision="day")
    downstream = appearance(claim, MAY_3 + timedelta(hours=6))

    appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])

    assert upstream_ids(downstream) == {upstream.pk}


def test_exact_upstream_late_on_the_day_of_a_day_precision_downstream_is_fine(analyst, claim):
    upstream = appearance(claim, MAY_3 + timedelta(hours=23))
    downstream = appearance(claim, MAY_3, precision="day")
    appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])
    assert upstream_ids(downstream) == {upstream.pk}


def test_day_precision_upstream_on_the_next_day_is_refused(analyst, claim):
    upstream = appearance(claim, MAY_3 + timedelta(days=1), precision="day")
    downstream = appearance(claim, MAY_3 + timedelta(hours=23))
    with pytest.raises(DomainError) as exc:
        appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])
    assert exc.value.code == "derived_from_later"


def test_month_precision_upstream_in_the_same_month_is_fine(analyst, claim):
    upstream = appearance(claim, MAY_3 + timedelta(days=20), precision="month")
    downstream = appearance(claim, MAY_3)
    appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])
    assert upstream_ids(downstream) == {upstream.pk}


def test_unknown_dates_skip_the_order_check(analyst, claim):
    undated = appearance(claim, None)
    dated = appearance(claim, MAY_3)
    appearance_set_derived_from(appearance=dated, actor=analyst, upstreams=[undated])
    appearance_set_derived_from(appearance=undated, actor=analyst, upstreams=[])
    assert upstream_ids(dated) == {undated.pk}


def test_derivation_may_cross_claims(analyst):
    statement = appearance(ClaimFactory(), MAY_3)
    report = appearance(ClaimFactory(), MAY_3 + timedelta(hours=1))
    appearance_set_derived_from(appearance=report, actor=analyst, upstreams=[statement])
    assert upstream_ids(report) == {statement.pk}


def test_history_records_each_edge_added_and_removed_with_the_actor(analyst, editor, claim):
    a, b, c = (appearance(claim) for _ in range(3))
    appearance_set_derived_from(appearance=c, actor=analyst, upstreams=[a, b])

    appearance_set_derived_from(appearance=c, actor=editor, upstreams=[b])

    rows = AppearanceDerivation.history.order_by("history_id").values_list(
        "history_type", "history_user", "appearance_id", "upstream_id"
    )
    assert sorted(rows[:2]) == [("+", analyst.pk, c.pk, a.pk), ("+", analyst.pk, c.pk, b.pk)]
    assert list(rows[2:]) == [("-", editor.pk, c.pk, a.pk)]


def test_a_removed_edge_can_be_restored_from_its_history(analyst, editor, claim):
    a, b = appearance(claim), appearance(claim)
    appearance_set_derived_from(appearance=b, actor=analyst, upstreams=[a])
    appearance_set_derived_from(appearance=b, actor=analyst, upstreams=[])

    removed = AppearanceDerivation.history.get(history_type="-")
    appearance_set_derived_from(
        appearance=removed.appearance, actor=editor, upstreams=[removed.upstream]
    )

    assert upstream_ids(b) == {a.pk}
    assert AppearanceDerivation.history.latest("history_id").history_user == editor
