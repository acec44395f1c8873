"""HTML views for sources: the list `/sources/`, a source's page `/sources/<uuid>/`, and
the picker's search `/sources/search.json`.

The list reads sources.selectors.source_list with the API's SourceFilter (kind); its one
search box is sources.selectors.source_search (names, aliases, identifiers), like the
picker's JSON, so both find the same sources under the same visibility rules. The page
reads source_list (identifiers, parent) and source_record (track record).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from claims.models import Verdict
from claimtrail.exceptions import NotFound
from sources.filters import SourceFilter
from sources.models import Source
from sources.record import UNREVIEWED, source_record
from sources.selectors import source_list, source_search

PAGE_SIZE = 25
SEARCH_LIMIT = 20  # choices the picker offers at once; typing more narrows them
QUERY_MAX = 200


@login_required
def source_list_page(request):
    actor = request.user
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "").strip()
    filterset = SourceFilter({"kind": [kind]} if kind else {}, queryset=source_list(actor=actor))
    errors = [] if filterset.is_valid() else [str(e) for e in filterset.errors.get("kind", [])]
    sources = filterset.qs if not errors else source_list(actor=actor).none()
    if q:
        sources = source_search(sources, query=q)
    page = Paginator(sources.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "sources": list(page.object_list),
        "q": q,
        "kind": kind,
        "kinds": Source.Kind.choices,
        "errors": errors,
        "querystring": params.urlencode(),
    }
    template = "sources/source_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context, status=400 if errors else 200)


@login_required
def source_detail_page(request, public_id):
    actor = request.user
    try:
        record = source_record(public_id=public_id, actor=actor)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    # Its identifiers and parent as the list shows them (the record has the appearances).
    source = source_list(actor=actor).get(pk=record.source["id"])
    labels = dict(Verdict.choices) | {UNREVIEWED: "Not reviewed"}
    verdicts = [
        {"value": name, "label": labels[name], "count": count}
        for name, count in record.verdicts.items()
    ]
    context = {"source": source, "record": record, "verdicts": verdicts}
    return render(request, "sources/source_detail.html", context)


@login_required
@require_GET
def source_search_json(request):
    """Sources for a picker (`?q=` text): `{"results": [{"id", "name", "kind",
    "kind_label", "identifiers", "url"}]}`, at most SEARCH_LIMIT, by name.

    The claim list's source filter uses it, and any form choosing a source can. Three
    queries after the session's (roles, sources, their identifiers); none for blank text.
    """
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    if not query:
        return JsonResponse({"results": []})
    found = source_search(source_list(actor=request.user), query=query)
    results = [
        {
            "id": str(source.public_id),
            "name": source.name,
            "kind": source.kind,
            "kind_label": source.get_kind_display(),
            "identifiers": [identifier.value for identifier in source.identifiers.all()],
            "url": reverse("sources:detail", args=[source.public_id]),
        }
        for source in found.order_by("name", "id")[:SEARCH_LIMIT]
    ]
    return JsonResponse({"results": results})
