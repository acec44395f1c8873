"""`/api/claims/{id}/prov/`: a claim's provenance as W3C PROV."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from prov.model import ProvDocument
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from claims.models import Claim
from claimtrail.exports import ExportView, export_error_responses, site_url
from provenance.exports.prov import FORMATS, claim_prov_document, prov_serialize
from provenance.exports.prov_read import claim_prov_graph


class _ProvRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, ProvDocument):
            return prov_serialize(data, format=self.format)[0].encode()
        # Only the JSON renderer meets anything else: ExportView renders errors as JSON.
        return json.dumps(data, ensure_ascii=False).encode()


class ProvJSONRenderer(_ProvRenderer):
    media_type = FORMATS["json"][2]
    format = "json"


class ProvNRenderer(_ProvRenderer):
    media_type = FORMATS["provn"][2]
    format = "provn"


class ProvTurtleRenderer(_ProvRenderer):
    media_type = FORMATS["ttl"][2]
    format = "ttl"


@extend_schema(tags=["claims"])
class ClaimProvView(ExportView):
    """A claim's provenance graph as a W3C PROV document."""

    renderer_classes = [ProvJSONRenderer, ProvNRenderer, ProvTurtleRenderer]
    queryset = Claim.objects.none()

    @extend_schema(
        summary="A claim's provenance as W3C PROV (PROV-JSON, PROV-N or PROV-O Turtle)",
        operation_id="claims_prov",
        description=(
            "The claim's provenance graph (the appearances it reaches through derived-from "
            "links, in other claims too, their sources and parents, evidence, captures, "
            "related claims and the claim's review decisions), as the caller may see it. "
            "PROV-JSON by default; PROV-N with `?format=provn` or `Accept: "
            "text/provenance-notation`; PROV-O in Turtle with `?format=ttl` or `Accept: "
            "text/turtle`. Sources are agents (`actedOnBehalfOf` their parents); "
            "appearances are entities attributed to their sources, `wasQuotedFrom` (quotes) "
            "or `wasDerivedFrom` what they relay and `hadPrimarySource` their origins; "
            "captures are activities generating the preserved copy (named by its SHA-256, "
            "`nih:sha-256;<hex>`); review decisions are activities associated with the "
            "editor. Errors are JSON whatever the format asked for."
        ),
        parameters=[
            OpenApiParameter(
                "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The claim's id."
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(FORMATS),
                description="json (PROV-JSON), provn (PROV-N) or ttl (PROV-O, Turtle).",
            ),
        ],
        responses={
            (200, media_type): OpenApiResponse(
                response=OpenApiTypes.OBJECT if name == "json" else OpenApiTypes.STR,
                description=description,
            )
            for name, media_type, description in (
                ("json", FORMATS["json"][2], "PROV-JSON."),
                ("provn", FORMATS["provn"][2], "PROV-N."),
                ("ttl", FORMATS["ttl"][2], "PROV-O as Turtle."),
            )
        }
        | export_error_responses(400, 404),
    )
    def get(self, request, public_id=None):
        graph = claim_prov_graph(public_id=public_id, actor=request.user)
        return Response(claim_prov_document(graph=graph, base_url=site_url()))
