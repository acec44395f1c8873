"""Writes for claims: create, edit, review, relate, merge, delete."""

from collections.abc import Iterable
from datetime import date

from django.contrib.postgres.search import SearchVector
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from claims.models import Claim, ClaimRelation, ReviewEvent, ReviewEventCapture, Tag
from claims.review_chain import review_event_seal
from claimtrail.exceptions import DomainError, NotFound
from claimtrail.lib.auth import require_role
from claimtrail.lib.history import delete_attributed, locked_for_edit, save_attributed
from claimtrail.roles import ANALYST, EDITOR

State = Claim.ReviewState

# Review states an editor's decision is needed to enter.
EDITOR_STATES = {State.PUBLISHED, State.ARCHIVED}
ALLOWED_TRANSITIONS = {
    State.DRAFT: {State.IN_REVIEW, State.PUBLISHED, State.ARCHIVED},
    State.IN_REVIEW: {State.DRAFT, State.PUBLISHED, State.ARCHIVED},
    State.PUBLISHED: {State.IN_REVIEW, State.ARCHIVED},
    State.ARCHIVED: {State.DRAFT, State.IN_REVIEW},
}


def _tags(names: Iterable[str]) -> list[Tag]:
    slugs = []
    for name in names:
        slug = slugify(name, allow_unicode=True)
        if not slug:
            raise DomainError(f"“{name}” is not a usable tag.", fields={"tags": ["Empty tag."]})
        if slug not in slugs:
            slugs.append(slug)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=slugs)}
    for slug in slugs:
        if slug not in existing:
            existing[slug] = Tag.objects.get_or_create(name=slug)[0]
    return [existing[slug] for slug in slugs]


def claim_refresh_search_document(*, claim_ids: Iterable[int]) -> None:
    """Rebuild the full-text document of claims from their text and appearance quotes.

    On PostgreSQL the same UPDATE stores the document's tsvector ('simple'
    configuration) in `search_vector`, which searches match and rank on.
    """
    from provenance.models import Appearance

    ids = list(claim_ids)
    quotes: dict[int, list[str]] = {claim_id: [] for claim_id in ids}
    for claim_id, quote, translation in Appearance.objects.filter(claim_id__in=ids).values_list(
        "claim_id", "quote", "quote_translation"
    ):
        quotes[claim_id].extend(part for part in (quote, translation) if part)
    stores_vector = connections[Claim.objects.db].vendor == "postgresql"
    for claim in Claim.objects.filter(id__in=ids).only("id", "text", "summary"):
        document = "\n".join([claim.text, claim.summary, *quotes[claim.id]])
        # Value(document), not F("search_document"): an UPDATE's expressions see the old row.
        vector = {"search_vector": SearchVector(Value(document), config="simple")}
        Claim.objects.filter(id=claim.id).update(
            search_document=document, **(vector if stores_vector else {})
        )


@transaction.atomic
def claim_create(
    *,
    actor,
    text: str,
    summary: str = "",
    tags: Iterable[str] = (),
    first_seen: date | None = None,
) -> Claim:
    """Create a draft claim."""
    require_role(actor, ANALYST)
    claim = Claim(text=text.strip(), summary=summary.strip(), first_seen=first_seen)
    claim.created_by = actor
    save_attributed(claim, actor=actor)
    claim.tags.set(_tags(tags))
    claim_refresh_search_document(claim_ids=[claim.id])
    return claim


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    actor,
    text: str | None = None,
    summary: str | None = None,
    tags: Iterable[str] | None = None,
    first_seen: date | None = ...,  # type: ignore[assignment]
) -> Claim:
    """Edit a claim's wording, tags or first-seen date; verdicts change only by review.
    Edits the row as it is now (locked_for_edit): a publication made since `claim` was
    read keeps its state, verdict and revision."""
    require_role(actor, ANALYST)
    claim = locked_for_edit(claim)
    if text is not None:
        claim.text = text.strip()
    if summary is not None:
        claim.summary = summary.strip()
    if first_seen is not ...:
        claim.first_seen = first_seen
    save_attributed(claim, actor=actor)
    if tags is not None:
        claim.tags.set(_tags(tags))
    claim_refresh_search_document(claim_ids=[claim.id])
    return claim


def _latest_succeeded_captures(claim: Claim) -> list:
    """The latest succeeded capture of each evidence item linked to the claim now, one per
    method (the fetched bytes, the upload, the rendered page); embedded media are left out."""
    from provenance.models import Capture

    newest_first = Window(
        RowNumber(),
        partition_by=[F("evidence_id"), F("method")],
        order_by=[F("finished_at").desc(), F("id").desc()],
    )
    return list(
        Capture.objects.filter(
            evidence__claim_links__claim=claim, status=Capture.Status.SUCCEEDED, parent__isnull=True
        )
        .annotate(newest=newest_first)
        .filter(newest=1)
        .order_by("id")
    )


def _lock_relied_on(*, claim: Claim, captures: list | None) -> list:
    """The captures a review relies on, read once their evidence rows are locked.

    evidence_delete locks the evidence row too, so a deletion either commits before this
    reads (its captures are then gone and not chosen) or waits and sees the review's links
    (and refuses). Given captures deleted meanwhile are a 400, not a foreign-key error.
    """
    from provenance.models import Capture, Evidence

    if captures is None:
        evidence = Evidence.objects.filter(claim_links__claim=claim)
    else:
        evidence = Evidence.objects.filter(pk__in={capture.evidence_id for capture in captures})
    list(evidence.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if captures is None:
        return _latest_succeeded_captures(claim)
    still_there = set(
        Capture.objects.filter(pk__in=[c.pk for c in captures]).values_list("pk", flat=True)
    )
    gone = [capture for capture in captures if capture.pk not in still_there]
    if gone:
        message = f"Capture {gone[0].public_id} was deleted meanwhile; review again."
        raise DomainError(message, code="unknown_reference", fields={"captures": [message]})
    return captures


@transaction.atomic
def claim_review(
    *,
    claim: Claim,
    actor,
    to_state: str,
    verdict: str | None = None,
    credibility: int | None = None,
    comment: str = "",
    captures: list | None = None,
) -> ReviewEvent:
    """Move a claim through review and/or change its verdict, recording a ReviewEvent.

    Locks the claim row. Publishing, archiving, taking a claim out of `published`, and any
    verdict or credibility change need the editor role; a published claim needs a verdict.
    The event keeps the captures the decision relied on (by default the latest succeeded
    capture of each linked evidence item) with their SHA-256, read with their evidence rows
    locked (see _lock_relied_on). Publishing, and publishing a
    published claim again once its working copy or verdict changed, freezes a new
    published revision (claims.revisions) that the event links to. The event is sealed
    into the claim's hash chain (claims.review_chain).
    """
    from claims.revisions import revision_create, working_differs

    require_role(actor, ANALYST)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    new_verdict = claim.verdict if verdict is None else verdict
    new_credibility = claim.credibility if credibility is None else credibility
    changes_assessment = new_verdict != claim.verdict or new_credibility != claim.credibility
    if to_state not in State.values:
        raise DomainError(
            f"Unknown review state “{to_state}”.", fields={"to_state": ["Unknown state."]}
        )
    if to_state != claim.review_state and to_state not in ALLOWED_TRANSITIONS[claim.review_state]:
        raise DomainError(
            f"A {claim.get_review_state_display().lower()} claim cannot move to {to_state}.",
            code="invalid_transition",
        )
    if claim.review_state == State.PUBLISHED:
        # What the public reads changes only by an editor's decision.
        message = (
            "Only editors can publish a claim again."
            if to_state == State.PUBLISHED
            else "Only editors can take a claim out of published."
        )
        require_role(actor, EDITOR, message)
    republishes = to_state == claim.review_state == State.PUBLISHED
    if (
        to_state == claim.review_state
        and not changes_assessment
        and not (republishes and working_differs(claim=claim))
    ):
        message = (
            "The published revision already shows this claim; nothing to publish."
            if republishes
            else f"The claim is already {to_state} with this verdict; nothing to record."
        )
        raise DomainError(message, code="no_change")
    if to_state in EDITOR_STATES and to_state != claim.review_state:
        require_role(actor, EDITOR, f"Only editors can move a claim to {to_state}.")
    if changes_assessment:
        require_role(actor, EDITOR, "Only editors can set a verdict or credibility.")
    if to_state == State.PUBLISHED and not new_verdict:
        raise DomainError(
            "A claim cannot be published without a verdict.",
            code="verdict_required",
            fields={"verdict": ["Set a verdict to publish."]},
        )

    event = ReviewEvent(
        claim=claim,
        actor=actor,
        from_state=claim.review_state,
        to_state=to_state,
        from_verdict=claim.verdict,
        to_verdict=new_verdict,
        from_credibility=claim.credibility,
        to_credibility=new_credibility,
        comment=comment.strip(),
    )
    event.full_clean()
    event.save()
    relied_on = _lock_relied_on(claim=claim, captures=captures)
    ReviewEventCapture.objects.bulk_create(
        [ReviewEventCapture(review_event=event, capture=c, sha256=c.sha256) for c in relied_on]
    )

    claim.review_state = to_state
    claim.verdict = new_verdict
    claim.credibility = new_credibility
    claim.reviewed_by = actor
    claim.reviewed_at = timezone.now()
    save_attributed(
        claim,
        actor=actor,
        update_fields=[
            "review_state",
            "verdict",
            "credibility",
            "reviewed_by",
            "reviewed_at",
            "updated_at",
        ],
    )
    if to_state == State.PUBLISHED:
        revision_create(claim=claim, actor=actor, event=event, relied_on=relied_on)
    # Last: the hash covers the captures and the revision written above.
    review_event_seal(event=event)
    return event


def claim_relation_create(*, actor, from_claim: Claim, to_claim: Claim, kind: str) -> ClaimRelation:
    """Relate two claims; the same relation twice is refused."""
    require_role(actor, ANALYST)
    if from_claim.pk == to_claim.pk:
        raise DomainError("A claim cannot be related to itself.", code="self_relation")
    if ClaimRelation.objects.filter(from_claim=from_claim, to_claim=to_claim, kind=kind).exists():
        raise DomainError("These claims are already related this way.", code="duplicate")
    relation = ClaimRelation(from_claim=from_claim, to_claim=to_claim, kind=kind, created_by=actor)
    try:
        with transaction.atomic():
            save_attributed(relation, actor=actor)
    except IntegrityError as exc:
        raise DomainError("These claims are already related this way.", code="duplicate") from exc
    return relation


def claim_relation_delete(*, actor, relation: ClaimRelation) -> None:
    """Remove a relation; its history row keeps who removed which edge, and when, so it
    can be restored. The same_as relation a merge leaves is removed by editors only."""
    require_role(actor, ANALYST)
    if relation.kind == ClaimRelation.Kind.SAME_AS:
        require_role(actor, EDITOR, "Only editors can remove a same_as relation.")
    delete_attributed([relation], actor=actor)


@transaction.atomic
def claim_merge(*, actor, duplicate: Claim, target: Claim, comment: str = "") -> Claim:
    """Fold a duplicate claim into `target` (editors only).

    Appearances, evidence links and relations move to the target (links the target
    already has are dropped); the duplicate stays, archived, with a `same_as` edge.
    Locks both claims.
    """
    from provenance.models import Appearance, EvidenceClaim

    require_role(actor, EDITOR, "Only editors can merge claims.")
    if duplicate.pk == target.pk:
        raise DomainError("A claim cannot be merged into itself.", code="self_merge")
    locked = {
        c.pk: c for c in Claim.objects.select_for_update().filter(pk__in=[duplicate.pk, target.pk])
    }
    duplicate, target = locked[duplicate.pk], locked[target.pk]
    if ClaimRelation.objects.filter(
        from_claim=target, to_claim=duplicate, kind=ClaimRelation.Kind.SAME_AS
    ).exists():
        raise DomainError("The target was itself merged into this claim.", code="merge_cycle")
    if target.review_state == State.ARCHIVED:
        raise DomainError(
            "A claim cannot be merged into an archived claim; return the target to draft "
            "or choose another one.",
            code="target_archived",
            fields={"into": ["This claim is archived."]},
        )

    moved = list(Appearance.objects.filter(claim=duplicate))
    for appearance in moved:
        appearance.claim = target
    bulk_update_with_history(moved, Appearance, ["claim"], default_user=actor)
    target_evidence = set(
        EvidenceClaim.objects.filter(claim=target).values_list("evidence_id", flat=True)
    )
    links = list(EvidenceClaim.objects.filter(claim=duplicate))
    for link in links:
        if link.evidence_id in target_evidence:  # the target already has it
            _delete_attributed(link, actor=actor)
        else:
            link.claim = target
    moving = [link for link in links if link.evidence_id not in target_evidence]
    bulk_update_with_history(moving, EvidenceClaim, ["claim"], default_user=actor)
    _move_relations(duplicate=duplicate, target=target, actor=actor)
    target.tags.add(*duplicate.tags.all())

    save_attributed(
        ClaimRelation(
            from_claim=duplicate, to_claim=target, kind=ClaimRelation.Kind.SAME_AS, created_by=actor
        ),
        actor=actor,
    )
    note = f"Merged into {target.public_id}. {comment}".strip()
    if duplicate.review_state != State.ARCHIVED:
        claim_review(claim=duplicate, actor=actor, to_state=State.ARCHIVED, comment=note)
    claim_refresh_search_document(claim_ids=[duplicate.id, target.id])
    target.refresh_from_db()
    return target


def _delete_attributed(instance, *, actor) -> None:
    instance._history_user = actor
    instance.delete()


def _move_relations(*, duplicate: Claim, target: Claim, actor) -> None:
    """Re-point the duplicate's relations at the target, skipping ones that would clash."""
    existing = set(
        ClaimRelation.objects.filter(from_claim=target).values_list("to_claim_id", "kind")
    ) | {
        ("in", from_id, kind)
        for from_id, kind in ClaimRelation.objects.filter(to_claim=target).values_list(
            "from_claim_id", "kind"
        )
    }
    for relation in ClaimRelation.objects.filter(from_claim=duplicate):
        if relation.to_claim_id == target.pk or (relation.to_claim_id, relation.kind) in existing:
            _delete_attributed(relation, actor=actor)
            continue
        relation.from_claim = target
        save_attributed(relation, actor=actor, update_fields=["from_claim"])
        existing.add((relation.to_claim_id, relation.kind))
    for relation in ClaimRelation.objects.filter(to_claim=duplicate):
        key = ("in", relation.from_claim_id, relation.kind)
        if relation.from_claim_id == target.pk or key in existing:
            _delete_attributed(relation, actor=actor)
            continue
        relation.to_claim = target
        save_attributed(relation, actor=actor, update_fields=["to_claim"])
        existing.add(key)


@transaction.atomic
def claim_delete(*, actor, claim: Claim) -> None:
    """Delete a claim that was never reviewed, with its appearances, evidence links and
    relations (editors only; history records the actor on every row).

    Locks the claim. Review events are append-only, so a claim with any (ever published
    or not) is refused with a 400: archive it instead.
    """
    require_role(actor, EDITOR, "Only editors can delete claims.")
    claim = Claim.objects.select_for_update().filter(pk=claim.pk).first()
    if claim is None:  # deleted meanwhile
        raise NotFound("No claim with this id.")
    states = set(ReviewEvent.objects.filter(claim=claim).values_list("to_state", flat=True))
    if State.PUBLISHED in states:
        raise DomainError(
            "A claim that was ever published cannot be deleted; archive it instead.",
            code="published_kept",
        )
    if states:
        raise DomainError(
            "A claim with review history cannot be deleted; archive it instead.",
            code="review_history_kept",
        )
    delete_attributed([claim], actor=actor)
