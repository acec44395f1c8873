"""Query-string filters of the appearance and evidence lists."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from claimtrail.api_schema import PARTIAL_DATE_PATTERN
from claimtrail.lib import dates
from provenance.models import Appearance, CaptureStatus, Evidence
from provenance.selectors import evidence_filter_by_claim

NO_CAPTURE = "none"


@extend_schema_field({"type": "string", "pattern": PARTIAL_DATE_PATTERN})
class PublishedBoundFilter(django_filters.CharFilter):
    """A bound on `published_at` given as 2023, 2023-05, 2023-05-03 or a date-time.

    `published_after` keeps appearances whose stored `published_at` (the start of its day or
    month when less precise) is at or after the start of the period given;
    `published_before` those at or before its end.
    """

    def __init__(self, *args, bound: str, **kwargs):
        self.bound = bound
        super().__init__(*args, field_name="published_at", **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        try:
            moment, precision = dates.parse_partial(value)
        except ValueError as exc:
            raise ValidationError({self.field_name_for_errors: [str(exc)]}) from exc
        start, end = dates.interval(moment, precision)
        if self.bound == "after":
            return qs.filter(published_at__gte=start)
        return qs.filter(published_at__lte=end)

    @property
    def field_name_for_errors(self) -> str:
        return f"published_{self.bound}"


class AppearanceFilter(django_filters.FilterSet):
    claim = django_filters.UUIDFilter(field_name="claim__public_id", help_text="Claim id.")
    source = django_filters.UUIDFilter(field_name="source__public_id", help_text="Source id.")
    stance = django_filters.MultipleChoiceFilter(
        choices=Appearance.Stance.choices, help_text="Stance; repeat for any of several."
    )
    published_after = PublishedBoundFilter(
        bound="after", help_text="On or after this date (2023, 2023-05, 2023-05-03 or a date-time)."
    )
    published_before = PublishedBoundFilter(
        bound="before",
        help_text="On or before this date (2023, 2023-05, 2023-05-03 or a date-time).",
    )
    language = django_filters.CharFilter(
        method="filter_language", help_text="Quote language (BCP 47); `ru` also matches `ru-RU`."
    )

    class Meta:
        model = Appearance
        fields = ["claim", "source", "stance", "published_after", "published_before", "language"]

    def filter_language(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(quote_language__iexact=value) | Q(quote_language__istartswith=f"{value}-")
        )


class EvidenceFilter(django_filters.FilterSet):
    claim = django_filters.UUIDFilter(method="filter_claim", help_text="Claim id.")
    kind = django_filters.MultipleChoiceFilter(
        choices=Evidence.Kind.choices, help_text="Evidence kind; repeat for any of several."
    )
    appearance = django_filters.UUIDFilter(
        field_name="appearance__public_id", help_text="Id of the appearance that carried it."
    )
    capture_status = django_filters.ChoiceFilter(
        choices=[*CaptureStatus.choices, (NO_CAPTURE, "No capture yet")],
        method="filter_capture_status",
        help_text="Status of the latest capture; `none` for evidence never captured.",
    )

    class Meta:
        model = Evidence
        fields = ["claim", "kind", "appearance", "capture_status"]

    def filter_claim(self, queryset, name, value):
        return evidence_filter_by_claim(queryset, claim_public_id=value)

    def filter_capture_status(self, queryset, name, value):
        # `latest_capture_status` is annotated by provenance.selectors.evidence_list.
        if value == NO_CAPTURE:
            return queryset.filter(latest_capture_status__isnull=True)
        return queryset.filter(latest_capture_status=value)
