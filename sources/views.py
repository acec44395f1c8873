"""HTML views for sources: the list `/sources/` and a source's page `/sources/<uuid>/`.

The list reads sources.selectors.source_list with the API's SourceFilter; its one search
box matches names and aliases (the filter's `q`) or, when the text reads as a handle,
domain, channel or URL, an identifier of that spelling (the filter's `identifier`). The
page reads source_list (identifiers, parent) and source_record (track record).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from claims.models import Verdict
from claimtrail.exceptions import NotFound
from claimtrail.lib.normalize import IdentifierError
from sources.filters import SourceFilter
from sources.models import Source
from sources.record import UNREVIEWED, source_record
from sources.selectors import source_filter_by_identifier, source_list

PAGE_SIZE = 25


def _search(sources, q: str):
    """Sources whose name or an alias contains `q`, or with an identifier `q` spells."""
    by_name = SourceFilter({"q": q}, queryset=sources).qs
    try:
        return by_name | source_filter_by_identifier(sources, value=q)
    except IdentifierError:
        return by_name


@login_required
def source_list_page(request):
    actor = request.user
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "").strip()
    filterset = SourceFilter({"kind": [kind]} if kind else {}, queryset=source_list(actor=actor))
    errors = [] if filterset.is_valid() else [str(e) for e in filterset.errors.get("kind", [])]
    sources = filterset.qs if not errors else source_list(actor=actor).none()
    if q:
        sources = _search(sources, q)
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
