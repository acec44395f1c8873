"""The claim detail as plain dicts, in a fixed number of queries (see claim_detail_for_user):
the one read of a claim that the API, pages and exports share.
"""

import uuid

from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery

from claims.models import Claim, ClaimRelation, ReviewEvent
from claims.selectors import CLAIM_NOT_FOUND, LIST_FIELDS
from claimtrail.exceptions import NotFound
from claimtrail.lib.compiled_rows import grouped, rows
from claimtrail.visibility import parse_public_id, sees_unpublished
from provenance.models import Appearance, EvidenceClaim
from provenance.selectors import latest_captures

CLAIM_FIELDS = (
    *LIST_FIELDS,
    "created_by__username",
    "reviewed_by__username",
    "published_revision_id",
    "tags__name",
)


# Each read a function of the id alone, so that `rows` compiles it once.
def _claim(public_id: uuid.UUID) -> QuerySet[Claim]:
    return Claim.objects.filter(public_id=public_id).order_by("tags__name")


APPEARANCE_FIELDS = (
    "id",
    "public_id",
    "stance",
    "quote",
    "quote_language",
    "quote_translation",
    "url",
    "published_at",
    "published_precision",
    "source__public_id",
    "source__name",
    "source__kind",
    "source__reliability",
    "source__state_affiliated",
    "upstream_public_id",
)


def _appearances(claim_id: int) -> QuerySet[Appearance]:
    # derived_from in Appearance's default order, as the appearance API lists it.
    return (
        Appearance.objects.filter(claim_id=claim_id)
        .annotate(upstream_public_id=F("derived_from__public_id"))
        # Undated appearances last on every database (SQLite sorts nulls first).
        .order_by(
            F("published_at").asc(nulls_last=True),
            "created_at",
            "id",
            F("derived_from__published_at").asc(nulls_last=True),
            "derived_from__created_at",
            "derived_from__id",
        )
    )


EVIDENCE_FIELDS = (
    "evidence_id",
    "relation",
    "evidence__public_id",
    "evidence__kind",
    "evidence__url",
    "evidence__title",
    "latest_capture__public_id",
    "latest_capture__status",
    "latest_capture__sha256",
    "latest_capture__finished_at",
    "latest_capture__error_code",
)


def _evidence(claim_id: int) -> QuerySet[EvidenceClaim]:
    # The latest capture (provenance.selectors.latest_captures) joined on the one id its
    # subquery picks: five subqueries (one a column) took longer to build.
    newest = latest_captures(evidence_id=OuterRef("evidence_id"))
    latest = Q(evidence__captures__id=Subquery(newest.values("id")[:1]))
    return (
        EvidenceClaim.objects.filter(claim_id=claim_id)
        .annotate(latest_capture=FilteredRelation("evidence__captures", condition=latest))
        .order_by("created_at", "id")
    )


RELATED_CLAIM_FIELDS = ("public_id", "text", "review_state")
RELATION_FIELDS = (
    "public_id",
    "kind",
    "from_claim_id",
    *(f"{side}__{field}" for side in ("from_claim", "to_claim") for field in RELATED_CLAIM_FIELDS),
)


def _relations(claim_id: int) -> QuerySet[ClaimRelation]:
    return ClaimRelation.objects.filter(
        Q(from_claim_id=claim_id) | Q(to_claim_id=claim_id)
    ).order_by("created_at", "id")


REVIEW_EVENT_FIELDS = (
    "id",
    "public_id",
    "actor__username",
    "from_state",
    "to_state",
    "from_verdict",
    "to_verdict",
    "from_credibility",
    "to_credibility",
    "comment",
    "created_at",
    "sha256",
    "previous_sha256",
    "capture_links__id",
    "capture_links__capture__public_id",
    "capture_links__sha256",
)


def _review_events(claim_id: int) -> QuerySet[ReviewEvent]:
    return ReviewEvent.objects.filter(claim_id=claim_id).order_by(
        "created_at", "id", "capture_links__id"
    )


def claim_detail_for_user(*, public_id, actor) -> dict:
    """A claim and everything its detail embeds, as dicts; NotFound (404) if not visible.

    Viewers and the roles above read the working copy (claim_working_detail) and, once the
    claim was published, its current revision under `revision` (one more query). Anyone
    else reads what an editor published: see claims.revisions.published_detail.
    """
    parsed = parse_public_id(public_id)
    if not sees_unpublished(actor):
        from claims.revisions import published_detail

        found = published_detail(public_id=parsed) if parsed else None
    else:
        found = claim_working_detail(public_id=parsed) if parsed else None
        if found is not None:
            from claims.revisions import revision_for_detail, working_diff

            revision = revision_for_detail(revision_id=found["published_revision_id"])
            found["revision"] = revision
            found["publication_diff"] = (
                working_diff(rows=found, revision=revision) if revision else []
            )
    if found is None:
        raise NotFound(CLAIM_NOT_FOUND)
    return found


def claim_working_detail(*, public_id: uuid.UUID, review_events: bool = True) -> dict | None:
    """The working copy of a claim and everything its detail embeds, as dicts; None if
    there is no such claim. No visibility rule: callers decide who may read it.

    Five queries whatever the number of children (four without `review_events`): the
    claim (+ created/reviewed by usernames, its tags joined), appearances (+ source,
    derived_from joined), evidence links (+ evidence, its latest capture joined),
    relations both ways (+ the other claim), review events (+ actor, their captures
    joined). A joined child repeats its parent's columns, which costs less than another
    round trip for a handful of tags, derived_from links or captures.

    Keys: CLAIM_FIELDS, with `tags` (names) for `tags__name`; `appearances`
    (APPEARANCE_FIELDS, with `derived_from` (public ids) for `upstream_public_id`);
    `evidence` (EVIDENCE_FIELDS); `related` (`public_id`, `kind`, `direction` "out" or
    "in", `claim`: RELATED_CLAIM_FIELDS); `review_events` (REVIEW_EVENT_FIELDS, with
    `captures` for the `capture_links__` columns, a dict of them each).
    """
    found = grouped(
        rows(_claim, CLAIM_FIELDS, public_id), key="id", child_columns=("tags__name",), into="tags"
    )
    if not found:
        return None
    claim = found[0]
    claim_id = claim["id"]
    claim["appearances"] = grouped(
        rows(_appearances, APPEARANCE_FIELDS, claim_id),
        key="id",
        child_columns=("upstream_public_id",),
        into="derived_from",
    )
    claim["evidence"] = rows(_evidence, EVIDENCE_FIELDS, claim_id)
    claim["related"] = _related(rows(_relations, RELATION_FIELDS, claim_id), claim_id=claim_id)
    claim["review_events"] = claim_review_event_rows(claim_id=claim_id) if review_events else []
    return claim


def claim_review_event_rows(*, claim_id: int) -> list[dict]:
    """The claim's review events (REVIEW_EVENT_FIELDS, `captures` grouped), one query."""
    return grouped(
        rows(_review_events, REVIEW_EVENT_FIELDS, claim_id),
        key="id",
        child_columns=REVIEW_EVENT_FIELDS[-3:],
        into="captures",
    )


def _related(relations: list[dict], *, claim_id: int) -> list[dict]:
    """Relations from the claim ("out"), then to it ("in"), each oldest first."""
    related = []
    for row in relations:
        outgoing = row["from_claim_id"] == claim_id
        other = "to_claim" if outgoing else "from_claim"
        related.append(
            {
                "public_id": row["public_id"],
                "kind": row["kind"],
                "direction": "out" if outgoing else "in",
                "claim": {field: row[f"{other}__{field}"] for field in RELATED_CLAIM_FIELDS},
            }
        )
    related.sort(key=lambda relation: relation["direction"] != "out")
    return related


def claim_evidence_rows(*, claim_id: int) -> list[dict]:
    """The claim's evidence links with their latest capture (EVIDENCE_FIELDS), oldest
    first, in one query: what the detail's `evidence` holds, for a page refreshing it."""
    return rows(_evidence, EVIDENCE_FIELDS, claim_id)
