"""The claim list page `/claims/`: the API's filters, search and ordering as a GET form.

The rows come from claims.selectors.claim_list_values with the same ClaimFilter parameters
as `/api/claims/`, so the page and the API can never disagree on what a filter means. An
htmx request (the form updating as the person types) gets only the results fragment.

The `source` filter is the API's source id; a person without JavaScript (no picker,
static/js/source_picker.js) may type a source's handle, domain, URL or exact name
instead, which the page resolves to that id first (one query either way).
"""

from contextlib import suppress

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from rest_framework.exceptions import ValidationError as ApiValidationError

from claims.filters import ClaimOrdering
from claims.models import ReviewState, Verdict
from claims.selectors import claim_list_values, claim_tag_names
from claimtrail.lib.normalize import IdentifierError
from claimtrail.visibility import (
    appearance_visible_q,
    parse_public_id,
    sees_unpublished,
    visible_sources,
)
from provenance.models import Appearance
from sources.selectors import identifier_q

PAGE_SIZE = 25
MAX_NAMED = 5  # sources listed when typed text names several
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


class _SourceUnclear(Exception):
    """The typed source names no visible source, or several."""


def _chosen_source(value: str, actor) -> dict:
    """The visible source the `source` field names, as {"public_id", "name"}: by id, else
    by an identifier in any usual spelling or the exact name (one query). An id of no
    visible source gives name "an unknown source" (ClaimFilter finds no claims for it);
    text that names none, or several, raises _SourceUnclear with what to tell the person."""
    sources = visible_sources(actor).order_by("name", "id").values("public_id", "name")
    public_id = parse_public_id(value)
    if public_id is not None:
        found = sources.filter(public_id=public_id).first()
        return found or {"public_id": public_id, "name": "an unknown source", "unknown": True}
    condition = Q(name__iexact=value)
    with suppress(IdentifierError):
        condition |= identifier_q(value=value)
    found = list(sources.filter(condition)[: MAX_NAMED + 1])
    if not found:
        raise _SourceUnclear(f"No source is named “{value}” or has it as handle, domain or URL.")
    if len(found) > 1:
        names = ", ".join(s["name"] for s in found[:MAX_NAMED])
        more = ", …" if len(found) > MAX_NAMED else ""
        raise _SourceUnclear(f"“{value}” names several sources ({names}{more}): give one's id.")
    return found[0]


@login_required
def claim_list_page(request):
    actor = request.user
    filters = _filters(request)
    errors: list[str] = []
    page = None
    source = None
    try:
        if "source" in filters:
            source = _chosen_source(filters["source"][0].strip(), actor)
            filters["source"] = [str(source["public_id"])]
        rows = claim_list_values(actor=actor, filters=filters)
        rows = ClaimOrdering().filter_queryset(_OrderingRequest(request), rows, None)
        rows = rows.annotate(source_count=_source_count(actor))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    except ValidationError as exc:
        errors = _error_messages(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    except ApiValidationError as exc:
        errors = _error_messages(exc.detail)
    except _SourceUnclear as exc:
        errors = [f"source: {exc}"]
    if page is not None:
        claims = list(page.object_list)
        tags = claim_tag_names(
            claim_ids=[c["id"] for c in claims], published=not sees_unpublished(actor)
        )
        for claim in claims:
            claim["tags"] = tags.get(claim["id"], [])
    else:
        claims = []
    context = {
        "claims": claims,
        "page": page,
        "errors": errors,
        "params": request.GET,
        "querystring": _without_page(request),
        "verdicts": Verdict.choices,
        "review_states": ReviewState.choices if sees_unpublished(actor) else [],
        "sorts": SORTS,
        "source_filter": source,
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
