"""The public page of a published claim, `/c/<uuid>/`: no login needed.

It shows the claim's current published revision only (claims.revisions.published_detail),
never the working copy: what an editor has not published again is not on it. A claim that
does not exist or is not published is a 404, whoever asks. The page embeds the claim's
ClaimReview JSON-LD (the export endpoint's document) as a data block for search engines.
"""

import json

from django.http import Http404
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe

from claims.exports.claimreview_read import published_claim_review
from claims.revisions import published_detail

# `<`, `>` and `&` as JSON escapes: no text in the document can close the <script>
# element ("</script>") or open a comment ("<!--") inside it; the JSON means the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_for_script(document: dict) -> str:
    """`document` as JSON safe to place inside a <script> data block."""
    return mark_safe(json.dumps(document, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def _with_dates(rows: list[dict], *fields: str) -> list[dict]:
    """The payload keeps ISO strings; the template formats datetimes."""
    return [
        {
            **row,
            **{field: parse_datetime(row[field]) if row.get(field) else None for field in fields},
        }
        for row in rows
    ]


def _with_upstreams(appearances: list[dict]) -> list[dict]:
    """Each appearance with `upstreams`: those of this claim by source name and date (from
    the same published revision), those of other published claims as None. Nothing live
    is read: a name or date edited since their claim's publication must not show here."""
    own = {row["id"]: row for row in appearances}
    return [
        {
            **row,
            "upstreams": [own.get(upstream) for upstream in row.get("derived_from", [])],
        }
        for row in appearances
    ]


def public_claim_page(request, public_id):
    published = published_detail(public_id=public_id)
    if published is None:
        raise Http404("No published claim with this id.")
    payload = published["published_payload"]
    evidence = [
        {
            **item,
            "latest_capture": _with_dates([item["latest_capture"]], "finished_at")[0]
            if item.get("latest_capture")
            else None,
        }
        for item in payload["evidence"]
    ]
    context = {
        "claim": payload,
        "appearances": _with_upstreams(_with_dates(payload["appearances"], "published_at")),
        "evidence": evidence,
        "revision": published["revision"],
        "claim_review_json": json_for_script(published_claim_review(published)),
    }
    return render(request, "claims/public_claim.html", context)
