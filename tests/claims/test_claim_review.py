"""claims.services.claim_review: the review workflow and the captures a decision rests on."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from claims.models import Claim, ReviewEvent
from claims.services import claim_review
from claimtrail.exceptions import DomainError, NotPermitted
from tests.claims.conftest import make_succeeded_capture
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def test_review_lets_analyst_submit_draft_for_review(analyst):
    claim = ClaimFactory()

    event = claim_review(claim=claim, actor=analyst, to_state="in_review", comment=" ready ")

    claim.refresh_from_db()
    assert claim.review_state == "in_review"
    assert claim.reviewed_by == analyst
    assert (event.from_state, event.to_state, event.comment) == ("draft", "in_review", "ready")
    assert event.actor == analyst


def test_review_lets_analyst_return_claim_to_draft(analyst):
    claim = ClaimFactory()
    claim_review(claim=claim, actor=analyst, to_state="in_review")

    claim_review(claim=claim, actor=analyst, to_state="draft")

    claim.refresh_from_db()
    assert claim.review_state == "draft"
    assert ReviewEvent.objects.filter(claim=claim).count() == 2


def test_review_rejects_publish_without_verdict(editor):
    claim = ClaimFactory()

    with pytest.raises(DomainError) as exc:
        claim_review(claim=claim, actor=editor, to_state="published")

    assert exc.value.message == "A claim cannot be published without a verdict."
    assert exc.value.fields == {"verdict": ["Set a verdict to publish."]}
    claim.refresh_from_db()
    assert claim.review_state == "draft"
    assert not ReviewEvent.objects.filter(claim=claim).exists()


def test_db_rejects_published_claim_without_verdict():
    claim = ClaimFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(review_state="published")

    claim.refresh_from_db()
    assert claim.review_state == "draft"


def test_review_publishes_with_verdict(editor):
    claim = ClaimFactory()

    event = claim_review(
        claim=claim, actor=editor, to_state="published", verdict="unverifiable", credibility=6
    )

    claim.refresh_from_db()
    assert (claim.review_state, claim.verdict, claim.credibility) == (
        "published",
        "unverifiable",
        6,
    )
    assert (event.from_verdict, event.to_verdict) == ("", "unverifiable")
    assert (event.from_credibility, event.to_credibility) == (None, 6)


@pytest.mark.parametrize("to_state", ["published", "archived"])
def test_review_refuses_analyst_publishing_or_archiving(analyst, editor, to_state):
    claim = ClaimFactory()
    claim_review(claim=claim, actor=editor, to_state="in_review", verdict="refuted")

    with pytest.raises(NotPermitted) as exc:
        claim_review(claim=claim, actor=analyst, to_state=to_state)

    assert exc.value.status_code == 403
    assert exc.value.message == f"Only editors can move a claim to {to_state}."
    claim.refresh_from_db()
    assert claim.review_state == "in_review"


def test_review_refuses_verdict_change_by_analyst(analyst):
    claim = ClaimFactory()

    with pytest.raises(NotPermitted) as exc:
        claim_review(claim=claim, actor=analyst, to_state="in_review", verdict="refuted")

    assert exc.value.message == "Only editors can set a verdict or credibility."
    claim.refresh_from_db()
    assert (claim.review_state, claim.verdict) == ("draft", "")


def test_review_refuses_viewer(viewer):
    claim = ClaimFactory()

    with pytest.raises(NotPermitted) as exc:
        claim_review(claim=claim, actor=viewer, to_state="in_review")

    assert exc.value.message == "Requires the analyst role."


def test_review_refuses_transition_not_allowed(editor):
    claim = ClaimFactory()
    claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")

    with pytest.raises(DomainError) as exc:
        claim_review(claim=claim, actor=editor, to_state="draft")

    assert exc.value.code == "invalid_transition"
    assert exc.value.message == "A published claim cannot move to draft."


def test_review_refuses_a_change_of_nothing(analyst):
    claim = ClaimFactory()

    with pytest.raises(DomainError) as exc:
        claim_review(claim=claim, actor=analyst, to_state="draft")

    assert exc.value.code == "no_change"
    assert not ReviewEvent.objects.filter(claim=claim).exists()


def test_review_records_verdict_change_without_state_change(editor):
    claim = ClaimFactory()
    claim_review(claim=claim, actor=editor, to_state="published", verdict="unverifiable")

    event = claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")

    assert (event.from_state, event.to_state) == ("published", "published")
    assert (event.from_verdict, event.to_verdict) == ("unverifiable", "refuted")


def test_review_keeps_latest_succeeded_capture_of_each_evidence(editor):
    claim = ClaimFactory()
    video, photo = EvidenceFactory(claims=[claim]), EvidenceFactory(claims=[claim])
    make_succeeded_capture(video, content=b"old video", finished_ago=timedelta(days=2))
    newest_video = make_succeeded_capture(video, content=b"new video", finished_ago=timedelta(0))
    photo_capture = make_succeeded_capture(photo, content=b"photo")
    unrelated = EvidenceFactory(claims=[ClaimFactory()])
    make_succeeded_capture(unrelated, content=b"other claim")

    event = claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    kept = {(link.capture_id, link.sha256) for link in event.capture_links.all()}
    assert kept == {
        (newest_video.pk, newest_video.sha256),
        (photo_capture.pk, photo_capture.sha256),
    }


def test_review_protects_the_captures_it_relied_on(editor):
    claim = ClaimFactory()
    capture = make_succeeded_capture(EvidenceFactory(claims=[claim]), content=b"video")
    event = claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    with pytest.raises(ProtectedError):
        capture.delete()

    link = event.capture_links.get()
    assert link.capture_id == capture.pk
    assert link.sha256 == capture.sha256


def test_review_records_only_the_captures_given(editor):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim])
    chosen = make_succeeded_capture(evidence, content=b"chosen", finished_ago=timedelta(days=1))
    make_succeeded_capture(evidence, content=b"newer")

    event = claim_review(
        claim=claim, actor=editor, to_state="published", verdict="refuted", captures=[chosen]
    )

    assert [link.sha256 for link in event.capture_links.all()] == [chosen.sha256]


def test_review_keeps_the_page_and_its_browser_capture_not_an_embedded_image(editor):
    """The decision rests on the item's own captures (one per method), not on media
    embedded in its page, even when that finished later."""
    claim = ClaimFactory()
    page = EvidenceFactory(claims=[claim], kind="web_page")
    page_fetch = make_succeeded_capture(page, content=b"<html>", finished_ago=timedelta(hours=2))
    rendered = make_succeeded_capture(page, content=b"png", finished_ago=timedelta(hours=1))
    rendered.method = "browser"
    rendered.save(update_fields=["method"])
    embedded = make_succeeded_capture(page, content=b"jpeg")
    embedded.parent = page_fetch
    embedded.save(update_fields=["parent"])

    event = claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    assert {link.capture_id for link in event.capture_links.all()} == {
        page_fetch.pk,
        rendered.pk,
    }


def test_review_refuses_a_given_capture_deleted_meanwhile(editor):
    from provenance.services import evidence_delete

    claim = ClaimFactory(actor=editor)
    evidence = EvidenceFactory(actor=editor, claims=[claim])
    capture = make_succeeded_capture(evidence)
    evidence_delete(actor=editor, evidence=evidence)  # after the caller picked the capture

    with pytest.raises(DomainError) as refused:
        claim_review(claim=claim, actor=editor, to_state="in_review", captures=[capture])

    assert (
        refused.value.message == f"Capture {capture.public_id} was deleted meanwhile; review again."
    )
    assert refused.value.fields == {"captures": [refused.value.message]}
    assert ReviewEvent.objects.filter(claim=claim).count() == 0


def test_a_reviewer_with_review_events_cannot_be_deleted(editor):
    # The review log's hashes cover who decided: removing the reviewer would read as tampering.
    claim = ClaimFactory(actor=editor)
    claim_review(claim=claim, actor=editor, to_state="in_review")

    with pytest.raises(ProtectedError), transaction.atomic():
        editor.delete()

    assert ReviewEvent.objects.get(claim=claim).actor == editor
