"""Small helpers services use to check the actor's role."""

from claimtrail.exceptions import NotPermitted
from claimtrail.roles import user_has_role


def require_role(actor, role: str, message: str | None = None) -> None:
    """Raise NotPermitted (403) unless `actor` holds `role`."""
    if actor is None or not user_has_role(actor, role):
        raise NotPermitted(role, message)
