"""Template filters of the claim pages."""

import json
from datetime import UTC

from django import template

from claimtrail.lib import dates

register = template.Library()


@register.filter
def precise_date(moment, precision: str) -> str:
    """A date as precisely as it is known: "2023" (year), "May 2023" (month), "3 May 2023"
    (day) or "3 May 2023, 14:05 UTC" (exact); "Date unknown" without one."""
    if moment is None:
        return "Date unknown"
    moment = dates.truncate(moment.astimezone(UTC), precision)
    if precision == dates.YEAR:
        return str(moment.year)
    if precision == dates.MONTH:
        return moment.strftime("%B %Y")
    if precision == dates.DAY:
        return f"{moment.day} {moment.strftime('%B %Y')}"
    return f"{moment.day} {moment.strftime('%B %Y, %H:%M')} UTC"


@register.filter
def as_json(value) -> str:
    """A diff value as indented JSON text (escaped by the template like any text)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
