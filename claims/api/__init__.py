"""The claims API: `/api/claims/` and its actions (views in views.py, shapes in serializers.py)."""

from claims.api.views import ClaimViewSet


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("claims", ClaimViewSet, basename="claim")


__all__ = ["ClaimViewSet", "register"]
