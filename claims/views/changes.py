"""The claim page's "Changed since publication" table in words.

The API's `publication_diff` names each difference by path (`appearances[<uuid>].quote`)
and gives raw values (a whole appearance as a JSON object when one was added). An editor
deciding whether to publish again needs to read which appearance, evidence item or
related claim changed and how: this turns each difference into `what` (e.g. "Appearance
by RIA Novosti (3 May 2023): quote") with `published` and `now` as text (None when
absent). Names come from the working copy already read, or from the removed item itself:
no query.
"""

import json
import re

from django.template.defaultfilters import date as date_filter
from django.utils.dateparse import parse_datetime

from claims.templatetags.claim_labels import (
    claim_relation_label,
    credibility_label,
    evidence_kind_label,
    evidence_relation_label,
    iso_date,
    precision_label,
    stance_label,
    verdict_label,
)
from claims.templatetags.claim_pages import precise_date
from claimtrail.lib import dates

ITEM_PATH = re.compile(r"^(appearances|evidence|related_claims)\[([^\]]+)\](?:\.(\w+))?$")
COLLECTIONS = {
    "appearances": "Appearance",
    "evidence": "Evidence",
    "related_claims": "Related claim",
}
FIELD_NAMES = {
    "text": "Claim text",
    "first_seen": "First seen",
    "quote_language": "quote language",
    "quote_translation": "quote translation",
    "published_at": "date",
    "published_precision": "date precision",
    "derived_from": "derived from",
    "url": "address",
}
# Stored values shown by their labels, per collection (None: the claim's own fields).
VALUE_LABELS = {
    None: {"verdict": verdict_label, "credibility": credibility_label},
    "appearances": {"stance": stance_label, "published_precision": precision_label},
    "evidence": {"relation": evidence_relation_label, "kind": evidence_kind_label},
    "related_claims": {"kind": claim_relation_label},
}


def readable_changes(diff: list[dict], detail: dict) -> list[dict]:
    """`diff` (publication_diff) with `what`, `published` and `now` in words, in order."""
    names = _names(detail)
    precisions = _precisions(diff, detail)
    rows = []
    for change in diff:
        match = ITEM_PATH.match(change["field"])
        if match is None:
            field = change["field"]
            what = FIELD_NAMES.get(field, field.replace("_", " ").capitalize())
            rows.append(_row(change, what, None, field, names, {}))
            continue
        collection, item_id, field = match.groups()
        if field is None:  # added or removed as a whole
            item = change["working"] or change["published"]
            name = names.get(item_id) or _name(collection, item)
            rows.append(
                {
                    "field": change["field"],
                    "what": f"{COLLECTIONS[collection]} {name}",
                    "published": _summary(collection, change["published"]),
                    "now": _summary(collection, change["working"]),
                }
            )
            continue
        name = names.get(item_id, "one no longer listed")
        label = FIELD_NAMES.get(field, field.replace("_", " "))
        what = f"{COLLECTIONS[collection]} {name}: {label}"
        rows.append(_row(change, what, collection, field, names, precisions.get(item_id, {})))
    return rows


def _row(
    change: dict, what: str, collection: str | None, field: str, names: dict, precision: dict
) -> dict:
    """One changed field; `precision` is the item's date precision on each side."""
    published, now = change["published"], change["working"]
    if field == "published_at":
        published = _moment(published, precision.get("published"))
        now = _moment(now, precision.get("working"))
    return {
        "field": change["field"],
        "what": what,
        "published": _text(collection, field, published, names),
        "now": _text(collection, field, now, names),
    }


def _precisions(diff: list[dict], detail: dict) -> dict[str, dict]:
    """Each appearance's date precision as published and as now: the working copy's, unless
    the diff says the precision changed too."""
    precisions = {
        str(row["public_id"]): dict.fromkeys(("published", "working"), row["published_precision"])
        for row in detail.get("appearances", [])
    }
    for change in diff:
        match = ITEM_PATH.match(change["field"])
        if match is None:
            continue
        collection, item_id, field = match.groups()
        if (collection, field) == ("appearances", "published_precision"):
            precisions[item_id] = {"published": change["published"], "working": change["working"]}
    return precisions


def _moment(value: str | None, precision: str | None) -> str | None:
    """An appearance's date (ISO text in the diff) as precisely as it was known."""
    moment = parse_datetime(value or "")
    return None if moment is None else precise_date(moment, precision or dates.EXACT)


def _appearance_name(source: str, published_at, precision: str) -> str:
    return f"by {source} ({precise_date(published_at, precision)})"


def _evidence_name(title: str, url: str) -> str:
    return f"“{title or url or 'uploaded file'}”"


def _names(detail: dict) -> dict[str, str]:
    """How to name each appearance, evidence item and related claim of the working copy."""
    names = {}
    for row in detail.get("appearances", []):
        names[str(row["public_id"])] = _appearance_name(
            row["source__name"], row["published_at"], row["published_precision"]
        )
    for row in detail.get("evidence", []):
        names[str(row["evidence__public_id"])] = _evidence_name(
            row["evidence__title"], row["evidence__url"]
        )
    for row in detail.get("related", []):
        label = claim_relation_label(row["kind"])
        names[str(row["public_id"])] = f"({label}) “{row['claim']['text']}”"
    return names


def _name(collection: str, item: dict) -> str:
    """A removed item's name, from the item as it was published (the API payload)."""
    if collection == "appearances":
        published_at = parse_datetime(item.get("published_at") or "")
        return _appearance_name(item["source"]["name"], published_at, item["published_precision"])
    if collection == "evidence":
        return _evidence_name(item.get("title"), item.get("url"))
    return f"({claim_relation_label(item.get('kind'))})"


def _summary(collection: str, item: dict | None) -> str | None:
    """An added or removed item in one line."""
    if item is None:
        return None
    if collection == "appearances":
        parts = [stance_label(item.get("stance"))]
        if item.get("quote"):
            parts.append(f"“{item['quote']}”")
        if item.get("url"):
            parts.append(item["url"])
        return " · ".join(part for part in parts if part)
    if collection == "evidence":
        relation = evidence_relation_label(item.get("relation"))
        return " · ".join(part for part in (relation, item.get("url") or "") if part)
    return f"{claim_relation_label(item.get('kind'))} ({item.get('direction')})"


def _text(collection: str | None, field: str, value, names: dict) -> str | None:
    """A value as a reader would write it; None when absent."""
    if value is None or value == "" or value == []:
        return None
    label = VALUE_LABELS.get(collection, {}).get(field)
    if label is not None:
        return str(label(value))
    if field == "derived_from":
        return "; ".join(names.get(str(up), "an appearance of another claim") for up in value)
    if field == "source" and isinstance(value, dict):
        return value.get("name", "")
    if field == "first_seen":  # as the claim page shows it
        return date_filter(iso_date(value), "j F Y")
    if field == "tags" and isinstance(value, list):
        return ", ".join(str(tag) for tag in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
