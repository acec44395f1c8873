"""A review racing the deletion of evidence it would rely on (claim_review's evidence locks).

Each thread has its own database connection. The first deletes the evidence and holds its
transaction open; the second then publishes the claim. With the lock, the review waits for
the deletion to commit and relies on what is left; without it, the review picks the doomed
capture and fails on the foreign key (a 500 for the editor).
"""

import threading
import time

import pytest
from django.db import connection, transaction

from claims.models import ReviewEventCapture
from claims.services import claim_review
from provenance.models import Evidence
from provenance.services import evidence_delete
from tests.claims.conftest import make_succeeded_capture
from tests.factories import ClaimFactory, EvidenceFactory, UserFactory

# Row locks while another transaction waits: PostgreSQL (SQLite locks the whole file).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
HOLD_SECONDS = 0.5


def test_a_review_during_an_evidence_deletion_relies_on_what_is_left():
    editor = UserFactory(username="racing_editor", roles=["editor"])
    claim = ClaimFactory(actor=editor)
    doomed = EvidenceFactory(actor=editor, claims=[claim], url="https://example.org/gone")
    kept = EvidenceFactory(actor=editor, claims=[claim], url="https://example.org/kept")
    make_succeeded_capture(doomed, content=b"gone")
    kept_capture = make_succeeded_capture(kept, content=b"kept")
    deleting = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def delete():
        try:
            with transaction.atomic():
                evidence_delete(actor=editor, evidence=doomed)
                deleting.set()
                time.sleep(HOLD_SECONDS)  # the deletion stays uncommitted while review runs
            outcome["delete"] = None
        except BaseException as exc:
            outcome["delete"] = exc
            deleting.set()
        finally:
            connection.close()

    def review():
        deleting.wait(timeout=10)
        try:
            claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
            outcome["review"] = None
        except BaseException as exc:
            outcome["review"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=delete), threading.Thread(target=review)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcome["delete"] is None
    assert outcome["review"] is None, outcome["review"]
    assert not Evidence.objects.filter(pk=doomed.pk).exists()
    relied_on = ReviewEventCapture.objects.filter(review_event__claim=claim)
    assert [link.capture_id for link in relied_on] == [kept_capture.pk]
