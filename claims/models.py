from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from claimtrail.lib.models import PublicModel


class Tag(models.Model):
    name = models.SlugField(max_length=64, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Verdict(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    DISPUTED = "disputed", "Disputed"
    SUPPORTED = "supported", "Supported"
    REFUTED = "refuted", "Refuted"
    MISLEADING = "misleading", "Misleading"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Credibility(models.IntegerChoices):
    """Admiralty (NATO) information credibility."""

    CONFIRMED = 1, "1 — confirmed by other sources"
    PROBABLY_TRUE = 2, "2 — probably true"
    POSSIBLY_TRUE = 3, "3 — possibly true"
    DOUBTFUL = 4, "4 — doubtful"
    IMPROBABLE = 5, "5 — improbable"
    CANNOT_BE_JUDGED = 6, "6 — truth cannot be judged"


# Shown where a person sets or reads the credibility (review API schema, admin).
CREDIBILITY_HELP = (
    "Admiralty (NATO) scale of how far other information bears the claim out: "
    + ", ".join(label.replace(" — ", " ") for _, label in Credibility.choices)
    + ". 6 means there is too little to judge, not that the claim is worse than 5. It rates "
    "the information, not whoever said it: sources have their own A–F reliability."
)


class Claim(PublicModel):
    """One proposition, stated neutrally, and where its review stands."""

    Verdict = Verdict

    ReviewState = ReviewState

    Credibility = Credibility

    text = models.TextField()
    summary = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims")
    first_seen = models.DateField(null=True, blank=True)
    verdict = models.CharField(
        max_length=16, choices=Verdict.choices, blank=True, help_text="Blank until reviewed."
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices, null=True, blank=True
    )
    review_state = models.CharField(
        max_length=16, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The revision anonymous readers see while the claim is published: the latest one, kept
    # here by claim_review for cheap joins (claims.revisions).
    published_revision = models.ForeignKey(
        "PublishedRevision",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Claim text, summary, and every appearance quote and translation, kept by the
    # services for full-text search.
    search_document = models.TextField(blank=True, editable=False)
    # search_document as a tsvector ('simple' configuration), kept beside it by
    # claim_refresh_search_document so that ranking a search reads it instead of parsing
    # every match again; GIN-indexed (claims/migrations/0004). Always null on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(
        m2m_fields=[tags], excluded_fields=["search_document", "search_vector"]
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["", *Verdict.values]),
                name="claim_verdict_valid",
                violation_error_message="Unknown verdict.",
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values),
                name="claim_review_state_valid",
                violation_error_message="Unknown review state.",
            ),
            models.CheckConstraint(
                condition=Q(credibility__isnull=True) | Q(credibility__gte=1, credibility__lte=6),
                name="claim_credibility_1_to_6",
                violation_error_message="Credibility must be between 1 and 6.",
            ),
            models.CheckConstraint(
                condition=~Q(review_state="published") | ~Q(verdict=""),
                name="claim_published_has_verdict",
                violation_error_message="A claim cannot be published without a verdict.",
            ),
        ]
        indexes = [
            models.Index(fields=["review_state", "-created_at"]),
            models.Index(fields=["verdict"]),
            models.Index(fields=["first_seen"]),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class RelationKind(models.TextChoices):
    CONTRADICTS = "contradicts", "Contradicts"
    SUPPORTS = "supports", "Supports"
    PART_OF = "part_of", "Part of"
    SAME_AS = "same_as", "Same as"


class ClaimRelation(PublicModel):
    """A directed edge between two claims."""

    Kind = RelationKind

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_out")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_claim", "to_claim", "kind"],
                name="claim_relation_unique",
                violation_error_message="These claims are already related this way.",
            ),
            models.CheckConstraint(
                condition=~Q(from_claim=F("to_claim")),
                name="claim_relation_not_to_self",
                violation_error_message="A claim cannot be related to itself.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RelationKind.values),
                name="claim_relation_kind_valid",
                violation_error_message="Unknown relation kind.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_claim_id} {self.kind} {self.to_claim_id}"


class ReviewEvent(PublicModel):
    """One review-state or verdict change, and the captures the decision relied on."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="review_events")
    # PROTECT: the event's hash covers who decided; deactivate a reviewer, don't delete one.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=Claim.ReviewState.choices)
    to_state = models.CharField(max_length=16, choices=Claim.ReviewState.choices)
    from_verdict = models.CharField(max_length=16, choices=Claim.Verdict.choices, blank=True)
    to_verdict = models.CharField(max_length=16, choices=Claim.Verdict.choices, blank=True)
    from_credibility = models.PositiveSmallIntegerField(null=True, blank=True)
    to_credibility = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # The revision a publication (or re-publication) froze; null for other events.
    revision = models.ForeignKey(
        "PublishedRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_events",
    )
    # The tamper-evident log (claims.review_log): the SHA-256 of this event's canonical
    # JSON, and the claim's previous event's ("" for its first), set by claim_review.
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    previous_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_state} → {self.to_state}"


class ReviewEventCapture(models.Model):
    """A capture a review decision relied on, with its hash kept even if it goes away."""

    review_event = models.ForeignKey(
        ReviewEvent, on_delete=models.CASCADE, related_name="capture_links"
    )
    capture = models.ForeignKey(
        "provenance.Capture", null=True, on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review_event", "capture"], name="review_event_capture_unique"
            )
        ]

    def __str__(self) -> str:
        return self.sha256


class PublishedRevision(PublicModel):
    """What an editor published: the claim's canonical JSON at that moment, and its hash.

    Never changed once written (claims.revisions builds it inside claim_review). `payload`
    is the public claim detail without review events; `sha256` is the hex SHA-256 of its
    canonical bytes (claimtrail.lib.canonical). The columns after it copy what the public
    list, its filters and its search read, so that those stay single queries; `appearances`
    and `evidence` are what anonymous readers may see of the claim's rows.
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="published_revisions")
    number = models.PositiveIntegerField()
    payload = models.JSONField()
    sha256 = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    summary = models.TextField(blank=True)
    first_seen = models.DateField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    appearance_count = models.PositiveIntegerField(default=0)
    evidence_count = models.PositiveIntegerField(default=0)
    appearances = models.ManyToManyField(
        "provenance.Appearance", blank=True, related_name="published_revisions"
    )
    evidence = models.ManyToManyField(
        "provenance.Evidence", blank=True, related_name="published_revisions"
    )
    # Text, summary and appearance quotes and translations as published, for the public
    # search; the tsvector ('simple') is GIN-indexed on PostgreSQL (migration 0005).
    search_document = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["claim", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "number"],
                name="published_revision_number_unique",
                violation_error_message="This claim already has a revision with this number.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="published_revision_number_positive",
                violation_error_message="Revision numbers start at 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} r{self.number} {self.sha256[:12]}"
