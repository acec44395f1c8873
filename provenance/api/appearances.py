"""/api/appearances/: where and when a claim appeared, and what each appearance relays."""

from datetime import datetime

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from claimtrail.api_helpers import unknown_reference, validated
from claimtrail.api_input import WriteSerializer
from claimtrail.api_schema import error_responses
from claimtrail.roles import EDITOR
from provenance.api.fields import PublishedAtField
from provenance.filters import AppearanceFilter
from provenance.models import Appearance, DatePrecision
from provenance.selectors import (
    appearance_get_for_user,
    appearance_list,
    appearances_by_public_id,
    claims_by_public_id,
)
from provenance.services import appearance_create, appearance_delete, appearance_update
from sources.models import Source
from sources.selectors import sources_by_public_id

ERRORS_READ = error_responses(404)
ERRORS_WRITE = error_responses(400, 403)
PRECISION_NEEDS_DATE = "A precision needs a published_at date."
# Coarser precisions allow fewer written forms: "2023-05" cannot be exact.
_PRECISION_RANK = {
    DatePrecision.EXACT: 0,
    DatePrecision.DAY: 1,
    DatePrecision.MONTH: 2,
    DatePrecision.YEAR: 3,
}


def _require_date_for_precision(data: dict, *, stored: datetime | None) -> None:
    """A precision with no date, given or `stored`, would be stored meaning nothing: a 400."""
    if "published_precision" in data and data.get("published_at", stored) is None:
        raise serializers.ValidationError({"published_precision": [PRECISION_NEEDS_DATE]})


class AppearanceSourceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    reliability = serializers.ChoiceField(choices=Source.Reliability.choices)


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "uuid"}})
class LinkedIdsField(serializers.Field):
    """Public ids of the derivation neighbours a selector prefetched into `attr`."""

    def __init__(self, attr: str, **kwargs):
        self.attr = attr
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [str(link.other_public_id) for link in getattr(value, self.attr)]


class AppearanceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    claim = serializers.UUIDField(source="claim.public_id")
    source = AppearanceSourceSerializer()
    stance = serializers.ChoiceField(choices=Appearance.Stance.choices)
    quote = serializers.CharField(help_text="Verbatim, in the original language.")
    quote_language = serializers.CharField(help_text="BCP 47 tag, e.g. ru.")
    quote_translation = serializers.CharField()
    url = serializers.CharField()
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="Start of the day, month or year when the precision is coarser."
    )
    published_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    derived_from = LinkedIdsField(
        "upstream_ids", help_text="Appearances this one quotes or relays, earliest first."
    )
    derivatives = LinkedIdsField(
        "downstream_ids", help_text="Appearances that quote or relay this one."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AppearanceWriteSerializer(WriteSerializer):
    claim = serializers.UUIDField(help_text="Claim id; fixed once the appearance exists.")
    source = serializers.UUIDField(help_text="Source id.")
    stance = serializers.ChoiceField(choices=Appearance.Stance.choices)
    quote = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    quote_language = serializers.RegexField(
        r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="BCP 47 tag of the quote's language, e.g. ru or pt-BR.",
        error_messages={"invalid": "Give a language tag such as ru or pt-BR."},
    )
    quote_translation = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    url = serializers.URLField(required=False, allow_blank=True, max_length=2000)
    published_at = PublishedAtField(required=False, allow_null=True)
    published_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        required=False,
        help_text="Defaults to what `published_at` is written to (month, day or exact).",
    )
    derived_from = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=200,
        help_text="Ids of the appearances this one quotes or relays; replaces the list.",
    )

    def validate(self, attrs):
        published = attrs.get("published_at")
        precision = attrs.get("published_precision")
        if published is not None and precision is not None:
            written = published[1]
            if _PRECISION_RANK[precision] < _PRECISION_RANK[written]:
                raise serializers.ValidationError(
                    {
                        "published_precision": [
                            f"published_at gives only the {written}; the precision cannot be "
                            f"{precision}."
                        ]
                    }
                )
        return attrs


@extend_schema_view(
    list=extend_schema(
        summary="List appearances",
        description="Filters combine with AND.",
        responses={200: AppearanceSerializer, **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="One appearance", responses={200: AppearanceSerializer, **ERRORS_READ}
    ),
    create=extend_schema(
        summary="Record an appearance of a claim (analysts)",
        request=AppearanceWriteSerializer,
        responses={201: AppearanceSerializer, **ERRORS_WRITE},
    ),
    update=extend_schema(
        summary="Replace an appearance's fields (analysts)",
        request=AppearanceWriteSerializer,
        responses={200: AppearanceSerializer, **ERRORS_WRITE, **ERRORS_READ},
    ),
    partial_update=extend_schema(
        summary="Change some of an appearance's fields (analysts)",
        request=AppearanceWriteSerializer,
        responses={200: AppearanceSerializer, **ERRORS_WRITE, **ERRORS_READ},
    ),
    destroy=extend_schema(
        summary="Delete an appearance (editors)",
        responses={204: None, **ERRORS_WRITE, **ERRORS_READ},
    ),
)
class AppearanceViewSet(viewsets.ModelViewSet):
    lookup_field = "public_id"
    serializer_class = AppearanceSerializer
    filterset_class = AppearanceFilter
    ordering_fields = ["published_at", "created_at"]
    ordering = ("-created_at", "-id")
    required_roles = {"destroy": EDITOR}
    role_messages = {"destroy": "Only editors can delete appearances."}
    queryset = Appearance.objects.none()  # for the schema; get_queryset decides

    def get_queryset(self):
        return appearance_list(actor=self.request.user)

    def get_object(self) -> Appearance:
        return appearance_get_for_user(
            public_id=self.kwargs[self.lookup_field], actor=self.request.user
        )

    def _respond(self, appearance: Appearance, status_code: int = status.HTTP_200_OK):
        fresh = appearance_get_for_user(public_id=appearance.public_id, actor=self.request.user)
        return Response(AppearanceSerializer(fresh).data, status=status_code)

    def _resolve(self, data: dict) -> dict:
        """Replace the ids in `data` by rows the actor may see; unknown ids are a 400."""
        actor = self.request.user
        if "claim" in data:
            claims = claims_by_public_id(public_ids=[data["claim"]], actor=actor)
            if data["claim"] not in claims:
                raise unknown_reference("claim", "claim", data["claim"])
            data["claim"] = claims[data["claim"]]
        if "source" in data:
            sources = sources_by_public_id(public_ids=[data["source"]], actor=actor)
            if data["source"] not in sources:
                raise unknown_reference("source", "source", data["source"])
            data["source"] = sources[data["source"]]
        if "derived_from" in data:
            found = appearances_by_public_id(public_ids=data["derived_from"], actor=actor)
            for public_id in data["derived_from"]:
                if public_id not in found:
                    raise unknown_reference("derived_from", "appearance", public_id)
            data["derived_from"] = [found[public_id] for public_id in data["derived_from"]]
        if "published_at" in data:
            published = data.pop("published_at")
            data["published_at"] = published[0] if published else None
            if published and "published_precision" not in data:
                data["published_precision"] = published[1]
        return data

    def create(self, request, *args, **kwargs):
        data = validated(AppearanceWriteSerializer, request)
        _require_date_for_precision(data, stored=None)
        data = self._resolve(data)
        appearance = appearance_create(actor=request.user, **data)
        return self._respond(appearance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        appearance = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated(AppearanceWriteSerializer, request, partial=partial)
        _require_date_for_precision(data, stored=appearance.published_at)
        data = self._resolve(data)
        if "claim" in data and data["claim"].pk == appearance.claim_id:
            del data["claim"]  # unchanged; a different claim is refused by the service
        derived_from = data.pop("derived_from", None)
        appearance = appearance_update(
            appearance=appearance, actor=request.user, derived_from=derived_from, **data
        )
        return self._respond(appearance)

    def destroy(self, request, *args, **kwargs):
        appearance_delete(actor=request.user, appearance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
