"""`/api/claims/`: list and detail through the selectors, every write through a service."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from claims import services
from claims.api.payloads import (
    claim_detail,
    claim_list_items,
    related_claim_item,
    review_event_item,
)
from claims.api.serializers import (
    ClaimDetailSerializer,
    ClaimListSerializer,
    ClaimMergeSerializer,
    ClaimRelationCreateSerializer,
    ClaimReviewSerializer,
    ClaimWriteSerializer,
    RelatedClaimSerializer,
    ReviewResultSerializer,
)
from claims.detail import claim_detail_for_user
from claims.filters import DEFAULT_ORDERING, ClaimFilter, ClaimOrdering
from claims.models import Claim
from claims.selectors import (
    claim_filter_class,
    claim_list_values,
    claim_lookup_for_user,
    claim_relation_get,
    claim_tag_names,
    review_captures_for_claim,
)
from claimtrail.api_helpers import unknown_reference
from claimtrail.api_schema import error_responses
from claimtrail.exceptions import DomainError, NotFound
from claimtrail.roles import ANALYST, EDITOR
from claimtrail.visibility import sees_unpublished

CLAIM_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The claim's id."
)
RELATION_ID = OpenApiParameter(
    "relation_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The relation's id."
)


def _body_claim(request, *, field: str, public_id) -> Claim:
    """A claim named in the request body; an unknown id is a 400 on that field."""
    try:
        return claim_lookup_for_user(public_id=public_id, actor=request.user)
    except NotFound as exc:
        raise unknown_reference(field, "claim", public_id) from exc


@extend_schema(tags=["claims"])
class ClaimViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Claims: what is asserted, where it appeared, what backs it and how it was reviewed.

    Published claims are readable without logging in; the viewer role reads all.
    """

    lookup_field = "public_id"
    queryset = Claim.objects.none()
    serializer_class = ClaimListSerializer
    filter_backends = [DjangoFilterBackend, ClaimOrdering]
    ordering = DEFAULT_ORDERING
    required_roles = {
        "create": ANALYST,
        "update": ANALYST,
        "partial_update": ANALYST,
        "destroy": EDITOR,
        "review": ANALYST,
        "merge": EDITOR,
        "relations": ANALYST,
        "relation_delete": ANALYST,
    }
    role_messages = {
        "destroy": "Only editors can delete claims.",
        "merge": "Only editors can merge claims.",
    }

    @property
    def filterset_class(self) -> type[ClaimFilter]:
        request = getattr(self, "request", None)
        return claim_filter_class(request.user if request else None)

    def get_queryset(self):
        return claim_list_values(actor=self.request.user)

    def get_object(self) -> Claim:
        """The claim in the URL, bare, for writes; reads go through claim_detail_for_user."""
        return claim_lookup_for_user(public_id=self.kwargs["public_id"], actor=self.request.user)

    def _detail(self, claim: Claim) -> dict:
        detail = claim_detail_for_user(public_id=claim.public_id, actor=self.request.user)
        return claim_detail(detail)

    @extend_schema(
        summary="List claims",
        description=(
            "Cursor-paginated. Without `ordering`, newest first, or by relevance with `q`. "
            "Anonymous callers see published claims only, as last published: text, "
            "summary, tags, first-seen date and counts of the current published revision, "
            "and filters and search match those."
        ),
        responses={200: ClaimListSerializer(many=True), **error_responses(400)},
    )
    def list(self, request, *args, **kwargs):
        # Rows are dicts (claim_list_values) shaped by claim_list_items, not serializers.
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        public = not sees_unpublished(request.user)
        tags = claim_tag_names(claim_ids=[row["id"] for row in rows], published=public)
        return self.get_paginated_response(claim_list_items(rows, tags=tags, published=public))

    @extend_schema(
        summary="A claim with its appearances, evidence, related claims and review history",
        parameters=[CLAIM_ID],
        responses={200: ClaimDetailSerializer, **error_responses(404)},
    )
    def retrieve(self, request, public_id=None):
        detail = claim_detail_for_user(public_id=public_id, actor=request.user)
        return Response(claim_detail(detail))

    @extend_schema(
        summary="Enter a claim (analysts)",
        description="The claim starts as a draft.",
        request=ClaimWriteSerializer,
        responses={201: ClaimDetailSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request):
        serializer = ClaimWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_create(actor=request.user, **serializer.validated_data)
        url = reverse("claim-detail", kwargs={"public_id": claim.public_id}, request=request)
        return Response(
            self._detail(claim), status=status.HTTP_201_CREATED, headers={"Location": url}
        )

    @extend_schema(
        summary="Replace a claim's wording, tags and first-seen date (analysts)",
        description="Fields left out are reset: summary empty, no tags, first_seen null.",
        parameters=[CLAIM_ID],
        request=ClaimWriteSerializer,
        responses={200: ClaimDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def update(self, request, public_id=None, partial=False):
        claim = self.get_object()
        serializer = ClaimWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_update(claim=claim, actor=request.user, **serializer.validated_data)
        return Response(self._detail(claim))

    @extend_schema(
        summary="Change some of a claim's wording, tags or first-seen date (analysts)",
        description="Verdicts and review states change through the review action.",
        parameters=[CLAIM_ID],
        request=ClaimWriteSerializer(partial=True),
        responses={200: ClaimDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def partial_update(self, request, public_id=None):
        return self.update(request, public_id=public_id, partial=True)

    @extend_schema(
        summary="Delete a claim with its appearances and evidence links (editors)",
        description=(
            "Only a claim that was never reviewed: a claim with any review event (ever "
            "published, or only submitted for review) is refused with a 400; archive it "
            "instead. Review events are never deleted."
        ),
        parameters=[CLAIM_ID],
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(400, 401, 403, 404),
        },
    )
    def destroy(self, request, public_id=None):
        services.claim_delete(actor=request.user, claim=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move a claim through review and/or set its verdict",
        description=(
            "Analysts move a claim between draft and in_review. Publishing, archiving and "
            "any verdict or credibility change need the editor role; publishing needs a "
            "verdict. The event records the captures (with SHA-256) the decision relied on."
        ),
        parameters=[CLAIM_ID],
        request=ClaimReviewSerializer,
        responses={200: ReviewResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, public_id=None):
        claim = self.get_object()
        serializer = ClaimReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "captures" in data:
            try:
                data["captures"] = review_captures_for_claim(
                    claim=claim, public_ids=data["captures"]
                )
            except NotFound as exc:
                raise DomainError(
                    exc.message, code="unknown_reference", fields={"captures": [exc.message]}
                ) from exc
        event = services.claim_review(claim=claim, actor=request.user, **data)
        detail = claim_detail_for_user(public_id=claim.public_id, actor=request.user)
        event_row = next(e for e in detail["review_events"] if e["id"] == event.pk)
        return Response({"claim": claim_detail(detail), "event": review_event_item(event_row)})

    @extend_schema(
        summary="Merge this duplicate claim into another (editors)",
        description=(
            "Appearances, evidence and relations move to the target; this claim is archived "
            "and keeps a same_as relation to it (which only editors may remove). An archived "
            "target is refused with a 400. Returns the target."
        ),
        parameters=[CLAIM_ID],
        request=ClaimMergeSerializer,
        responses={200: ClaimDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, public_id=None):
        duplicate = self.get_object()
        serializer = ClaimMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = _body_claim(request, field="into", public_id=serializer.validated_data["into"])
        target = services.claim_merge(
            actor=request.user,
            duplicate=duplicate,
            target=target,
            comment=serializer.validated_data["comment"],
        )
        return Response(self._detail(target))

    @extend_schema(
        summary="Relate this claim to another (analysts)",
        description="Creates the edge `this claim <kind> to_claim`.",
        parameters=[CLAIM_ID],
        request=ClaimRelationCreateSerializer,
        responses={201: RelatedClaimSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def relations(self, request, public_id=None):
        claim = self.get_object()
        serializer = ClaimRelationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        other = _body_claim(
            request, field="to_claim", public_id=serializer.validated_data["to_claim"]
        )
        relation = services.claim_relation_create(
            actor=request.user,
            from_claim=claim,
            to_claim=other,
            kind=serializer.validated_data["kind"],
        )
        detail = claim_detail_for_user(public_id=claim.public_id, actor=request.user)
        related = next(r for r in detail["related"] if r["public_id"] == relation.public_id)
        return Response(related_claim_item(related), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a relation from or to this claim (analysts)",
        description=(
            "The same_as relation a merge leaves needs the editor role. The relation's "
            "history keeps who removed it and when."
        ),
        parameters=[CLAIM_ID, RELATION_ID],
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **error_responses(401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"relations/(?P<relation_id>[^/.]+)",
        url_name="relation-detail",
    )
    def relation_delete(self, request, public_id=None, relation_id=None):
        relation = claim_relation_get(claim=self.get_object(), public_id=relation_id)
        services.claim_relation_delete(actor=request.user, relation=relation)
        return Response(status=status.HTTP_204_NO_CONTENT)
