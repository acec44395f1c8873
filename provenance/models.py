from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from claimtrail.lib.models import PublicModel


class Stance(models.TextChoices):
    ASSERTS = "asserts", "Asserts"
    REPEATS = "repeats", "Repeats"
    REPORTS = "reports", "Reports"
    QUOTES = "quotes", "Quotes"
    DENIES = "denies", "Denies"
    QUESTIONS = "questions", "Questions"


class DatePrecision(models.TextChoices):
    """How much of `published_at` the source actually gave."""

    EXACT = "exact", "Exact time"
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Appearance(PublicModel):
    """One occurrence of a claim: who said it, how, where and when."""

    Stance = Stance

    Precision = DatePrecision

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="appearances")
    source = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, related_name="appearances"
    )
    stance = models.CharField(max_length=16, choices=Stance.choices)
    quote = models.TextField(blank=True, help_text="Verbatim, in the original language.")
    quote_language = models.CharField(max_length=16, blank=True, help_text="BCP 47, e.g. ru.")
    quote_translation = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=8, choices=Precision.choices, default=Precision.EXACT
    )
    derived_from = models.ManyToManyField(
        "self",
        through="AppearanceDerivation",
        through_fields=("appearance", "upstream"),
        symmetrical=False,
        related_name="derivatives",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["published_at", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values),
                name="appearance_stance_valid",
                violation_error_message="Unknown stance.",
            ),
            models.CheckConstraint(
                condition=Q(published_precision__in=DatePrecision.values),
                name="appearance_precision_valid",
                violation_error_message="Unknown date precision.",
            ),
        ]
        indexes = [
            models.Index(fields=["claim", "published_at"]),
            models.Index(fields=["source", "published_at"]),
            models.Index(fields=["stance"]),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.stance} {self.claim_id}"


class AppearanceDerivation(models.Model):
    """Edge of the provenance DAG: `appearance` quotes or relays `upstream`."""

    appearance = models.ForeignKey(
        Appearance, on_delete=models.CASCADE, related_name="upstream_links"
    )
    upstream = models.ForeignKey(
        Appearance, on_delete=models.CASCADE, related_name="downstream_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who added or removed which edge, and when: enough to restore a removed one.
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appearance", "upstream"],
                name="appearance_derivation_unique",
                violation_error_message="This appearance already derives from that one.",
            ),
            models.CheckConstraint(
                condition=~Q(appearance=F("upstream")),
                name="appearance_not_derived_from_self",
                violation_error_message="An appearance cannot derive from itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appearance_id} ← {self.upstream_id}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    return f"uploads/{instance.public_id}/{filename}"


class EvidenceKind(models.TextChoices):
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"
    SOCIAL_POST = "social_post", "Social post"
    WEB_PAGE = "web_page", "Web page"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class Evidence(PublicModel):
    """An artifact behind a claim: a link to capture or an uploaded file."""

    Kind = EvidenceKind

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    url = models.URLField(max_length=2000, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, max_length=500, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    appearance = models.ForeignKey(
        Appearance,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
        help_text="The appearance that carried this evidence, if any.",
    )
    claims = models.ManyToManyField(
        "claims.Claim", through="EvidenceClaim", related_name="evidence", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""),
                name="evidence_has_url_or_file",
                violation_error_message="Evidence needs a URL or an uploaded file.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EvidenceKind.values),
                name="evidence_kind_valid",
                violation_error_message="Unknown evidence kind.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.original_filename


class EvidenceRelation(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class EvidenceClaim(models.Model):
    """How a piece of evidence bears on a claim."""

    Relation = EvidenceRelation

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="claim_links")
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="evidence_links"
    )
    relation = models.CharField(max_length=16, choices=Relation.choices, default=Relation.CONTEXT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "claim"],
                name="evidence_claim_unique",
                violation_error_message="This evidence is already linked to that claim.",
            ),
            models.CheckConstraint(
                condition=Q(relation__in=EvidenceRelation.values),
                name="evidence_claim_relation_valid",
                violation_error_message="Relation must be supports, refutes or context.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} {self.relation} {self.claim_id}"


class CaptureStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    FETCHING = "fetching", "Fetching"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Capture(PublicModel):
    """One preserved copy of an evidence item at one moment, with its chain of custody."""

    Status = CaptureStatus

    class Method(models.TextChoices):
        FETCH = "fetch", "Fetched over HTTP"
        UPLOAD = "upload", "Uploaded file"
        # blob/sha256 are the full-page screenshot (the visual record); `dom` the rendered
        # page; the WARC holds every request the page made.
        BROWSER = "browser", "Rendered in a browser"
        # The video behind a page, downloaded with yt-dlp (a child of the page capture).
        MEDIA = "media", "Video downloaded with yt-dlp"

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="captures")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="embedded_captures",
        help_text="The page capture whose embedded media this captures.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.FETCH)
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_url = models.URLField(max_length=2000, blank=True)
    final_url = models.URLField(max_length=2000, blank=True)
    redirect_chain = models.JSONField(default=list, blank=True)
    remote_ip = models.GenericIPAddressField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    http_headers = models.JSONField(default=dict, blank=True)
    content_type = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    blob = models.CharField(max_length=255, blank=True, help_text="Storage name of the bytes.")
    warc = models.CharField(max_length=255, blank=True, help_text="Storage name of the WARC.")
    warc_sha256 = models.CharField(max_length=64, blank=True)
    thumbnail = models.CharField(max_length=255, blank=True)
    screenshot = models.CharField(
        max_length=255, blank=True, help_text="Storage name of the full-page screenshot (PNG)."
    )
    dom = models.CharField(
        max_length=255, blank=True, help_text="Storage name of the rendered DOM (HTML)."
    )
    metadata = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error_message = models.TextField(blank=True)
    software_version = models.CharField(max_length=100, blank=True)
    # Keeps the record of a capture (hashes, URLs, headers, storage names) after its
    # evidence is deleted; the pipeline's own writes are conditional UPDATEs, not saves.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaptureStatus.values),
                name="capture_status_valid",
                violation_error_message="Unknown capture status.",
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | ~Q(sha256=""),
                name="capture_succeeded_has_sha256",
                violation_error_message="A succeeded capture needs its SHA-256.",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error_code=""),
                name="capture_failed_has_reason",
                violation_error_message="A failed capture needs the reason it failed.",
            ),
        ]
        indexes = [
            models.Index(fields=["evidence", "-created_at"]),
            models.Index(fields=["status", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status})"
