"""/api/captures/ (read, download) and POST /api/evidence/{id}/captures/ (ask for one).

Captured bytes are hostile content served from our origin: every download is an
attachment, with nosniff and a sandboxing Content-Security-Policy, so a captured page or
SVG can never run script as Claimtrail.
"""

import mimetypes

import django_filters
import filetype
from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from claimtrail.api_schema import error_responses
from claimtrail.exceptions import NotFound
from claimtrail.roles import ANALYST
from provenance.capture.selectors import capture_get_for_user, capture_list
from provenance.capture.serializers import CaptureSerializer
from provenance.capture.services import capture_enqueue
from provenance.capture.shared.storage import (
    open_blob,
    open_dom,
    open_screenshot,
    open_thumbnail,
    open_warc,
)
from provenance.models import Capture, CaptureStatus
from provenance.selectors import evidence_lookup_for_user

DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
}
WARC_TYPE = "application/warc"


class CaptureFilter(django_filters.FilterSet):
    evidence = django_filters.UUIDFilter(
        field_name="evidence__public_id", help_text="Captures of this evidence (its id)."
    )
    status = django_filters.ChoiceFilter(choices=CaptureStatus.choices)
    sha256 = django_filters.CharFilter(help_text="Captures of exactly these bytes.")

    class Meta:
        model = Capture
        fields = ["evidence", "status", "sha256"]


class DownloadNegotiation(BaseContentNegotiation):
    """Downloads answer whatever the client accepts (image/png, application/warc, ...): the
    body is a FileResponse that no renderer touches, and errors still render as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


DOWNLOAD = {"methods": ["get"], "content_negotiation_class": DownloadNegotiation}
BINARY = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description="The file, as an attachment (never rendered inline).",
)
ERRORS_READ = error_responses(404)


def _download(stored, *, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(
        stored, as_attachment=True, filename=filename, content_type=content_type
    )
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response


def _blob_filename(capture: Capture) -> str:
    original = capture.metadata.get("original_filename")
    if original:
        return original
    extension = mimetypes.guess_extension(capture.content_type or "") or ".bin"
    return f"capture-{capture.public_id}{extension}"


@extend_schema_view(
    list=extend_schema(
        summary="List captures",
        description="Newest first. Filter by `evidence` (its id) and `status`.",
        responses={200: CaptureSerializer, **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="A capture with its chain of custody",
        responses={200: CaptureSerializer, **ERRORS_READ},
    ),
)
class CaptureViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "public_id"
    serializer_class = CaptureSerializer
    filterset_class = CaptureFilter
    ordering_fields = ["created_at", "finished_at"]
    ordering = ("-created_at", "-id")
    queryset = Capture.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self):
        return capture_list(actor=self.request.user)

    def get_object(self) -> Capture:
        return capture_get_for_user(
            public_id=self.kwargs[self.lookup_field], actor=self.request.user
        )

    @extend_schema(
        summary="Download the captured bytes",
        description=(
            "Served with the content type detected from the bytes (any media type; "
            "application/octet-stream when unknown)."
        ),
        responses={(200, "*/*"): BINARY, **ERRORS_READ},
    )
    @action(detail=True, **DOWNLOAD)
    def blob(self, request, public_id=None):
        capture = self.get_object()
        stored = _open_or_404(open_blob, capture, "bytes")
        return _download(
            stored,
            content_type=capture.content_type or "application/octet-stream",
            filename=_blob_filename(capture),
        )

    @extend_schema(
        summary="Download the WARC of the capture",
        responses={(200, WARC_TYPE): BINARY, **ERRORS_READ},
    )
    @action(detail=True, **DOWNLOAD)
    def warc(self, request, public_id=None):
        capture = self.get_object()
        stored = _open_or_404(open_warc, capture, "WARC")
        return _download(
            stored, content_type=WARC_TYPE, filename=f"capture-{capture.public_id}.warc.gz"
        )

    @extend_schema(
        summary="Download the thumbnail of a captured image",
        responses={(200, "image/jpeg"): BINARY, (200, "image/png"): BINARY, **ERRORS_READ},
    )
    @action(detail=True, **DOWNLOAD)
    def thumbnail(self, request, public_id=None):
        capture = self.get_object()
        stored = _open_or_404(open_thumbnail, capture, "thumbnail")
        kind = filetype.guess(stored.read(262))
        stored.seek(0)
        content_type = kind.mime if kind else "application/octet-stream"
        extension = kind.extension if kind else "bin"
        return _download(
            stored,
            content_type=content_type,
            filename=f"capture-{capture.public_id}-thumbnail.{extension}",
        )

    @extend_schema(
        summary="Download the full-page screenshot of a browser capture",
        responses={(200, "image/png"): BINARY, **ERRORS_READ},
    )
    @action(detail=True, **DOWNLOAD)
    def screenshot(self, request, public_id=None):
        capture = self.get_object()
        stored = _open_or_404(open_screenshot, capture, "screenshot")
        return _download(
            stored,
            content_type="image/png",
            filename=f"capture-{capture.public_id}-screenshot.png",
        )

    @extend_schema(
        summary="Download the rendered DOM of a browser capture",
        description="The page as its scripts left it, serialized as UTF-8 HTML.",
        responses={(200, "text/html"): BINARY, **ERRORS_READ},
    )
    @action(detail=True, **DOWNLOAD)
    def dom(self, request, public_id=None):
        capture = self.get_object()
        stored = _open_or_404(open_dom, capture, "rendered DOM")
        return _download(
            stored,
            content_type="text/html; charset=utf-8",
            filename=f"capture-{capture.public_id}-dom.html",
        )


def _open_or_404(opener, capture: Capture, what: str):
    try:
        return opener(capture)
    except FileNotFoundError as exc:
        if capture.status in (CaptureStatus.QUEUED, CaptureStatus.FETCHING):
            raise NotFound(f"This capture has no {what} yet: it is {capture.status}.") from exc
        raise NotFound(f"This capture has no stored {what}.") from exc


class EvidenceCaptureCreateView(APIView):
    """POST /api/evidence/{id}/captures/: capture the item again, now (analysts)."""

    required_roles = {None: ANALYST}

    @extend_schema(
        summary="Ask for a new capture of an evidence item (analysts)",
        description="Queues a capture; poll the capture or list `/api/captures/?evidence=`.",
        request=None,
        responses={202: CaptureSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request, public_id=None):
        evidence = evidence_lookup_for_user(public_id=public_id, actor=request.user)
        capture = capture_enqueue(actor=request.user, evidence=evidence)
        serializer = CaptureSerializer(capture, context={"request": request})
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    """Add the capture viewset to the API router (at /api/captures/)."""
    router.register("captures", CaptureViewSet, basename="capture")


# Mounted under "api/" next to the router's URLs.
urlpatterns = [
    path(
        "evidence/<str:public_id>/captures/",
        EvidenceCaptureCreateView.as_view(),
        name="evidence-captures",
    ),
]
