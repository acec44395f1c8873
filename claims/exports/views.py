"""`/api/claims/export.csv` and `/api/claims/{id}/claimreview/`."""

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from claims.exports.claim_csv import COLUMNS, claim_csv_lines
from claims.exports.claimreview import claim_review_document
from claims.filters import DEFAULT_ORDERING, ClaimFilter, ClaimOrdering
from claims.models import Claim
from claims.revisions import published_detail
from claims.selectors import CLAIM_NOT_FOUND, claim_filter_class, claim_list_values
from claimtrail.exceptions import NotFound
from claimtrail.exports import ExportView, export_error_responses, site_url
from claimtrail.visibility import parse_public_id, sees_unpublished

NOT_PUBLISHED = "Only a published claim has a ClaimReview."


class CSVRenderer(BaseRenderer):
    """Announces text/csv to content negotiation; the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise TypeError("The CSV export streams its own response.")


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


@extend_schema(tags=["claims"])
class ClaimCsvExportView(ExportView):
    """The claim list as CSV, with the list's filters and visibility."""

    renderer_classes = [CSVRenderer]
    filter_backends = [DjangoFilterBackend, ClaimOrdering]
    ordering = DEFAULT_ORDERING
    queryset = Claim.objects.none()

    @property
    def filterset_class(self) -> type[ClaimFilter]:
        # As the list's: a reader of published claims filters what was published.
        request = getattr(self, "request", None)
        return claim_filter_class(request.user if request else None)

    def get_queryset(self):
        return claim_list_values(actor=self.request.user)

    @extend_schema(
        summary="Export claims as CSV",
        operation_id="claims_export_csv",
        description=(
            "Every claim the caller may see that matches the list's filters (the same "
            "query parameters as `GET /api/claims/`, `ordering` included), unpaginated, "
            "streamed as UTF-8 CSV with a byte-order mark; each row what the list shows "
            "(anonymous callers: as last published). Columns: "
            f"{', '.join(f'`{column}`' for column in COLUMNS)}; `tags` joined with `;`. "
            "A cell that a spreadsheet would run as a formula (starting with =, +, -, @) "
            "is prefixed with an apostrophe. Anonymous callers get published claims only."
        ),
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description="The CSV file."
            ),
            **export_error_responses(400),
        },
    )
    def get(self, request):
        # Filters and ordering are checked here, before the first byte is sent.
        claims = self.filter_queryset(self.get_queryset())
        lines = claim_csv_lines(
            claims=claims,
            claim_url=site_url("/api/claims/{public_id}/"),
            published=not sees_unpublished(request.user),
        )
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="claims.csv"'
        return response


def _work(appearance: dict) -> dict:
    """An appearance of a published revision's payload as claim_review_document takes it."""
    published_at = appearance["published_at"]
    return {
        "url": appearance["url"],
        "published_at": parse_datetime(published_at) if published_at else None,
        "derived_from": appearance["derived_from"],
        "source": {"name": appearance["source"]["name"], "kind": appearance["source"]["kind"]},
    }


def _first_appearance(appearances: list[dict]) -> dict | None:
    """The origin: the earliest-published appearance that relays nothing (undated ones
    only when none is dated)."""
    origins = [row for row in appearances if not row["derived_from"]] or appearances
    dated = [row for row in origins if row["published_at"] is not None]
    if dated:
        return min(dated, key=lambda row: row["published_at"])
    return origins[0] if origins else None


def published_claim_review(published: dict) -> dict:
    """The ClaimReview document of a claim's current revision (published_detail's result):
    what the export endpoint returns and the public page embeds."""
    # What the public reads: the current published revision, never the working copy.
    payload = published["published_payload"]
    appearances = [_work(row) for row in payload["appearances"]]
    publications = [
        event["created_at"]
        for event in published["review_events"]
        if event["to_state"] == Claim.ReviewState.PUBLISHED
    ]
    last_published = published["revision"]["created_at"]
    return claim_review_document(
        claim={"text": payload["text"], "verdict": payload["verdict"]},
        origin=_first_appearance(appearances),
        appearances=appearances,
        date_published=publications[0] if publications else last_published,
        date_modified=last_published,
        url=site_url(f"/api/claims/{payload['id']}/"),
        organization={
            "name": settings.CLAIMREVIEW_AUTHOR_NAME,
            "url": settings.CLAIMREVIEW_AUTHOR_URL,
        },
    )


@extend_schema(tags=["claims"])
class ClaimReviewView(ExportView):
    """A published claim as schema.org ClaimReview (JSON-LD)."""

    renderer_classes = [JSONLDRenderer, JSONRenderer]
    queryset = Claim.objects.none()

    @extend_schema(
        summary="A published claim as schema.org ClaimReview (JSON-LD)",
        operation_id="claims_claimreview",
        description=(
            "`reviewRating` puts the verdict on a 1–5 truth scale: refuted 1, misleading 2, "
            "disputed 3, supported 5; unverified and unverifiable have no `ratingValue`. "
            "`alternateName` is the verdict. `itemReviewed` is the claim, its author the "
            "source of the first appearance. `author` is the organization running this "
            "instance (CLAIMREVIEW_AUTHOR_NAME, CLAIMREVIEW_AUTHOR_URL). Built from the "
            "claim's current published revision, for every caller: edits wait for an "
            "editor to publish again. 404 for a claim that is not published."
        ),
        parameters=[
            OpenApiParameter(
                "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The claim's id."
            )
        ],
        responses={
            (200, media_type): OpenApiResponse(
                response=OpenApiTypes.OBJECT, description="ClaimReview JSON-LD."
            )
            for media_type in ("application/ld+json", "application/json")
        }
        | export_error_responses(400, 404),
    )
    def get(self, request, public_id=None):
        parsed = parse_public_id(public_id)
        published = published_detail(public_id=parsed) if parsed else None
        if published is None:
            exists = parsed and sees_unpublished(request.user)
            if exists and Claim.objects.filter(public_id=parsed).exists():
                raise NotFound(NOT_PUBLISHED)
            raise NotFound(CLAIM_NOT_FOUND)
        return Response(published_claim_review(published))
