"""Reads of captures, with the visibility rule of the rest of the API.

Viewers see every capture; everyone else only captures of evidence linked to a published
claim. One query per page whatever its size: the evidence and parent public ids come in
the same row (select_related), the visibility test is an EXISTS subquery.
"""

from uuid import UUID

from django.db.models import QuerySet

from claimtrail.exceptions import NotFound
from claimtrail.visibility import parse_public_id, visible_captures
from provenance.models import Capture


def capture_list(*, actor) -> QuerySet[Capture]:
    """The captures `actor` may see (claimtrail.visibility), evidence and parent joined."""
    return visible_captures(actor).select_related("evidence", "parent")


def capture_get_for_user(*, public_id: UUID | str, actor) -> Capture:
    """One visible capture; NotFound (same message as a missing one) otherwise."""
    public_id = parse_public_id(public_id)
    capture = public_id and capture_list(actor=actor).filter(public_id=public_id).first()
    if capture is None:
        raise NotFound("No such capture.")
    return capture
