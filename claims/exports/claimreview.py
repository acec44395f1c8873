"""A published claim as schema.org ClaimReview JSON-LD, built from plain data.

Verdicts map onto a 1–5 truth scale (`VERDICT_RATINGS`, also in the README):
refuted 1, misleading 2, disputed 3, supported 5 (nothing is "mostly supported", so 4 is
not used). `unverified` and `unverifiable` take no position on that scale: their rating
has the scale and the verdict's label but no `ratingValue`. `alternateName` is always
the verdict's label (Refuted, Misleading, …).
"""

from datetime import date, datetime

from claims.models import Verdict

SCHEMA_ORG = "https://schema.org"
BEST_RATING = 5
WORST_RATING = 1
VERDICT_RATINGS: dict[str, int | None] = {
    Verdict.REFUTED: 1,
    Verdict.MISLEADING: 2,
    Verdict.DISPUTED: 3,
    Verdict.SUPPORTED: 5,
    Verdict.UNVERIFIED: None,
    Verdict.UNVERIFIABLE: None,
}
_PERSON_KINDS = {"person"}


def review_rating(verdict: str) -> dict:
    """The schema.org Rating of a verdict (see the module docstring)."""
    rating = {
        "@type": "Rating",
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "alternateName": Verdict(verdict).label,
    }
    if VERDICT_RATINGS[verdict] is not None:
        rating["ratingValue"] = VERDICT_RATINGS[verdict]
    return rating


def _date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _source(source: dict) -> dict:
    kind = "Person" if source.get("kind") in _PERSON_KINDS else "Organization"
    return {"@type": kind, "name": source["name"]}


def _creative_work(appearance: dict) -> dict:
    work = {"@type": "CreativeWork", "url": appearance["url"]}
    if appearance.get("published_at"):
        work["datePublished"] = appearance["published_at"].isoformat()
    if appearance.get("source"):
        work["author"] = _source(appearance["source"])
    return work


def _without_empty(document: dict) -> dict:
    return {key: value for key, value in document.items() if value not in (None, "", [])}


def claim_review_document(
    *,
    claim: dict,
    origin: dict | None,
    appearances: list[dict],
    date_published: datetime,
    date_modified: datetime | None = None,
    url: str,
    organization: dict,
) -> dict:
    """ClaimReview JSON-LD for a published claim.

    `claim`: {text, verdict}. `origin`: the first appearance ({url, published_at,
    source: {name, kind}}) or None; it gives the reviewed Claim's author, its
    datePublished and firstAppearance. `appearances`: the claim's appearances, oldest
    first (same keys); those with a URL are its `appearance` list. `date_published`:
    when the review was first published; `date_modified`: when it was last published, if
    later. `url`: the claim's page. `organization`: {name, url},
    who runs this instance.
    """
    item = {
        "@type": "Claim",
        "author": _source(origin["source"]) if origin and origin.get("source") else None,
        "datePublished": _date(origin.get("published_at")) if origin else None,
        "firstAppearance": _creative_work(origin) if origin and origin.get("url") else None,
        "appearance": [_creative_work(row) for row in appearances if row.get("url")],
    }
    author = _without_empty(
        {"@type": "Organization", "name": organization["name"], "url": organization.get("url")}
    )
    return _without_empty(
        {
            "@context": SCHEMA_ORG,
            "@type": "ClaimReview",
            "url": url,
            "claimReviewed": claim["text"],
            "datePublished": _date(date_published),
            "dateModified": None
            if _date(date_modified) == _date(date_published)
            else _date(date_modified),
            "author": author,
            "reviewRating": review_rating(claim["verdict"]),
            "itemReviewed": _without_empty(item),
        }
    )
