"""Roles are Django groups; each role includes the ones below it."""

from django.contrib.auth.models import AnonymousUser, Group, User

VIEWER = "viewer"
ANALYST = "analyst"
EDITOR = "editor"
ROLES = (VIEWER, ANALYST, EDITOR)
_RANK = {VIEWER: 1, ANALYST: 2, EDITOR: 3}


def user_roles(user: User | AnonymousUser) -> set[str]:
    """The roles a user holds, cached on the instance (one query per request)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_claimtrail_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names = set(ROLES)
        rank = max((_RANK[n] for n in names), default=0)
        cached = {role for role, r in _RANK.items() if r <= rank}
        user._claimtrail_roles = cached
    return cached


def user_has_role(user: User | AnonymousUser, role: str) -> bool:
    return role in user_roles(user)


def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups if missing; safe to run repeatedly."""
    return {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
