"""Publication times known to the moment, the day or the month."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from claimtrail.lib import dates

MOSCOW = timezone(timedelta(hours=3))


def test_truncate_day_and_month_in_utc():
    moment = datetime(2023, 5, 3, 9, 40, 12, tzinfo=MOSCOW)
    assert dates.truncate(moment, "exact") == datetime(2023, 5, 3, 6, 40, 12, tzinfo=UTC)
    assert dates.truncate(moment, "day") == datetime(2023, 5, 3, tzinfo=UTC)
    assert dates.truncate(moment, "month") == datetime(2023, 5, 1, tzinfo=UTC)


def test_truncate_day_uses_the_utc_day():
    just_after_midnight_moscow = datetime(2023, 5, 4, 1, 0, tzinfo=MOSCOW)
    assert dates.truncate(just_after_midnight_moscow, "day") == datetime(2023, 5, 3, tzinfo=UTC)


def test_interval_of_each_precision():
    moment = datetime(2023, 2, 14, 12, 0, tzinfo=UTC)
    assert dates.interval(moment, "exact") == (moment, moment)
    start, end = dates.interval(moment, "day")
    assert (start, end) == (
        datetime(2023, 2, 14, tzinfo=UTC),
        datetime(2023, 2, 14, 23, 59, 59, 999999, tzinfo=UTC),
    )
    start, end = dates.interval(moment, "month")
    assert end == datetime(2023, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)
    leap = dates.interval(datetime(2024, 2, 1, tzinfo=UTC), "month")[1]
    assert leap.day == 29


def test_day_precision_upstream_may_precede_exact_time_the_same_day():
    upstream = datetime(2023, 5, 3, tzinfo=UTC)
    downstream = datetime(2023, 5, 3, 6, 0, tzinfo=UTC)
    assert dates.may_precede(upstream, "day", downstream, "exact")


def test_exact_upstream_later_the_same_day_than_a_day_precision_downstream_may_precede():
    # The downstream's day runs to midnight, so an exact 23:00 upstream could be earlier.
    assert dates.may_precede(
        datetime(2023, 5, 3, 23, 0, tzinfo=UTC), "exact", datetime(2023, 5, 3, tzinfo=UTC), "day"
    )


def test_exact_times_must_be_in_order():
    early = datetime(2023, 5, 3, 6, 0, tzinfo=UTC)
    late = early + timedelta(minutes=1)
    assert dates.may_precede(early, "exact", late, "exact")
    assert dates.may_precede(early, "exact", early, "exact")
    assert not dates.may_precede(late, "exact", early, "exact")


def test_next_day_cannot_precede():
    assert not dates.may_precede(
        datetime(2023, 5, 4, tzinfo=UTC), "day", datetime(2023, 5, 3, 22, 0, tzinfo=UTC), "exact"
    )


def test_year_precision_spans_the_year():
    known_year = datetime(2024, 1, 1, tzinfo=UTC)
    assert dates.interval(known_year, "year") == (
        known_year,
        datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )
    assert dates.truncate(datetime(2023, 7, 9, 5, tzinfo=UTC), "year") == datetime(
        2023, 1, 1, tzinfo=UTC
    )
    assert dates.may_precede(datetime(2023, 12, 31, tzinfo=UTC), "exact", known_year, "year")
    assert dates.may_precede(known_year, "year", datetime(2024, 1, 1, tzinfo=UTC), "exact")
    assert not dates.may_precede(datetime(2025, 1, 1, tzinfo=UTC), "exact", known_year, "year")


def test_month_precision_spans_the_month():
    may = datetime(2023, 5, 1, tzinfo=UTC)
    assert dates.may_precede(may, "month", datetime(2023, 5, 1, 0, 0, tzinfo=UTC), "exact")
    assert dates.may_precede(datetime(2023, 5, 31, 12, tzinfo=UTC), "exact", may, "month")
    assert not dates.may_precede(datetime(2023, 6, 1, tzinfo=UTC), "exact", may, "month")


@pytest.mark.parametrize(
    ("value", "moment", "precision"),
    [
        ("2023", datetime(2023, 1, 1, tzinfo=UTC), "year"),
        ("2023-05", datetime(2023, 5, 1, tzinfo=UTC), "month"),
        ("2023-05-03", datetime(2023, 5, 3, tzinfo=UTC), "day"),
        (" 2023-05-03 ", datetime(2023, 5, 3, tzinfo=UTC), "day"),
        ("2023-05-03T06:40:00Z", datetime(2023, 5, 3, 6, 40, tzinfo=UTC), "exact"),
        ("2023-05-03T09:40:00+03:00", datetime(2023, 5, 3, 6, 40, tzinfo=UTC), "exact"),
        ("2023-05-03 06:40", datetime(2023, 5, 3, 6, 40, tzinfo=UTC), "exact"),
        ("2023-05-03T06:40:00.250", datetime(2023, 5, 3, 6, 40, 0, 250000, tzinfo=UTC), "exact"),
    ],
)
def test_parse_partial(value, moment, precision):
    assert dates.parse_partial(value) == (moment, precision)


@pytest.mark.parametrize(
    "value", ["", "May 3", "0000", "202", "2023-13", "2023-02-30", "20230503", "3/5/2023"]
)
def test_parse_partial_rejects(value):
    with pytest.raises(ValueError) as exc:
        dates.parse_partial(value)
    assert str(exc.value) == (
        f"“{value.strip()}” is not a date: use 2023, 2023-05, 2023-05-03 or 2023-05-03T06:40:00Z."
    )


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
def test_parse_partial_rejects_offsets_that_leave_the_calendar(value):
    with pytest.raises(ValueError) as exc:
        dates.parse_partial(value)
    assert str(exc.value) == f"“{value}” is outside the years 1–9999 in UTC."


@pytest.mark.parametrize("value", ["9999", "9999-12", "9999-12-31"])
def test_interval_of_the_last_month_and_day_ends_at_datetime_max(value):
    moment, precision = dates.parse_partial(value)
    assert dates.interval(moment, precision)[1] == datetime.max.replace(tzinfo=UTC)
