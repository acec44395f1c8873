"""DRF views and serializers of the provenance app: appearances and evidence."""

from provenance.api.appearances import AppearanceViewSet
from provenance.api.evidence import EvidenceViewSet


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("appearances", AppearanceViewSet, basename="appearance")
    router.register("evidence", EvidenceViewSet, basename="evidence")
