"""What every claim page view shares: the claim by its public id as a 404, the analyst
check as a 403 page, and a service's DomainError shown on a form."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from claims.models import Claim
from claims.selectors import claim_lookup_for_user
from claimtrail.exceptions import DomainError, NotFound
from claimtrail.roles import ANALYST, user_has_role


def claim_or_404(*, public_id, user) -> Claim:
    """The claim if `user` may see it (the API's rule); Http404 otherwise."""
    try:
        return claim_lookup_for_user(public_id=public_id, actor=user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def can_write(user) -> bool:
    """Whether `user` may enter claims, appearances, evidence and relations."""
    return user_has_role(user, ANALYST)


def require_analyst(user) -> None:
    """PermissionDenied (the 403 page) unless `user` is an analyst or above. The services
    check again; this refuses before any form is read."""
    if not can_write(user):
        raise PermissionDenied("Entering claims requires the analyst role.")


def add_domain_error(form, exc: DomainError) -> None:
    """Put a service's refusal on the form: its per-field messages next to those fields
    when the form has them, else its message above the form."""
    placed = False
    for field, messages in exc.fields.items():
        if field in form.fields:
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)
