"""Query-string filters of the source list."""

import django_filters
from rest_framework.exceptions import ValidationError

from claimtrail.lib.normalize import IdentifierError
from sources.models import IdentifierKind, Source
from sources.selectors import name_or_alias_q, source_filter_by_identifier


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        choices=Source.Kind.choices, help_text="Source kind; repeat for any of several."
    )
    country = django_filters.CharFilter(
        field_name="country", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2 code."
    )
    state_affiliated = django_filters.BooleanFilter()
    reliability = django_filters.MultipleChoiceFilter(
        choices=Source.Reliability.choices, help_text="Admiralty grade A–F; repeat for several."
    )
    parent = django_filters.UUIDFilter(
        field_name="parent__public_id", help_text="Id of the parent source."
    )
    identifier = django_filters.CharFilter(
        method="filter_identifier",
        help_text=(
            "A handle, domain, channel, Wikidata id or URL in any usual spelling "
            "(`@MaxSeddon`, `https://x.com/maxseddon`); with `identifier_kind` only that kind."
        ),
    )
    identifier_kind = django_filters.ChoiceFilter(
        choices=IdentifierKind.choices,
        method="filter_identifier_kind",
        help_text="Kind of `identifier`.",
    )
    q = django_filters.CharFilter(method="filter_q", help_text="Text in the name or an alias.")

    class Meta:
        model = Source
        fields = [
            "kind",
            "country",
            "state_affiliated",
            "reliability",
            "parent",
            "identifier",
            "identifier_kind",
            "q",
        ]

    def filter_identifier(self, queryset, name, value):
        kind = self.form.cleaned_data.get("identifier_kind") or ""
        try:
            return source_filter_by_identifier(queryset, value=value, kind=kind)
        except IdentifierError as exc:
            raise ValidationError({"identifier": [str(exc)]}) from exc

    def filter_identifier_kind(self, queryset, name, value):
        return queryset  # read by filter_identifier

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(name_or_alias_q(value))
