"""Read payloads of the claims API, built from the selectors' dicts.

Each function gives the shape the matching read serializer in claims/api/serializers.py
describes in the schema (every API response in the tests is checked against it). Plain
functions, not DRF fields: for a page of a hundred claims, or a claim with hundreds of
appearances, DRF's per-field work was most of the request's time.
"""

from datetime import date, datetime, tzinfo

from django.utils import timezone

from claims.revisions import revision_meta


def _datetime(value: datetime | None, tz: tzinfo) -> str | None:
    """As DRF's DateTimeField gives it: in the current time zone `tz`, ISO 8601, UTC as Z."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _uuid(value) -> str | None:
    return None if value is None else str(value)


def claim_list_items(
    rows: list[dict], *, tags: dict[int, list[str]], published: bool = False
) -> list[dict]:
    """Rows of claims.selectors.claim_list_values, with the tag names of each claim id, as
    ClaimListSerializer(many=True) shows them.

    `published`: for readers who see only published claims; the content (text, summary,
    first seen, counts) is the current revision's, and `tags` should be its tags too.
    """
    tz = timezone.get_current_timezone()
    items = [_list_item(row, tags.get(row["id"], []), tz) for row in rows]
    if published:
        for item, row in zip(items, rows, strict=True):
            item.update(
                text=row["published_text"],
                summary=row["published_summary"],
                first_seen=_date(row["published_first_seen"]),
                appearance_count=row["published_appearance_count"],
                evidence_count=row["published_evidence_count"],
                changed_since_publication=False,
            )
    return items


def _list_item(row: dict, tags: list[str], tz: tzinfo) -> dict:
    revision = None
    if row["published_revision_public_id"] is not None:
        revision = {
            "id": str(row["published_revision_public_id"]),
            "number": row["published_revision_number"],
            "sha256": row["published_revision_sha256"],
            "published_at": _datetime(row["published_revision_created_at"], tz),
        }
    return {
        "id": str(row["public_id"]),
        "text": row["text"],
        "summary": row["summary"],
        "tags": tags,
        "first_seen": _date(row["first_seen"]),
        "verdict": row["verdict"],
        "credibility": row["credibility"],
        "review_state": row["review_state"],
        "created_by": row["created_by_username"],
        "created_at": _datetime(row["created_at"], tz),
        "updated_at": _datetime(row["updated_at"], tz),
        "reviewed_at": _datetime(row["reviewed_at"], tz),
        "appearance_count": row["appearance_count"],
        "evidence_count": row["evidence_count"],
        "published_revision": revision,
        "changed_since_publication": row["changed_since_publication"],
    }


def _appearance(row: dict, tz: tzinfo) -> dict:
    return {
        "id": str(row["public_id"]),
        "source": {
            "id": str(row["source__public_id"]),
            "name": row["source__name"],
            "kind": row["source__kind"],
            "reliability": row["source__reliability"],
            "state_affiliated": row["source__state_affiliated"],
        },
        "stance": row["stance"],
        "quote": row["quote"],
        "quote_language": row["quote_language"],
        "quote_translation": row["quote_translation"],
        "url": row["url"],
        "published_at": _datetime(row["published_at"], tz),
        "published_precision": row["published_precision"],
        "derived_from": [str(public_id) for public_id in row["derived_from"]],
    }


def latest_capture_item(row: dict, tz: tzinfo | None = None) -> dict | None:
    """The `latest_capture__*` columns of a row as an evidence item's `latest_capture`."""
    if row["latest_capture__public_id"] is None:
        return None
    return {
        "id": str(row["latest_capture__public_id"]),
        "status": row["latest_capture__status"],
        "sha256": row["latest_capture__sha256"],
        "finished_at": _datetime(
            row["latest_capture__finished_at"], tz or timezone.get_current_timezone()
        ),
        "error_code": row["latest_capture__error_code"],
    }


def _evidence(row: dict, tz: tzinfo) -> dict:
    capture = latest_capture_item(row, tz)
    return {
        "id": str(row["evidence__public_id"]),
        "kind": row["evidence__kind"],
        "url": row["evidence__url"],
        "title": row["evidence__title"],
        "relation": row["relation"],
        "latest_capture": capture,
    }


def related_claim_item(row: dict) -> dict:
    """A relation of claims.detail.claim_detail_for_user (`related`) as
    RelatedClaimSerializer describes it."""
    other = row["claim"]
    return {
        "id": str(row["public_id"]),
        "kind": row["kind"],
        "direction": row["direction"],
        "claim": {
            "id": str(other["public_id"]),
            "text": other["text"],
            "review_state": other["review_state"],
        },
    }


def review_event_item(row: dict) -> dict:
    """A review event of claims.detail.claim_detail_for_user as ReviewEventSerializer."""
    return _review_event(row, timezone.get_current_timezone())


def _review_event(row: dict, tz: tzinfo) -> dict:
    return {
        "id": str(row["public_id"]),
        "actor": row["actor__username"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "from_verdict": row["from_verdict"],
        "to_verdict": row["to_verdict"],
        "from_credibility": row["from_credibility"],
        "to_credibility": row["to_credibility"],
        "comment": row["comment"],
        "created_at": _datetime(row["created_at"], tz),
        "sha256": row["sha256"],
        "previous_sha256": row["previous_sha256"],
        "captures": [
            {
                "id": _uuid(link["capture_links__capture__public_id"]),
                "sha256": link["capture_links__sha256"],
            }
            for link in row["captures"]
        ],
    }


def claim_detail(claim: dict) -> dict:
    """claims.detail.claim_detail_for_user's dict as ClaimDetailSerializer shows it.

    For a reader who sees only published claims, that is the current revision's payload
    (claims.revisions.published_detail) with the live review events.
    """
    if "published_payload" in claim:
        return _published_claim_detail(claim)
    tz = timezone.get_current_timezone()
    detail = {
        "id": str(claim["public_id"]),
        "text": claim["text"],
        "summary": claim["summary"],
        "tags": claim["tags"],
        "first_seen": _date(claim["first_seen"]),
        "verdict": claim["verdict"],
        "credibility": claim["credibility"],
        "review_state": claim["review_state"],
        "created_by": claim["created_by__username"],
        "created_at": _datetime(claim["created_at"], tz),
        "updated_at": _datetime(claim["updated_at"], tz),
        "reviewed_by": claim["reviewed_by__username"],
        "reviewed_at": _datetime(claim["reviewed_at"], tz),
        "appearances": [_appearance(row, tz) for row in claim["appearances"]],
        "evidence": [_evidence(row, tz) for row in claim["evidence"]],
        "related_claims": [related_claim_item(row) for row in claim["related"]],
        "review_events": [_review_event(row, tz) for row in claim["review_events"]],
    }
    revision = claim.get("revision")
    diff = claim.get("publication_diff", [])
    detail["published_revision"] = revision_meta(revision)
    detail["changed_since_publication"] = bool(diff)
    detail["publication_diff"] = diff
    return detail


def _published_claim_detail(claim: dict) -> dict:
    tz = timezone.get_current_timezone()
    payload = claim["published_payload"]
    detail = {key: value for key, value in payload.items() if key != "captures_relied_on"}
    detail["review_events"] = [_review_event(row, tz) for row in claim["review_events"]]
    detail["published_revision"] = revision_meta(claim["revision"])
    detail["changed_since_publication"] = False
    detail["publication_diff"] = []
    return detail
