from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from claimtrail.lib import normalize
from claimtrail.lib.models import PublicModel


class SourceKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    OUTLET = "outlet", "Outlet"
    GOVERNMENT_BODY = "government_body", "Government body"
    SOCIAL_ACCOUNT = "social_account", "Social account"
    CHANNEL = "channel", "Channel"
    UNKNOWN = "unknown", "Unknown"


class Reliability(models.TextChoices):
    """Admiralty (NATO) source reliability."""

    A = "A", "A — completely reliable"
    B = "B", "B — usually reliable"
    C = "C", "C — fairly reliable"
    D = "D", "D — not usually reliable"
    E = "E", "E — unreliable"
    F = "F", "F — reliability cannot be judged"


class Source(PublicModel):
    """Who speaks: a person, outlet, government body, account or channel."""

    Kind = SourceKind

    Reliability = Reliability

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.UNKNOWN)
    description = models.TextField(blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. RU."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The source this one acts on behalf of or is part of.",
    )
    state_affiliated = models.BooleanField(default=False)
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.F)
    aliases = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values),
                name="source_kind_valid",
                violation_error_message="Unknown source kind.",
            ),
            models.CheckConstraint(
                condition=Q(reliability__in=Reliability.values),
                name="source_reliability_valid",
                violation_error_message="Reliability must be one of A–F.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="source_not_own_parent",
                violation_error_message="A source cannot be its own parent.",
            ),
        ]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["country"])]

    def __str__(self) -> str:
        return self.name


class IdentifierKind(models.TextChoices):
    DOMAIN = normalize.DOMAIN, "Website domain"
    X_HANDLE = normalize.X_HANDLE, "X/Twitter handle"
    TELEGRAM = normalize.TELEGRAM, "Telegram channel"
    WIKIDATA = normalize.WIKIDATA, "Wikidata id"
    URL = normalize.URL, "URL"


class SourceIdentifier(PublicModel):
    """A handle, domain or id that points at exactly one source once normalized."""

    Kind = IdentifierKind

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=500, help_text="As entered.")
    normalized_value = models.CharField(max_length=500, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "normalized_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "normalized_value"],
                name="source_identifier_unique_per_kind",
                violation_error_message="This identifier already belongs to a source.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.normalized_value}"
