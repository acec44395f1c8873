"""DRF views and serializers (being written)."""


def register(router) -> None:
    """Add this app's viewsets to the API router."""
