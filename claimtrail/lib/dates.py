"""Publication times that are known only to the day or the month."""

import calendar
from datetime import UTC, datetime, timedelta

EXACT = "exact"
DAY = "day"
MONTH = "month"


def truncate(moment: datetime, precision: str) -> datetime:
    """The start of the day or month `moment` falls in (UTC), as stored for that precision."""
    moment = moment.astimezone(UTC)
    if precision == DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision == MONTH:
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return moment


def interval(moment: datetime, precision: str) -> tuple[datetime, datetime]:
    """The earliest and latest instants a time of this precision may stand for."""
    start = truncate(moment, precision)
    if precision == DAY:
        return start, start + timedelta(days=1) - timedelta(microseconds=1)
    if precision == MONTH:
        days = calendar.monthrange(start.year, start.month)[1]
        return start, start + timedelta(days=days) - timedelta(microseconds=1)
    return start, start


def may_precede(
    earlier: datetime, earlier_precision: str, later: datetime, later_precision: str
) -> bool:
    """Whether `earlier` can be at or before `later`, given what each precision allows."""
    return interval(earlier, earlier_precision)[0] <= interval(later, later_precision)[1]
