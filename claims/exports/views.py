"""`/api/claims/export.csv`, `/api/claims/{id}/claimreview/` and `/api/claims/{id}/package/`."""

import tempfile

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from claims.exports.claim_csv import COLUMNS, claim_csv_lines
from claims.exports.claimreview_read import published_claim_review
from claims.exports.package import claim_package_contents, claim_package_write
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
        # What the public reads: the current published revision, never the working copy.
        return Response(published_claim_review(published))


class ZipRenderer(BaseRenderer):
    """Announces application/zip to content negotiation; the view sends the file itself."""

    media_type = "application/zip"
    format = "zip"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise TypeError("The evidence package sends its own response.")


@extend_schema(tags=["claims"])
class ClaimPackageView(ExportView):
    """A claim's evidence package: a WACZ plus the claim's records and a checker."""

    renderer_classes = [ZipRenderer]
    queryset = Claim.objects.none()

    @extend_schema(
        summary="A claim's evidence package (WACZ + records + offline verification)",
        operation_id="claims_package",
        description=(
            "A zip that stands on its own: a WACZ 1.1.1 (`archive/<capture>.warc.gz`, the "
            "WARCs of every succeeded capture of the claim's evidence; `indexes/index.cdx`, "
            "CDXJ; `pages/pages.jsonl`; `datapackage.json` listing every file with its "
            "`sha256:` hash and size; `datapackage-digest.json`), plus `records/` "
            "(`package.json`: what it holds; `prov.json`: PROV-JSON; `review-log.json`: the "
            "review events with their sha256/previous_sha256 chain; `revision.json`: the "
            "published revision; `claimreview.json` when published; `working.json`: the "
            "working copy, for viewers and above) and `verify/verify.py`, a standard-library "
            "script that re-checks every hash and the review chain offline "
            "(`python3 verify/verify.py` in the unzipped folder). Anonymous callers get "
            "published claims only, as last published; viewers and above any claim they can "
            "see, with its working copy."
        ),
        parameters=[
            OpenApiParameter(
                "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The claim's id."
            )
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The evidence package (zip)."
            ),
            # Errors are JSON (ExportView), 401 included: named here, or the schema would
            # list it under application/zip.
            **export_error_responses(401, 404),
        },
    )
    def get(self, request, public_id=None):
        contents = claim_package_contents(public_id=public_id, actor=request.user)
        # Built in a temporary file (deleted on close): WARCs can be large; the response
        # streams it in chunks.
        fh = tempfile.TemporaryFile(dir=settings.CAPTURE_WORK_DIR or None)  # noqa: SIM115
        try:
            claim_package_write(out=fh, contents=contents)
            fh.seek(0)
        except BaseException:
            fh.close()
            raise
        return FileResponse(
            fh,
            as_attachment=True,
            filename=f"claim-{contents.claim_public_id}.wacz.zip",
            content_type="application/zip",
        )
