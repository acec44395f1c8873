"""A source's track record: the claims it made, with stance and date, and how they were
judged. GET /api/sources/{id}/record/ and its selector, source_record.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import Claim
from claimtrail.api_schema import error_responses
from claimtrail.exceptions import NotFound
from claimtrail.visibility import (
    appearance_visible_q,
    parse_public_id,
    sees_unpublished,
    visible_sources,
)
from provenance.models import Appearance
from sources.models import Source

UNREVIEWED = "unreviewed"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass
class SourceRecord:
    source: dict
    appearances: list[dict]
    appearance_total: int
    claim_total: int
    verdicts: dict[str, int]
    verdicts_by_stance: dict[str, dict[str, int]]


def source_record(*, public_id, actor, limit: int = DEFAULT_LIMIT) -> SourceRecord:
    """What a source said and how it was judged, as `actor` may see it.

    The source's visible appearances (newest first, at most `limit`) with their claims,
    and counts over all of them: appearances, distinct claims, distinct claims by verdict
    ("unreviewed" for a blank verdict), and by verdict under each stance. Four queries
    whatever the number of appearances; NotFound (404) for a source the actor may not see,
    as on the source detail.
    """
    parsed = parse_public_id(public_id)
    found = parsed and (
        visible_sources(actor)
        .filter(public_id=parsed)
        .values("id", "public_id", "name", "kind", "country", "state_affiliated", "reliability")
        .first()
    )
    if not found:
        raise NotFound("No such source.")
    appearances = Appearance.objects.filter(appearance_visible_q(actor), source_id=found["id"])
    # Visitors read each claim as published (its revision's text), not the working copy.
    claim_text = "claim__text" if sees_unpublished(actor) else "claim__published_revision__text"
    rows = list(
        appearances.order_by(F("published_at").desc(nulls_last=True), "-created_at", "-id").values(
            "public_id",
            "stance",
            "published_at",
            "published_precision",
            "claim__public_id",
            "claim__verdict",
            "claim__review_state",
            claim_text_as_read=F(claim_text),
        )[:limit]
    )
    verdict_names = {UNREVIEWED: "", **{v: v for v in Claim.Verdict.values}}
    totals = appearances.aggregate(
        appearances=Count("id"),
        claims=Count("claim", distinct=True),
        **{
            f"verdict_{name}": Count("claim", distinct=True, filter=Q(claim__verdict=value))
            for name, value in verdict_names.items()
        },
    )
    by_stance: dict[str, dict[str, int]] = {}
    for row in (
        appearances.order_by()
        .values("stance", "claim__verdict")
        .annotate(claims=Count("claim", distinct=True))
    ):
        counts = by_stance.setdefault(row["stance"], dict.fromkeys(verdict_names, 0))
        counts[row["claim__verdict"] or UNREVIEWED] = row["claims"]
    return SourceRecord(
        source=found,
        appearances=rows,
        appearance_total=totals["appearances"],
        claim_total=totals["claims"],
        verdicts={name: totals[f"verdict_{name}"] for name in verdict_names},
        verdicts_by_stance=dict(sorted(by_stance.items())),
    )


# --- API ----------------------------------------------------------------------------------


class RecordQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text=f"Most appearances listed, newest first ({DEFAULT_LIMIT}, at most "
        f"{MAX_LIMIT}); the counts cover all of them.",
    )


class RecordSourceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    country = serializers.CharField()
    state_affiliated = serializers.BooleanField()
    reliability = serializers.ChoiceField(choices=Source.Reliability.choices)


class RecordClaimSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="claim__public_id")
    text = serializers.CharField(source="claim_text_as_read")
    verdict = serializers.CharField(source="claim__verdict", help_text="Blank until reviewed.")
    review_state = serializers.ChoiceField(
        source="claim__review_state", choices=Claim.ReviewState.choices
    )


class RecordAppearanceSerializer(serializers.Serializer):
    appearance = serializers.UUIDField(source="public_id")
    stance = serializers.ChoiceField(choices=Appearance.Stance.choices)
    published_at = serializers.DateTimeField(allow_null=True)
    published_precision = serializers.ChoiceField(choices=Appearance.Precision.choices)
    claim = RecordClaimSerializer(source="*")


def _verdict_counts(help_text: str) -> serializers.DictField:
    return serializers.DictField(child=serializers.IntegerField(), help_text=help_text)


class SourceRecordSerializer(serializers.Serializer):
    source = RecordSourceSerializer()
    appearance_total = serializers.IntegerField()
    claim_total = serializers.IntegerField()
    verdicts = _verdict_counts(
        "Distinct claims by verdict: every verdict, and unreviewed for claims without one."
    )
    verdicts_by_stance = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per stance (asserts, repeats, …), distinct claims by verdict.",
    )
    appearances = RecordAppearanceSerializer(many=True, help_text="Newest first.")


class SourceRecordView(APIView):
    @extend_schema(
        operation_id="sources_record_retrieve",
        summary="A source's track record: the claims it made and how they were judged",
        description=(
            "The source's appearances with stance, date and claim (newest first, up to "
            "`limit`), and counts over all of them: distinct claims by verdict, overall and "
            "per stance, so the source can be weighed by its history. Anonymous callers see "
            "published claims only."
        ),
        parameters=[
            RecordQuerySerializer,
            OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
        ],
        responses={200: SourceRecordSerializer, **error_responses(400, 404)},
        tags=["sources"],
    )
    def get(self, request, public_id: str) -> Response:
        query = RecordQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        record = source_record(
            public_id=public_id, actor=request.user, limit=query.validated_data["limit"]
        )
        return Response(SourceRecordSerializer(record).data)
