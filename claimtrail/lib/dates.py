"""Publication times that are known only to the day, the month or the year."""

import calendar
import re
from datetime import UTC, datetime, timedelta

EXACT = "exact"
DAY = "day"
MONTH = "month"
YEAR = "year"


def truncate(moment: datetime, precision: str) -> datetime:
    """The start of the day, month or year `moment` falls in (UTC), as stored for that
    precision."""
    moment = moment.astimezone(UTC)
    if precision == DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision == MONTH:
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if precision == YEAR:
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return moment


def interval(moment: datetime, precision: str) -> tuple[datetime, datetime]:
    """The earliest and latest instants a time of this precision may stand for."""
    start = truncate(moment, precision)
    # One delta, not two steps: the last day, month or year 9999 ends at datetime.max.
    if precision == DAY:
        return start, start + (timedelta(days=1) - timedelta(microseconds=1))
    if precision == MONTH:
        days = calendar.monthrange(start.year, start.month)[1]
        return start, start + (timedelta(days=days) - timedelta(microseconds=1))
    if precision == YEAR:
        days = 366 if calendar.isleap(start.year) else 365
        return start, start + (timedelta(days=days) - timedelta(microseconds=1))
    return start, start


def may_precede(
    earlier: datetime, earlier_precision: str, later: datetime, later_precision: str
) -> bool:
    """Whether `earlier` can be at or before `later`, given what each precision allows."""
    return interval(earlier, earlier_precision)[0] <= interval(later, later_precision)[1]


_YEAR_RE = re.compile(r"^(\d{4})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_partial(value: str) -> tuple[datetime, str]:
    """Read "2023", "2023-05", "2023-05-03" or an ISO 8601 date-time as (UTC moment, precision).

    A year, a month or a plain date is as precise as it is written; a date-time is exact, and one
    without a UTC offset is taken as UTC. Raises ValueError with a message for people.
    """
    value = value.strip()
    try:
        if (match := _YEAR_RE.match(value)) and int(match[1]) >= 1:
            return datetime(int(match[1]), 1, 1, tzinfo=UTC), YEAR
        if match := _MONTH_RE.match(value):
            return datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC), MONTH
        if _DAY_RE.match(value):
            return datetime.fromisoformat(value).replace(tzinfo=UTC), DAY
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or "-" not in value[:8]:
        raise ValueError(
            f"“{value}” is not a date: use 2023, 2023-05, 2023-05-03 or 2023-05-03T06:40:00Z."
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC), EXACT
    except OverflowError as exc:
        raise ValueError(f"“{value}” is outside the years 1–9999 in UTC.") from exc
