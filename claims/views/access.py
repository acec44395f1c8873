"""Role checks and domain-error translation shared by the review and history pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from claimtrail.exceptions import NotFound
from claimtrail.roles import user_has_role


def require_page_role(request, role: str) -> None:
    """403 unless the signed-in user holds `role` (the API's role rules, for pages)."""
    if not user_has_role(request.user, role):
        raise PermissionDenied(f"Requires the {role} role.")


def lookup_or_404(lookup, **kwargs):
    """Call a selector; its NotFound becomes the page's 404."""
    try:
        return lookup(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc
