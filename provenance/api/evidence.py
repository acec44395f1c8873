"""/api/evidence/: the artifacts behind claims — links to capture and uploaded files."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from claimtrail.api_helpers import unknown_reference, validated
from claimtrail.api_input import WriteSerializer
from claimtrail.api_schema import error_responses
from claimtrail.parsers import BoundedJSONParser
from claimtrail.roles import EDITOR
from provenance.api.fields import ClaimLinksField
from provenance.filters import EvidenceFilter
from provenance.models import CaptureStatus, Evidence, EvidenceRelation
from provenance.selectors import (
    appearances_by_public_id,
    claims_by_public_id,
    evidence_get_for_user,
    evidence_list,
)
from provenance.services import evidence_create, evidence_delete, evidence_update

ERRORS_READ = error_responses(404)
ERRORS_WRITE = error_responses(400, 403)


class EvidenceClaimLinkSerializer(serializers.Serializer):
    claim = serializers.UUIDField(source="claim.public_id")
    relation = serializers.ChoiceField(choices=EvidenceRelation.choices)


class LatestCaptureSerializer(serializers.Serializer):
    """The newest capture, read from the annotations of `evidence_with_latest_capture`."""

    id = serializers.UUIDField(source="latest_capture_public_id")
    status = serializers.ChoiceField(source="latest_capture_status", choices=CaptureStatus.choices)
    sha256 = serializers.CharField(source="latest_capture_sha256")
    finished_at = serializers.DateTimeField(source="latest_capture_finished_at", allow_null=True)
    error_code = serializers.CharField(source="latest_capture_error_code")


class LatestCaptureField(LatestCaptureSerializer):
    def get_attribute(self, instance):
        return instance if instance.latest_capture_public_id is not None else None


class EvidenceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    url = serializers.CharField(help_text="The address captured; blank for an uploaded file.")
    original_filename = serializers.CharField(
        help_text="Name of the uploaded file; its bytes are served through its captures."
    )
    title = serializers.CharField()
    description = serializers.CharField()
    appearance = serializers.UUIDField(
        source="appearance_public_id",
        allow_null=True,
        help_text="The appearance that carried this evidence.",
    )
    claims = EvidenceClaimLinkSerializer(many=True, source="visible_claim_links")
    latest_capture = LatestCaptureField(
        allow_null=True, help_text="The newest capture, or null before the first is queued."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EvidenceWriteSerializer(WriteSerializer):
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    appearance = serializers.UUIDField(
        required=False, allow_null=True, help_text="Id of the appearance that carried it."
    )
    claims = ClaimLinksField(required=False)


class EvidenceLinkCreateSerializer(EvidenceWriteSerializer):
    """The JSON form of a create (schema only: EvidenceCreateSerializer validates)."""

    url = serializers.URLField(
        max_length=2000, help_text="Address to capture; a JSON body cannot carry a file."
    )


class EvidenceUploadCreateSerializer(EvidenceWriteSerializer):
    """The multipart form of a create (schema only: EvidenceCreateSerializer validates)."""

    file = serializers.FileField(
        max_length=255, allow_empty_file=False, help_text="The file to preserve."
    )


class EvidenceCreateSerializer(EvidenceLinkCreateSerializer):
    """Either `url` (JSON or form) or `file` (multipart); the service checks it is one."""

    url = serializers.URLField(
        max_length=2000, required=False, allow_blank=True, help_text="Address to capture."
    )
    file = serializers.FileField(required=False, max_length=255, allow_empty_file=False)


class EvidenceUpdateSerializer(EvidenceCreateSerializer):
    """URL and file are fixed once captured; they are accepted only to refuse a change."""


@extend_schema_view(
    list=extend_schema(
        summary="List evidence",
        description="Filters combine with AND.",
        responses={200: EvidenceSerializer, **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="One evidence item with its latest capture",
        responses={200: EvidenceSerializer, **ERRORS_READ},
    ),
    create=extend_schema(
        summary="Add evidence: a link to capture (JSON) or an uploaded file (multipart)",
        description=(
            "Send exactly one of `url` (a JSON or form body) and `file` (a multipart body): "
            "both, or neither, is a 400. The first capture is queued once the evidence is "
            "saved. Uploads larger than the server's limit are refused with a 400."
        ),
        request={
            "application/json": EvidenceLinkCreateSerializer,
            "multipart/form-data": EvidenceUploadCreateSerializer,
        },
        responses={201: EvidenceSerializer, **ERRORS_WRITE},
    ),
    update=extend_schema(
        summary="Replace evidence metadata and claim links (analysts)",
        request=EvidenceWriteSerializer,
        responses={200: EvidenceSerializer, **ERRORS_WRITE, **ERRORS_READ},
    ),
    partial_update=extend_schema(
        summary="Change some evidence metadata or its claim links (analysts)",
        request=EvidenceWriteSerializer,
        responses={200: EvidenceSerializer, **ERRORS_WRITE, **ERRORS_READ},
    ),
    destroy=extend_schema(
        summary="Delete evidence and its capture records (editors)",
        description=(
            "Evidence whose captures a review decision relied on is kept, files included "
            "(400). Otherwise the captures' records stay in their history and the stored "
            "files no other capture uses are removed."
        ),
        responses={204: None, **ERRORS_WRITE, **ERRORS_READ},
    ),
)
class EvidenceViewSet(viewsets.ModelViewSet):
    lookup_field = "public_id"
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    ordering_fields = ["created_at"]
    ordering = ("-created_at", "-id")
    required_roles = {"destroy": EDITOR}
    role_messages = {"destroy": "Only editors can delete evidence."}
    queryset = Evidence.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self):
        return evidence_list(actor=self.request.user)

    def get_object(self) -> Evidence:
        return evidence_get_for_user(
            public_id=self.kwargs[self.lookup_field], actor=self.request.user
        )

    def _respond(self, evidence: Evidence, status_code: int = status.HTTP_200_OK):
        fresh = evidence_get_for_user(public_id=evidence.public_id, actor=self.request.user)
        return Response(EvidenceSerializer(fresh).data, status=status_code)

    def _resolve(self, data: dict) -> dict:
        """Replace the ids in `data` by rows the actor may see; unknown ids are a 400."""
        actor = self.request.user
        if data.get("appearance") is not None:
            found = appearances_by_public_id(public_ids=[data["appearance"]], actor=actor)
            if data["appearance"] not in found:
                raise unknown_reference("appearance", "appearance", data["appearance"])
            data["appearance"] = found[data["appearance"]]
        if "claims" in data:
            links = data.pop("claims")
            claims = claims_by_public_id(public_ids=[c for c, _ in links], actor=actor)
            for public_id, _ in links:
                if public_id not in claims:
                    raise unknown_reference("claims", "claim", public_id)
            data["claim_links"] = [(claims[public_id], rel) for public_id, rel in links]
        return data

    def create(self, request, *args, **kwargs):
        data = self._resolve(validated(EvidenceCreateSerializer, request))
        evidence = evidence_create(actor=request.user, **data)
        return self._respond(evidence, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        evidence = self.get_object()
        partial = kwargs.get("partial", False)
        data = self._resolve(validated(EvidenceUpdateSerializer, request, partial=partial))
        if data.get("url") == evidence.url:
            del data["url"]  # unchanged; a new URL is refused by the service
        claim_links = data.pop("claim_links", None)
        evidence = evidence_update(
            evidence=evidence, actor=request.user, claim_links=claim_links, **data
        )
        return self._respond(evidence)

    def destroy(self, request, *args, **kwargs):
        evidence_delete(actor=request.user, evidence=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
