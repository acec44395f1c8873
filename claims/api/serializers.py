"""Shapes of the claims API: read serializers over selector results, write serializers
that check types, lengths and choices only (no queries, no domain rules)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.models import (
    CREDIBILITY_HELP,
    Claim,
    Credibility,
    RelationKind,
    ReviewEvent,
    ReviewState,
    Verdict,
)
from claimtrail.api_input import EMPTY_FORM_VALUE_HELP, WriteSerializer
from provenance.api.evidence import LatestCaptureField
from provenance.models import Appearance, EvidenceClaim, EvidenceKind, EvidenceRelation
from sources.models import Source

TEXT_MAX_LENGTH = 2000
VERDICT_HELP = 'Blank ("") until an editor sets a verdict.'

SUMMARY_MAX_LENGTH = 20000
COMMENT_MAX_LENGTH = 10000
TAG_MAX_LENGTH = 64
MAX_TAGS = 50
MAX_REVIEW_CAPTURES = 500


# --- Read ---------------------------------------------------------------------
# The list and detail endpoints build these shapes with claims/api/payloads.py from the
# selectors' dicts; these serializers only describe them in the schema (extend_schema),
# which every API response in the tests is checked against.


class ClaimBriefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "text", "review_state"]
        read_only_fields = fields


class PublishedRevisionRefSerializer(serializers.Serializer):
    """The revision anonymous readers see (or last saw) of a claim."""

    id = serializers.UUIDField(read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="1 for the first publication.")
    sha256 = serializers.CharField(
        read_only=True,
        help_text=(
            "SHA-256 (hex) of the revision's canonical JSON: sorted keys, no whitespace, UTF-8."
        ),
    )
    published_at = serializers.DateTimeField(read_only=True)


def _revision_ref(claim) -> dict | None:
    """{id, number, sha256, published_at} from a list row's published_revision_* columns."""
    if getattr(claim, "published_revision_public_id", None) is None:
        return None
    return {
        "id": claim.published_revision_public_id,
        "number": claim.published_revision_number,
        "sha256": claim.published_revision_sha256,
        "published_at": claim.published_revision_created_at,
    }


class ClaimListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, allow_blank=True, read_only=True, help_text=VERDICT_HELP
    )
    created_by = serializers.CharField(
        source="created_by_username", read_only=True, allow_null=True
    )
    appearance_count = serializers.IntegerField(read_only=True)
    evidence_count = serializers.IntegerField(read_only=True)
    published_revision = serializers.SerializerMethodField()
    changed_since_publication = serializers.BooleanField(
        read_only=True,
        help_text=(
            "The claim, an appearance or an evidence link was edited after its current "
            "published revision (always false for anonymous readers). The detail's "
            "publication_diff lists what differs."
        ),
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "text",
            "summary",
            "tags",
            "first_seen",
            "verdict",
            "credibility",
            "review_state",
            "created_by",
            "created_at",
            "updated_at",
            "reviewed_at",
            "appearance_count",
            "evidence_count",
            "published_revision",
            "changed_since_publication",
        ]
        read_only_fields = fields

    @extend_schema_field(PublishedRevisionRefSerializer(allow_null=True))
    def get_published_revision(self, claim: Claim) -> dict | None:
        ref = _revision_ref(claim)
        return None if ref is None else PublishedRevisionRefSerializer(ref).data


class SourceBriefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Source
        fields = ["id", "name", "kind", "reliability", "state_affiliated"]
        read_only_fields = fields


class ClaimAppearanceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    source = SourceBriefSerializer(read_only=True)
    derived_from = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="public_id",
        help_text="Ids of the earlier appearances this one quotes or relays.",
    )

    class Meta:
        model = Appearance
        fields = [
            "id",
            "source",
            "stance",
            "quote",
            "quote_language",
            "quote_translation",
            "url",
            "published_at",
            "published_precision",
            "derived_from",
        ]
        read_only_fields = fields


class ClaimEvidenceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="evidence.public_id", read_only=True)
    kind = serializers.ChoiceField(source="evidence.kind", choices=EvidenceKind.choices)
    url = serializers.CharField(
        source="evidence.url", help_text="The address captured; blank for an uploaded file."
    )
    title = serializers.CharField(source="evidence.title")
    relation = serializers.ChoiceField(choices=EvidenceRelation.choices)
    latest_capture = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceClaim
        fields = ["id", "kind", "url", "title", "relation", "latest_capture"]
        read_only_fields = fields

    # The same shape as on /api/evidence/; null before the first capture is queued.
    @extend_schema_field(LatestCaptureField(allow_null=True))
    def get_latest_capture(self, link: EvidenceClaim) -> dict | None:
        if link.evidence.latest_capture_public_id is None:
            return None
        return LatestCaptureField().to_representation(link.evidence)


class RelatedClaimSerializer(serializers.Serializer):
    """One relation seen from a claim: `out` when this claim is its subject."""

    id = serializers.UUIDField(source="relation.public_id", read_only=True)
    kind = serializers.ChoiceField(source="relation.kind", choices=RelationKind.choices)
    direction = serializers.ChoiceField(choices=[("out", "out"), ("in", "in")])
    claim = ClaimBriefSerializer(read_only=True)


class ReviewCaptureSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        source="capture_public_id",
        allow_null=True,
        read_only=True,
        help_text="Null once the capture record is gone; the hash stays.",
    )
    sha256 = serializers.CharField(read_only=True)


class ReviewEventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    actor = serializers.CharField(source="actor_username", read_only=True, allow_null=True)
    from_verdict = serializers.ChoiceField(
        choices=Verdict.choices, allow_blank=True, read_only=True, help_text=VERDICT_HELP
    )
    to_verdict = serializers.ChoiceField(
        choices=Verdict.choices, allow_blank=True, read_only=True, help_text=VERDICT_HELP
    )
    captures = ReviewCaptureSerializer(source="capture_links", many=True, read_only=True)
    sha256 = serializers.CharField(
        read_only=True,
        help_text=(
            "SHA-256 of the event's canonical JSON (claims/review_log.py), its link in the "
            "claim's tamper-evident review log."
        ),
    )
    previous_sha256 = serializers.CharField(
        read_only=True,
        help_text="`sha256` of the claim's previous review event; empty for its first.",
    )

    class Meta:
        model = ReviewEvent
        fields = [
            "id",
            "actor",
            "from_state",
            "to_state",
            "from_verdict",
            "to_verdict",
            "from_credibility",
            "to_credibility",
            "comment",
            "created_at",
            "sha256",
            "previous_sha256",
            "captures",
        ]
        read_only_fields = fields


class PublicationChangeSerializer(serializers.Serializer):
    field = serializers.CharField(
        read_only=True,
        help_text=(
            "What differs: a claim field (`text`), an appearance, evidence item or related "
            "claim by id (`appearances[<id>]`: added or removed), or one field of it "
            "(`appearances[<id>].quote`)."
        ),
    )
    published = serializers.JSONField(read_only=True, help_text="Null when added since.")
    working = serializers.JSONField(read_only=True, help_text="Null when removed since.")


class ClaimDetailSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, allow_blank=True, read_only=True, help_text=VERDICT_HELP
    )
    created_by = serializers.CharField(
        source="created_by_username", read_only=True, allow_null=True
    )
    reviewed_by = serializers.CharField(
        source="reviewed_by_username", read_only=True, allow_null=True
    )
    appearances = ClaimAppearanceSerializer(many=True, read_only=True)
    evidence = ClaimEvidenceSerializer(source="evidence_links", many=True, read_only=True)
    related_claims = RelatedClaimSerializer(many=True, read_only=True)
    review_events = ReviewEventSerializer(many=True, read_only=True)
    published_revision = PublishedRevisionRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="What anonymous readers see of this claim while it is published.",
    )
    changed_since_publication = serializers.BooleanField(
        read_only=True,
        help_text="The working copy differs from the published revision (false for anonymous).",
    )
    publication_diff = PublicationChangeSerializer(
        many=True,
        read_only=True,
        help_text="What an editor's re-publication would change (empty for anonymous).",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "text",
            "summary",
            "tags",
            "first_seen",
            "verdict",
            "credibility",
            "review_state",
            "created_by",
            "created_at",
            "updated_at",
            "reviewed_by",
            "reviewed_at",
            "appearances",
            "evidence",
            "related_claims",
            "review_events",
            "published_revision",
            "changed_since_publication",
            "publication_diff",
        ]
        read_only_fields = fields


class ReviewResultSerializer(serializers.Serializer):
    claim = ClaimDetailSerializer(read_only=True)
    event = ReviewEventSerializer(read_only=True)


# --- Write --------------------------------------------------------------------


class ClaimWriteSerializer(WriteSerializer):
    """Create (POST), replace (PUT) or change (PATCH) a claim's wording and tags."""

    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, allow_blank=True, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH),
        max_length=MAX_TAGS,
        default=list,
        help_text="Tag names; stored as slugs.",
    )
    first_seen = serializers.DateField(
        allow_null=True,
        default=None,
        help_text=f"The day the claim was first seen. {EMPTY_FORM_VALUE_HELP}",
    )


class ClaimReviewSerializer(WriteSerializer):
    to_state = serializers.ChoiceField(choices=ReviewState.choices)
    verdict = serializers.ChoiceField(
        choices=Verdict.choices,
        allow_blank=True,
        required=False,
        help_text="Omit to keep the current verdict; an empty string clears it.",
    )
    credibility = serializers.ChoiceField(
        choices=Credibility.choices,
        required=False,
        help_text=f"{CREDIBILITY_HELP} Omit to keep the current credibility.",
    )
    comment = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH, allow_blank=True, default="", trim_whitespace=True
    )
    captures = serializers.ListField(
        child=serializers.UUIDField(),
        max_length=MAX_REVIEW_CAPTURES,
        required=False,
        help_text=(
            "Ids of the succeeded captures the decision relied on. Omit to record the "
            "latest succeeded capture of each evidence item linked to the claim."
        ),
    )


class ClaimMergeSerializer(WriteSerializer):
    into = serializers.UUIDField(help_text="The claim this duplicate is merged into.")
    comment = serializers.CharField(max_length=COMMENT_MAX_LENGTH, allow_blank=True, default="")


class ClaimRelationCreateSerializer(WriteSerializer):
    to_claim = serializers.UUIDField(help_text="The other claim: this claim <kind> to_claim.")
    kind = serializers.ChoiceField(choices=RelationKind.choices)
