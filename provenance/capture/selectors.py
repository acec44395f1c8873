"""Reads of captures, with the visibility rule of the rest of the API.

Viewers see every capture; everyone else only captures of evidence linked to a published
claim. One query per page whatever its size: the evidence and parent public ids come in
the same row (select_related), the visibility test is an EXISTS subquery.
"""

from uuid import UUID

from django.db.models import Exists, OuterRef, QuerySet

from claimtrail.exceptions import NotFound
from claimtrail.roles import VIEWER, user_has_role
from provenance.models import Capture, EvidenceClaim

PUBLISHED = "published"


def capture_list(*, actor) -> QuerySet[Capture]:
    captures = Capture.objects.select_related("evidence", "parent")
    if actor is None or not user_has_role(actor, VIEWER):
        published = EvidenceClaim.objects.filter(
            evidence=OuterRef("evidence"), claim__review_state=PUBLISHED
        )
        captures = captures.filter(Exists(published))
    return captures


def capture_get_for_user(*, public_id: UUID | str, actor) -> Capture:
    """One visible capture; NotFound (same message as a missing one) otherwise."""
    capture = capture_list(actor=actor).filter(public_id=public_id).first()
    if capture is None:
        raise NotFound("No such capture.")
    return capture
