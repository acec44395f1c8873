"""/api/sources/: who speaks. Reads through sources.selectors, writes through sources.services."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from claimtrail.api_helpers import unknown_reference, validated
from claimtrail.api_input import WriteSerializer
from claimtrail.api_schema import error_responses
from claimtrail.roles import EDITOR
from sources.filters import SourceFilter
from sources.models import IdentifierKind, Source
from sources.selectors import (
    source_get_for_user,
    source_list,
    sources_by_public_id,
)
from sources.services import (
    source_create,
    source_delete,
    source_update,
)

ERRORS_READ = error_responses(404)
ERRORS_WRITE = error_responses(400, 403)


# --- Serializers ------------------------------------------------------------------------


class SourceRefSerializer(serializers.Serializer):
    """A source's parent, from the annotations of sources.selectors.source_list."""

    id = serializers.UUIDField(source="visible_parent_public_id")
    name = serializers.CharField(source="visible_parent_name")

    def get_attribute(self, instance):
        return instance if instance.visible_parent_public_id is not None else None


class SourceIdentifierSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(help_text="As entered.")
    normalized_value = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    description = serializers.CharField()
    country = serializers.CharField()
    parent = SourceRefSerializer(
        allow_null=True, help_text="Null when there is none or it is not visible to the caller."
    )
    state_affiliated = serializers.BooleanField()
    reliability = serializers.ChoiceField(choices=Source.Reliability.choices)
    aliases = serializers.ListField(child=serializers.CharField())
    identifiers = SourceIdentifierSerializer(many=True, source="identifiers.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SourceClaimRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    text = serializers.CharField()
    review_state = serializers.CharField()


class SourceAppearanceSerializer(serializers.Serializer):
    """One time this source made (or relayed) a claim."""

    appearance = serializers.UUIDField(source="public_id")
    claim = SourceClaimRefSerializer()
    stance = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    published_precision = serializers.CharField()


class SourceDetailSerializer(SourceSerializer):
    claims_made = SourceAppearanceSerializer(
        many=True,
        source="visible_appearances",
        help_text="Each appearance of this source, oldest first, with its claim.",
    )


class IdentifierInputSerializer(WriteSerializer):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(max_length=500)


class SourceWriteSerializer(WriteSerializer):
    name = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=Source.Kind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code, e.g. RU.",
        error_messages={"invalid": "Give a two-letter country code such as RU."},
    )
    parent = serializers.UUIDField(required=False, allow_null=True, help_text="Parent source id.")
    state_affiliated = serializers.BooleanField(required=False)
    reliability = serializers.ChoiceField(choices=Source.Reliability.choices, required=False)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=100
    )
    identifiers = IdentifierInputSerializer(
        many=True,
        required=False,
        help_text="On update, replaces the source's identifiers.",
    )


# --- Views ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List sources",
        description="Filters combine with AND.",
        responses={200: SourceSerializer, **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="A source with its identifiers and the claims it made",
        responses={200: SourceDetailSerializer, **ERRORS_READ},
    ),
    create=extend_schema(
        summary="Create a source (analysts)",
        request=SourceWriteSerializer,
        responses={201: SourceDetailSerializer, **ERRORS_WRITE},
    ),
    update=extend_schema(
        summary="Replace a source's fields (analysts)",
        request=SourceWriteSerializer,
        responses={200: SourceDetailSerializer, **ERRORS_WRITE, **ERRORS_READ},
    ),
    partial_update=extend_schema(
        summary="Change some of a source's fields (analysts)",
        request=SourceWriteSerializer,
        responses={200: SourceDetailSerializer, **ERRORS_WRITE, **ERRORS_READ},
    ),
    destroy=extend_schema(
        summary="Delete a source no appearance refers to (editors)",
        responses={204: None, **ERRORS_WRITE, **ERRORS_READ},
    ),
)
class SourceViewSet(viewsets.ModelViewSet):
    lookup_field = "public_id"
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    ordering_fields = ["name", "created_at", "reliability"]
    ordering = ("-created_at", "-id")
    required_roles = {"destroy": EDITOR}
    role_messages = {"destroy": "Only editors can delete sources."}
    queryset = Source.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self):
        return source_list(actor=self.request.user)

    def get_object(self) -> Source:
        return source_get_for_user(
            public_id=self.kwargs[self.lookup_field], actor=self.request.user
        )

    def _detail(self, source: Source, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = source_get_for_user(public_id=source.public_id, actor=self.request.user)
        return Response(SourceDetailSerializer(fresh).data, status=status_code)

    def _resolve(self, data: dict) -> dict:
        if data.get("parent") is not None:
            found = sources_by_public_id(public_ids=[data["parent"]], actor=self.request.user)
            if data["parent"] not in found:
                raise unknown_reference("parent", "source", data["parent"])
            data["parent"] = found[data["parent"]]
        if "identifiers" in data:
            data["identifiers"] = [(i["kind"], i["value"]) for i in data["identifiers"]]
        return data

    def retrieve(self, request, *args, **kwargs):
        return Response(SourceDetailSerializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        data = self._resolve(validated(SourceWriteSerializer, request))
        source = source_create(actor=request.user, **data)
        return self._detail(source, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        source = self.get_object()
        partial = kwargs.get("partial", False)
        data = self._resolve(validated(SourceWriteSerializer, request, partial=partial))
        source = source_update(source=source, actor=request.user, **data)
        return self._detail(source)

    def destroy(self, request, *args, **kwargs):
        source_delete(source=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("sources", SourceViewSet, basename="source")
