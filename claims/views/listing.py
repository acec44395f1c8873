"""The claim list page `/claims/`: the API's filters, search and ordering as a GET form.

The rows come from claims.selectors.claim_list_values with the same ClaimFilter parameters
as `/api/claims/`, so the page and the API can never disagree on what a filter means. An
htmx request (the form updating as the person types) gets only the results fragment.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from rest_framework.exceptions import ValidationError as ApiValidationError

from claims.filters import ClaimOrdering
from claims.models import ReviewState, Verdict
from claims.selectors import claim_list_values, claim_tag_names
from claimtrail.visibility import appearance_visible_q, parse_public_id, sees_unpublished
from provenance.models import Appearance
from sources.selectors import source_list

PAGE_SIZE = 25
# The filter parameters the page passes on to ClaimFilter (the API's names).
FILTER_PARAMS = (
    "q",
    "verdict",
    "review_state",
    "tag",
    "source",
    "first_seen_after",
    "first_seen_before",
    "published_after",
    "published_before",
)
SORTS = (
    ("", "Relevance (with a search), else newest"),
    ("-created_at", "Newest entered"),
    ("created_at", "Oldest entered"),
    ("-updated_at", "Recently changed"),
    ("-first_seen", "First seen, latest"),
    ("first_seen", "First seen, earliest"),
    ("-reviewed_at", "Recently reviewed"),
)


class _OrderingRequest:
    """What ClaimOrdering reads of a DRF request, from a plain Django one."""

    def __init__(self, request):
        self.query_params = request.GET
        self.user = request.user


def _source_count(actor) -> Coalesce:
    """Distinct sources among the claim's appearances the actor may see."""
    rows = (
        Appearance.objects.filter(appearance_visible_q(actor), claim_id=OuterRef("pk"))
        .order_by()
        .values("claim_id")
        .annotate(n=Count("source_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _filters(request) -> dict:
    """The filter parameters given, blanks dropped (an empty select means "any")."""
    filters = {}
    for name in FILTER_PARAMS:
        values = [v for v in request.GET.getlist(name) if v.strip()]
        if values:
            filters[name] = values
    return filters


def _error_messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [
            f"{name.replace('_', ' ')}: {' '.join(map(str, msgs))}" for name, msgs in errors.items()
        ]
    return [str(e) for e in errors]


@login_required
def claim_list_page(request):
    actor = request.user
    filters = _filters(request)
    errors: list[str] = []
    page = None
    try:
        rows = claim_list_values(actor=actor, filters=filters)
        rows = ClaimOrdering().filter_queryset(_OrderingRequest(request), rows, None)
        rows = rows.annotate(source_count=_source_count(actor))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    except ValidationError as exc:
        errors = _error_messages(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    except ApiValidationError as exc:
        errors = _error_messages(exc.detail)
    if page is not None:
        claims = list(page.object_list)
        tags = claim_tag_names(
            claim_ids=[c["id"] for c in claims], published=not sees_unpublished(actor)
        )
        for claim in claims:
            claim["tags"] = tags.get(claim["id"], [])
    else:
        claims = []
    source_id = request.GET.get("source", "").strip()
    context = {
        "claims": claims,
        "page": page,
        "errors": errors,
        "params": request.GET,
        "querystring": _without_page(request),
        "verdicts": Verdict.choices,
        "review_states": ReviewState.choices if sees_unpublished(actor) else [],
        "sorts": SORTS,
        "source_filter": _source_name(source_id, actor) if source_id else None,
        "filtered": bool(filters),
    }
    template = "claims/claim_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context, status=400 if errors else 200)


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _source_name(value: str, actor) -> dict | None:
    """The source a `source` filter names, for the note that removes the filter (one query)."""
    public_id = parse_public_id(value)
    if public_id is None:
        return None  # ClaimFilter reports the invalid id
    source = source_list(actor=actor).filter(public_id=public_id).values("name").first()
    return {"name": source["name"] if source else "an unknown source"}
