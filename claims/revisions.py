"""Published revisions: what an editor published, frozen, hashed and read by the public.

A revision's payload is the claim detail of the API (claims/api/payloads.claim_detail over
claims.detail.claim_working_detail) as it stood when an editor published it, with these
differences: no review events (they are append-only and read live), related claims only
the published ones (with their published text), datetimes in UTC, and
`captures_relied_on`, the captures (by SHA-256) the publication relied on. Its `sha256`
is the hash of its canonical JSON (claimtrail.lib.canonical).
"""

import uuid
from datetime import UTC

from django.contrib.postgres.search import SearchVector
from django.db import connections
from django.db.models import Max, Value
from django.utils import timezone

from claims.models import Claim, PublishedRevision, ReviewEvent, Tag
from claimtrail.lib.canonical import canonical_sha256
from provenance.models import Evidence

PUBLISHED = Claim.ReviewState.PUBLISHED

# What the diff compares: the claim's content, not its bookkeeping (updated_at, review
# state and who reviewed it change with every save or review); of evidence, not what a
# capture worker changes.
_CLAIM_FIELDS = ("text", "summary", "tags", "first_seen", "verdict", "credibility")
_EVIDENCE_IGNORED = {"latest_capture"}


def _published_texts(public_ids: list[str]) -> dict[str, str]:
    """The published text of each of these claims that is published now (one query)."""
    if not public_ids:
        return {}
    found = Claim.objects.filter(public_id__in=public_ids, review_state=PUBLISHED).values_list(
        "public_id", "published_revision__text"
    )
    return {str(public_id): text for public_id, text in found if text is not None}


def _public_related(related: list[dict], texts: dict[str, str]) -> list[dict]:
    """Relations to claims that are published, each showing that claim's published text."""
    shown = []
    for relation in related:
        other = relation["claim"]["id"]
        if other in texts:
            shown.append({**relation, "claim": {**relation["claim"], "text": texts[other]}})
    return shown


def _as_payload(detail: dict, *, relied_on: list[dict]) -> dict:
    """The JSON of a working detail (payloads.claim_detail, in UTC) as a revision payload."""
    payload = {key: value for key, value in detail.items() if key != "review_events"}
    related_ids = [relation["claim"]["id"] for relation in detail["related_claims"]]
    payload["related_claims"] = _public_related(
        detail["related_claims"], _published_texts(related_ids)
    )
    payload["captures_relied_on"] = relied_on
    for key in ("published_revision", "changed_since_publication", "publication_diff"):
        payload.pop(key, None)
    return payload


def revision_create(
    *, claim: Claim, actor, event: ReviewEvent | None, relied_on: list
) -> PublishedRevision:
    """Freeze the claim as it stands now (just published by `event`) into a new revision.

    Precondition: the caller holds the claim's row lock (claim_review), so numbers do not
    race; the claim row already has its published state and verdict. Links the revision
    from `event` and from the claim.
    """
    from claims.api.payloads import claim_detail
    from claims.detail import claim_working_detail

    rows = claim_working_detail(public_id=claim.public_id, review_events=False)
    _drop_hidden_upstreams(rows["appearances"])
    with timezone.override(UTC):
        detail = claim_detail(rows)
    evidence_public_ids = dict(
        Evidence.objects.filter(pk__in={c.evidence_id for c in relied_on}).values_list(
            "id", "public_id"
        )
    )
    payload = _as_payload(
        detail,
        relied_on=[
            {
                "id": str(capture.public_id),
                "evidence": str(evidence_public_ids[capture.evidence_id]),
                "sha256": capture.sha256,
            }
            for capture in relied_on
        ],
    )
    last = claim.published_revisions.aggregate(n=Max("number"))["n"] or 0
    revision = PublishedRevision(
        claim=claim,
        number=last + 1,
        payload=payload,
        sha256=canonical_sha256(payload),
        published_by=actor,
        text=payload["text"],
        summary=payload["summary"],
        first_seen=rows["first_seen"],
        appearance_count=len(payload["appearances"]),
        evidence_count=len(payload["evidence"]),
        search_document=_search_document(payload),
    )
    revision.full_clean()
    revision.save()
    revision.tags.set(Tag.objects.filter(name__in=payload["tags"]))
    revision.appearances.set([row["id"] for row in rows["appearances"]])
    revision.evidence.set([row["evidence_id"] for row in rows["evidence"]])
    if connections[PublishedRevision.objects.db].vendor == "postgresql":
        PublishedRevision.objects.filter(pk=revision.pk).update(
            search_vector=SearchVector(Value(revision.search_document), config="simple")
        )
    if event is not None:
        ReviewEvent.objects.filter(pk=event.pk).update(revision=revision)
        event.revision = revision
    Claim.objects.filter(pk=claim.pk).update(published_revision=revision)
    claim.published_revision = revision
    return revision


def _drop_hidden_upstreams(appearances: list[dict]) -> None:
    """Keep in each appearance's `derived_from` only what the public may see once this
    revision is published: this claim's own appearances and those visible now (one query
    when another claim's appearance is named)."""
    from claimtrail.visibility import visible_appearances

    own = {row["public_id"] for row in appearances}
    others = {up for row in appearances for up in row["derived_from"] if up not in own}
    visible = set()
    if others:
        visible = set(
            visible_appearances(None)
            .filter(public_id__in=others)
            .values_list("public_id", flat=True)
        )
    for row in appearances:
        row["derived_from"] = [up for up in row["derived_from"] if up in own or up in visible]


def _search_document(payload: dict) -> str:
    """The published counterpart of Claim.search_document (claim_refresh_search_document)."""
    quotes = [
        part
        for appearance in payload["appearances"]
        for part in (appearance["quote"], appearance["quote_translation"])
        if part
    ]
    return "\n".join([payload["text"], payload["summary"], *quotes])


def revision_meta(revision: dict | None) -> dict | None:
    """How the API names a revision: {id, number, sha256, published_at}."""
    if revision is None:
        return None
    from claims.api.payloads import _datetime

    return {
        "id": str(revision["public_id"]),
        "number": revision["number"],
        "sha256": revision["sha256"],
        "published_at": _datetime(revision["created_at"], timezone.get_current_timezone()),
    }


def revision_for_detail(*, revision_id: int | None) -> dict | None:
    """The revision with this id, payload included (one query; none without an id)."""
    if revision_id is None:
        return None
    return (
        PublishedRevision.objects.filter(pk=revision_id)
        .values("public_id", "number", "sha256", "created_at", "payload")
        .first()
    )


def working_diff(*, rows: dict, revision: dict) -> list[dict]:
    """publication_diff between a revision and the working copy in `rows` (the dict of
    claims.detail.claim_working_detail), the latter as it would be published: upstream
    appearances the public may not see left out (one query when another claim's
    appearance is named), in UTC."""
    from claims.api.payloads import claim_detail

    appearances = [
        {**row, "derived_from": list(row["derived_from"])} for row in rows["appearances"]
    ]
    _drop_hidden_upstreams(appearances)
    with timezone.override(UTC):
        working = claim_detail({**rows, "appearances": appearances, "revision": None})
    return publication_diff(published=revision["payload"], working=working)


def working_differs(*, claim: Claim) -> bool:
    """Whether the claim's working copy differs from its current revision (a re-publication
    would change what the public reads). Five queries or six."""
    from claims.detail import claim_working_detail

    revision = revision_for_detail(revision_id=claim.published_revision_id)
    if revision is None:
        return True
    rows = claim_working_detail(public_id=claim.public_id, review_events=False)
    return bool(working_diff(rows=rows, revision=revision))


def published_detail(*, public_id: uuid.UUID) -> dict | None:
    """What anonymous readers see of a claim: its current revision while it is published.

    Four queries at most whatever the size: the claim with its revision's payload, its
    review events (live), which related claims are still published (with their published
    text), and the latest capture of each evidence item now: preserving evidence goes on
    after publication (a capture queued then has finished since), and is not an editor's
    decision. None when the claim does not exist or is not published.
    """
    from claims.detail import claim_review_event_rows

    found = (
        Claim.objects.filter(
            public_id=public_id, review_state=PUBLISHED, published_revision__isnull=False
        )
        .values(
            "id",
            "published_revision__public_id",
            "published_revision__number",
            "published_revision__sha256",
            "published_revision__created_at",
            "published_revision__payload",
        )
        .first()
    )
    if found is None:
        return None
    payload = found["published_revision__payload"]
    related = payload["related_claims"]
    texts = _published_texts([relation["claim"]["id"] for relation in related])
    return {
        "published_payload": {
            **payload,
            "related_claims": _public_related(related, texts),
            "evidence": _with_latest_captures(payload["evidence"]),
        },
        "revision": {
            field: found[f"published_revision__{field}"]
            for field in ("public_id", "number", "sha256", "created_at")
        },
        "review_events": claim_review_event_rows(claim_id=found["id"]),
    }


def _with_latest_captures(evidence: list[dict]) -> list[dict]:
    """The payload's evidence items, each with its latest capture as of now (one query);
    an item deleted since keeps the capture it was published with."""
    from claims.api.payloads import latest_capture_item
    from provenance.selectors import evidence_with_latest_capture

    if not evidence:
        return evidence
    rows = evidence_with_latest_capture(
        Evidence.objects.filter(public_id__in=[item["id"] for item in evidence])
    ).values(
        "public_id",
        "latest_capture_public_id",
        "latest_capture_status",
        "latest_capture_sha256",
        "latest_capture_finished_at",
        "latest_capture_error_code",
    )
    latest = {
        str(row["public_id"]): latest_capture_item(
            {
                key.replace("latest_capture_", "latest_capture__"): value
                for key, value in row.items()
            }
        )
        for row in rows
    }
    return [
        {**item, "latest_capture": latest[item["id"]]} if item["id"] in latest else item
        for item in evidence
    ]


# --- Differences -------------------------------------------------------------------------


def _by_id(items: list[dict]) -> dict[str, dict]:
    return {item["id"]: item for item in items}


def _item_changes(name: str, published: list[dict], working: list[dict], ignored=()) -> list:
    changes = []
    before, after = _by_id(published), _by_id(working)
    for item_id, old in before.items():
        new = after.get(item_id)
        if new is None:
            changes.append({"field": f"{name}[{item_id}]", "published": old, "working": None})
            continue
        changes.extend(
            {
                "field": f"{name}[{item_id}].{key}",
                "published": old.get(key),
                "working": new.get(key),
            }
            for key in sorted(old.keys() | new.keys())
            if key not in ignored and old.get(key) != new.get(key)
        )
    for item_id, new in after.items():
        if item_id not in before:
            changes.append({"field": f"{name}[{item_id}]", "published": None, "working": new})
    return changes


def _relation_key(relation: dict) -> dict:
    return {
        "id": relation["id"],
        "kind": relation["kind"],
        "direction": relation["direction"],
        "claim": relation["claim"]["id"],
    }


def publication_diff(*, published: dict, working: dict) -> list[dict]:
    """What differs between a revision's payload and the working detail (both as the API
    shows them, in the same time zone): [{field, published, working}], claim fields first,
    then appearances, evidence and related claims by id (added, removed, or each changed
    field). Bookkeeping (updated_at, review state) and latest captures are not content.
    """
    changes = [
        {"field": field, "published": published.get(field), "working": working.get(field)}
        for field in _CLAIM_FIELDS
        if published.get(field) != working.get(field)
    ]
    changes += _item_changes("appearances", published["appearances"], working["appearances"])
    changes += _item_changes(
        "evidence", published["evidence"], working["evidence"], ignored=_EVIDENCE_IGNORED
    )
    published_related = [_relation_key(r) for r in published["related_claims"]]
    working_related = [
        _relation_key(r)
        for r in working["related_claims"]
        if r["claim"]["review_state"] == PUBLISHED
    ]
    changes += _item_changes("related_claims", published_related, working_related)
    return changes
