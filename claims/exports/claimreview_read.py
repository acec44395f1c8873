"""The ClaimReview of a published claim, from what claims.revisions.published_detail
reads: shared by `/api/claims/{id}/claimreview/` and the evidence package."""

from django.conf import settings
from django.utils.dateparse import parse_datetime

from claims.exports.claimreview import claim_review_document
from claims.models import Claim
from claimtrail.exports import site_url


def _work(appearance: dict) -> dict:
    """An appearance of a published revision's payload as claim_review_document takes it."""
    published_at = appearance["published_at"]
    return {
        "url": appearance["url"],
        "published_at": parse_datetime(published_at) if published_at else None,
        "derived_from": appearance["derived_from"],
        "source": {"name": appearance["source"]["name"], "kind": appearance["source"]["kind"]},
    }


def _first_appearance(appearances: list[dict]) -> dict | None:
    """The origin: the earliest-published appearance that relays nothing (undated ones
    only when none is dated)."""
    origins = [row for row in appearances if not row["derived_from"]] or appearances
    dated = [row for row in origins if row["published_at"] is not None]
    if dated:
        return min(dated, key=lambda row: row["published_at"])
    return origins[0] if origins else None


def published_claim_review(published: dict) -> dict:
    """ClaimReview JSON-LD of `published` (claims.revisions.published_detail's dict): the
    current published revision, dated by its first publication and its latest."""
    payload = published["published_payload"]
    appearances = [_work(row) for row in payload["appearances"]]
    publications = [
        event["created_at"]
        for event in published["review_events"]
        if event["to_state"] == Claim.ReviewState.PUBLISHED
    ]
    last_published = published["revision"]["created_at"]
    return claim_review_document(
        claim={"text": payload["text"], "verdict": payload["verdict"]},
        origin=_first_appearance(appearances),
        appearances=appearances,
        date_published=publications[0] if publications else last_published,
        date_modified=last_published,
        url=site_url(f"/api/claims/{payload['id']}/"),
        organization={
            "name": settings.CLAIMREVIEW_AUTHOR_NAME,
            "url": settings.CLAIMREVIEW_AUTHOR_URL,
        },
    )
