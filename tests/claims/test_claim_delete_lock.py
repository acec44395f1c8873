"""A claim published while it is being deleted is not deleted (claim_delete's row lock).

Each thread has its own database connection. The first publishes the claim and holds its
transaction open; the second then deletes the claim. With the lock, the delete waits for
the publication to commit, sees its review event and refuses; without it, the delete sees
no event yet and the two transactions collide on the foreign key at commit.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from claims.models import Claim, ReviewEvent
from claims.services import claim_delete, claim_review
from claimtrail.exceptions import DomainError
from tests.factories import ClaimFactory, UserFactory

# Row locks while another transaction waits: PostgreSQL (SQLite locks the whole file).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
HOLD_SECONDS = 0.5


def test_a_claim_published_during_its_deletion_is_kept():
    editor = UserFactory(username="racing_editor", roles=["editor"])
    claim = ClaimFactory(actor=editor)
    published = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def publish():
        try:
            with transaction.atomic():
                claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
                published.set()
                time.sleep(HOLD_SECONDS)  # the event stays uncommitted while delete runs
            outcome["publish"] = None
        except BaseException as exc:
            outcome["publish"] = exc
            published.set()
        finally:
            connection.close()

    def delete():
        published.wait(timeout=10)
        try:
            claim_delete(actor=editor, claim=claim)
            outcome["delete"] = None
        except BaseException as exc:
            outcome["delete"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=publish), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcome["publish"] is None
    assert isinstance(outcome["delete"], DomainError), outcome["delete"]
    assert outcome["delete"].message == (
        "A claim that was ever published cannot be deleted; archive it instead."
    )
    assert Claim.objects.get(pk=claim.pk).review_state == "published"
    assert ReviewEvent.objects.filter(claim=claim).count() == 1
