"""Filters, full-text search and ordering for claim lists (API, views, bench)."""

import re
from datetime import UTC, date, datetime

import django_filters as filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.text import slugify
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from claims.models import Claim, PublishedRevision, ReviewState, Tag, Verdict
from claimtrail.visibility import sees_unpublished
from provenance.models import Appearance, Stance

SEARCH_RANK = "search_rank"
PUBLISHED_REVISION = "published_revision__"
Q_MAX_LENGTH = 500
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


def search_is_ranked(queryset: QuerySet) -> bool:
    """Whether `q` on this queryset's database gives a relevance rank to order by."""
    return connections[queryset.db].vendor == "postgresql"


# websearch-like terms: an optional leading "-", then a "quoted phrase" (closing quote
# optional) or a run of non-blanks.
_SEARCH_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


def _tsquery_lexeme(word: str, *, prefix: bool) -> str:
    """`word` as one quoted tsquery operand: no operator in it can reach to_tsquery."""
    escaped = word.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}':*" if prefix else f"'{escaped}'"


def search_tsquery(q: str) -> str:
    """`q` in to_tsquery syntax: web-search terms, each word a prefix.

    Words must all match, each as a prefix ("террор" finds "террористическую");
    "quoted phrases" match exactly, word after word; -word (the whole word) or -"phrase"
    excludes; `or` between terms gives alternatives. Every word is a quoted, escaped
    operand, which the 'simple' parser then splits as it splits documents ("example.com",
    "foo-bar").
    """
    groups: list[list[str]] = [[]]
    terms = _SEARCH_TERM.findall(q)
    for position, (negated, phrase, word) in enumerate(terms):
        # `or` between two terms is the operator; first, last or doubled it is a word.
        is_last = position == len(terms) - 1
        if word.lower() == "or" and not negated and groups[-1] and not is_last:
            groups.append([])
            continue
        if word:
            term = _tsquery_lexeme(word, prefix=not negated)
        elif phrase.split():
            term = " <-> ".join(_tsquery_lexeme(w, prefix=False) for w in phrase.split())
        else:
            continue  # ""
        groups[-1].append(f"!({term})" if negated else f"({term})")
    return " | ".join(f"({' & '.join(terms)})" for terms in groups if terms)


def claim_search(queryset: QuerySet[Claim], q: str, *, of: str = "") -> QuerySet[Claim]:
    """Claims whose text, summary or appearance quotes/translations match `q`.

    PostgreSQL: `search_tsquery(q)` over the stored `search_vector` ('simple'
    configuration, GIN-indexed), annotated with `search_rank`. Elsewhere: every word must
    occur, case-insensitively, anywhere in a word. `of="published_revision__"` searches
    the current published revision's copy of them instead.
    """
    if not q.strip():
        return queryset
    if search_is_ranked(queryset):
        tsquery = search_tsquery(q)
        if not tsquery:  # only quotes: nothing to look for, but still a ranked result
            return queryset.annotate(**{SEARCH_RANK: Value(0.0, FloatField())}).none()
        query = SearchQuery(tsquery, search_type="raw", config="simple")
        # ts_rank is a real; as double precision its text form round-trips exactly,
        # which cursor pagination needs to resume after a row.
        return queryset.annotate(
            **{SEARCH_RANK: Cast(SearchRank(F(f"{of}search_vector"), query), FloatField())}
        ).filter(**{f"{of}search_vector": query})
    # SQLite's LIKE folds ASCII only; its REGEXP is Python's re, which folds any script.
    for word in re.findall(r"\w+", q):
        queryset = queryset.filter(**{f"{of}search_document__iregex": re.escape(word)})
    return queryset


class TagSlugsField(forms.MultipleChoiceField):
    """Any number of tag names, normalized as the services store them."""

    def to_python(self, value):
        return [slugify(str(v), allow_unicode=True) for v in super().to_python(value)]

    def valid_value(self, value) -> bool:
        return 0 < len(value) <= TAG_MAX_LENGTH

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for slug in value:
            if not self.valid_value(slug):
                raise forms.ValidationError(
                    f"Tags are 1–{TAG_MAX_LENGTH} letters, digits or hyphens.", code="invalid_tag"
                )


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time (or date) as UTC; offsets that leave years 1–9999 are refused."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(
                "Enter a date/time between the years 1 and 9999 (UTC).", code="invalid"
            ) from exc


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


# A tag name is kept when its slug is not empty: it has a letter or digit somewhere.
@extend_schema_field({"type": "string", "pattern": "[^\\W_]"})
class TagFilter(filters.MultipleChoiceFilter):
    field_class = TagSlugsField


class ClaimFilter(filters.FilterSet):
    """Query parameters of the claim list.

    Appearance conditions (source, stance, published_after/before) hold together:
    `source=X&stance=denies` finds claims that source X denied.
    """

    q = filters.CharFilter(
        method="filter_q",
        max_length=Q_MAX_LENGTH,
        help_text=(
            "Full-text search over claim text, summary, appearance quotes (any language) "
            "and their translations. Every word must match the start of a word (`terror` "
            'finds "terrorist"). Web-search syntax: "exact phrase", -exclude, or. '
            "Results are ordered by relevance unless `ordering` is given."
        ),
    )
    verdict = filters.MultipleChoiceFilter(
        choices=Verdict.choices, help_text="Verdict; repeat for any of several."
    )
    review_state = filters.MultipleChoiceFilter(
        choices=ReviewState.choices, help_text="Review state; repeat for any of several."
    )
    tag = TagFilter(
        method="filter_tag", help_text="Tag name; repeat to require several tags at once."
    )
    source = filters.UUIDFilter(
        method="filter_appearance", help_text="Source id: claims with an appearance by it."
    )
    stance = filters.ChoiceFilter(
        choices=Stance.choices,
        method="filter_appearance",
        help_text="Claims with an appearance of this stance.",
    )
    published_after = UtcDateTimeFilter(
        method="filter_appearance",
        help_text="Claims with an appearance published at or after this time (ISO 8601).",
    )
    published_before = UtcDateTimeFilter(
        method="filter_appearance",
        help_text="Claims with an appearance published before this time (ISO 8601).",
    )
    first_seen_after = filters.DateFilter(
        field_name="first_seen", lookup_expr="gte", help_text="First seen on or after this date."
    )
    first_seen_before = filters.DateFilter(
        field_name="first_seen", lookup_expr="lt", help_text="First seen before this date."
    )
    created_after = UtcDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Entered at or after this time (ISO 8601).",
    )
    created_before = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Entered before this time (ISO 8601)."
    )

    class Meta:
        model = Claim
        fields = []

    def filter_q(self, queryset, name, value):
        return claim_search(queryset, value)

    def filter_tag(self, queryset, name, value):
        for slug in dict.fromkeys(value):
            queryset = queryset.filter(
                Exists(Claim.tags.through.objects.filter(claim_id=OuterRef("pk"), tag__name=slug))
            )
        return queryset

    def filter_appearance(self, queryset, name, value):
        # Applied once, for all appearance conditions together, in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        condition = Q()
        if data.get("source"):
            condition &= Q(source__public_id=data["source"])
        if data.get("stance"):
            condition &= Q(stance=data["stance"])
        if data.get("published_after"):
            condition &= Q(published_at__gte=data["published_after"])
        if data.get("published_before"):
            condition &= Q(published_at__lt=data["published_before"])
        if condition:
            queryset = queryset.filter(Exists(self.appearances().filter(condition)))
        return queryset

    def appearances(self):
        """The appearances of the claim (an OuterRef) that appearance conditions match."""
        return Appearance.objects.filter(claim_id=OuterRef("pk"))


class PublicClaimFilter(ClaimFilter):
    """ClaimFilter over what was published (claims.revisions), for readers who see only
    published claims: search, tags, first-seen dates and appearance conditions read the
    current revision, so that no unpublished edit can be found through them."""

    first_seen_after = filters.DateFilter(
        field_name="published_revision__first_seen",
        lookup_expr="gte",
        help_text="First seen on or after this date.",
    )
    first_seen_before = filters.DateFilter(
        field_name="published_revision__first_seen",
        lookup_expr="lt",
        help_text="First seen before this date.",
    )

    def filter_q(self, queryset, name, value):
        return claim_search(queryset, value, of=PUBLISHED_REVISION)

    def filter_tag(self, queryset, name, value):
        tags = PublishedRevision.tags.through.objects
        for slug in dict.fromkeys(value):
            queryset = queryset.filter(
                Exists(
                    tags.filter(
                        publishedrevision_id=OuterRef("published_revision_id"), tag__name=slug
                    )
                )
            )
        return queryset

    def appearances(self):
        return Appearance.objects.filter(published_revisions=OuterRef("published_revision_id"))


# Public ordering names; nullable fields sort on a key that puts unknown values last.
ORDERING_FIELDS = ("created_at", "updated_at", "first_seen", "reviewed_at")
_NULL_LAST_KEYS = {
    "first_seen": (date.max, date.min),
    "reviewed_at": (datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC)),
}
DEFAULT_ORDERING = ("-created_at", "-id")


class ClaimOrdering(OrderingFilter):
    """`ordering` for claim lists; it also sets the cursor paginator's ordering.

    Without `ordering`, a `q` search is ordered by relevance, otherwise newest first.
    Every ordering ends with the id so that rows with equal keys keep a stable order.
    """

    ordering_description = (
        "Sort by this field; prefix with - for descending. Unknown first-seen or reviewed "
        "dates sort last. Default: relevance with `q`, else -created_at."
    )

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        value = request.query_params.get(self.ordering_param, "").strip()
        if not value:
            q = request.query_params.get("q", "").strip()
            if q and search_is_ranked(queryset):
                return (f"-{SEARCH_RANK}", "-id")
            return DEFAULT_ORDERING
        descending = value.startswith("-")
        name = value.removeprefix("-")
        if name not in ORDERING_FIELDS:
            raise ValidationError(
                {self.ordering_param: [f"Use one of {', '.join(self._choices())}."]}
            )
        key = f"{name}_key" if name in _NULL_LAST_KEYS else name
        return (f"-{key}", "-id") if descending else (key, "id")

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        key = ordering[0].removeprefix("-")
        if key.endswith("_key"):
            name = key.removesuffix("_key")
            last_ascending, last_descending = _NULL_LAST_KEYS[name]
            missing = last_descending if ordering[0].startswith("-") else last_ascending
            column = name
            if name == "first_seen" and not sees_unpublished(request.user):
                column = f"{PUBLISHED_REVISION}first_seen"  # as published, not as edited
            queryset = queryset.annotate(**{key: Coalesce(column, Value(missing))})
        return queryset.order_by(*ordering)

    @staticmethod
    def _choices() -> list[str]:
        return [f"{sign}{name}" for name in ORDERING_FIELDS for sign in ("", "-")]

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": self.ordering_description,
                "schema": {"type": "string", "enum": self._choices()},
            }
        ]
