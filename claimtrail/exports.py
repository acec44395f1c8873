"""What the export endpoints share: format choice by `Accept` or `?format=`, and errors
in the API's one JSON body whatever format was asked for."""

from django.conf import settings
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer

from claimtrail.api_schema import error_responses
from claimtrail.exceptions import DomainError


class ExportNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a 400 naming the formats there are (DRF says 404)."""

    def filter_renderers(self, renderers, format):
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            names = ", ".join(renderer.format for renderer in renderers)
            message = f"Unknown format “{format}”: use one of {names}."
            raise DomainError(message, code="unknown_format", fields={"format": [message]})
        return found


class ExportView(GenericAPIView):
    """A read-only export; errors come out as the API's JSON error body."""

    content_negotiation_class = ExportNegotiation
    pagination_class = None

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self._answer_in_json()
        return response

    def options(self, request, *args, **kwargs):
        """The endpoint's description (DRF's metadata) is JSON, whatever the export's format:
        a renderer that only announces a file format cannot render it."""
        response = super().options(request, *args, **kwargs)
        self._answer_in_json()
        return response

    def _answer_in_json(self) -> None:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type


def site_url(path: str = "") -> str:
    """An absolute URL on this instance (SITE_URL), for identifiers in exports."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def export_error_responses(*statuses: int) -> dict:
    """`extend_schema(responses=...)` entries for errors, JSON whatever format was asked."""
    return {
        (status, JSONRenderer.media_type): response
        for status, response in error_responses(*statuses).items()
    }
