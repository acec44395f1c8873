"""API permission: read for viewers (published data for everyone), write by role.

Viewsets declare `required_roles = {"create": ANALYST, "destroy": EDITOR, ...}` keyed by
action; unlisted writes need the analyst role. `role_messages = {"destroy": "Only editors
can delete claims."}` words an action's 403 (default "Requires the <role> role.").
Object visibility for anonymous users is the selector's job (unpublished objects are 404,
not 403).

Refusals are DRF exceptions: DRF (and its browsable API, which asks whether to offer each
form) expects those from permission checks; a domain error would escape as a 500.
"""

from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from claimtrail.roles import ANALYST, user_has_role

# Actions that only read, whatever their HTTP method.
READ_ACTIONS = {"list", "retrieve", "metadata"}


class RolePermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        action = getattr(view, "action", None)
        required = getattr(view, "required_roles", {}).get(action)
        if required is None and (request.method in SAFE_METHODS or action in READ_ACTIONS):
            return True  # reads: the selector decides what this actor may see
        required = required or ANALYST
        if not request.user.is_authenticated:
            raise NotAuthenticated("Log in or send a token to do this.")
        if not user_has_role(request.user, required):
            message = getattr(view, "role_messages", {}).get(action)
            raise PermissionDenied(message or f"Requires the {required} role.", "permission_denied")
        return True
