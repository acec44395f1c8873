"""Adding an appearance to a claim: the source picked by search (name, alias or
identifier), suggested from a pasted post or article URL (its handle or domain, read by
the identifier normalizers of claimtrail.lib.normalize), or created inline; what it
derived from picked among this claim's appearances and, by search, other claims'.

The form is a fragment loaded into the claim page by htmx, and a page of its own that
works without JavaScript (submitting with a search typed and nothing picked lists the
matches)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse

from claims.forms import AppearanceForm
from claims.views.common import add_domain_error, claim_or_404, require_analyst
from claimtrail.exceptions import DomainError
from claimtrail.lib.normalize import (
    DOMAIN,
    TELEGRAM,
    X_HANDLE,
    IdentifierError,
    normalize_identifier,
)
from claimtrail.visibility import visible_appearances, visible_sources
from provenance.selectors import appearances_by_public_id
from provenance.services import appearance_create
from sources.selectors import source_filter_by_identifier, source_search, sources_by_public_id
from sources.services import source_create

SUGGESTIONS = 10


def sources_for_url(*, actor, url: str) -> list:
    """Sources with an identifier the URL can be read as (its domain, X handle, Telegram
    channel or the address itself); one query, none for an empty or unreadable URL."""
    if not url.strip():
        return []
    try:
        found = source_filter_by_identifier(visible_sources(actor), value=url)
    except IdentifierError:
        return []
    return list(found.order_by("name", "id")[:SUGGESTIONS])


def identifier_from_url(url: str) -> tuple[str, str] | None:
    """The identifier a post or article URL names its publisher by: the X handle or
    Telegram channel of a post there, else the site's domain; None if it names none."""
    if not url.strip():
        return None
    for kind in (X_HANDLE, TELEGRAM):
        try:
            return kind, normalize_identifier(kind, url)
        except IdentifierError:
            continue
    try:
        domain = normalize_identifier(DOMAIN, url)
    except IdentifierError:
        return None
    social = {"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com", "t.me"}
    return None if domain in social else (DOMAIN, domain)


def sources_matching(*, actor, query: str) -> list:
    """Sources the source search finds for `query` (sources.selectors.source_search: name,
    alias, identifier text or an identifier in any spelling); one query."""
    found = source_search(visible_sources(actor), query=query)
    return list(found.order_by("name", "id")[:SUGGESTIONS])


def _source_context(*, actor, query: str, url: str, chosen: str) -> dict:
    from_url = sources_for_url(actor=actor, url=url)
    matching = [s for s in sources_matching(actor=actor, query=query) if s not in from_url]
    if not chosen and len(from_url) == 1:
        chosen = str(from_url[0].public_id)
    return {
        "from_url": from_url,
        "matching": matching,
        "chosen": chosen,
        "source_query": query,
        "url": url,
        # What a new source would be recorded by, when no known source has it.
        "url_identifier": None if from_url else identifier_from_url(url),
    }


def _upstream_candidates(*, actor, claim, query: str, chosen: list) -> list:
    """This claim's appearances, those of other claims matching `query` (source name,
    quote or claim text), and those already ticked; at most three queries."""
    rows = (
        visible_appearances(actor)
        .select_related("source", "claim")
        .defer("claim__search_document", "claim__search_vector")
    )
    candidates = list(rows.filter(claim=claim).order_by("published_at", "created_at", "id"))
    if query.strip():
        matches = (
            Q(source__name__icontains=query)
            | Q(quote__icontains=query)
            | Q(claim__text__icontains=query)
        )
        candidates += list(
            rows.filter(matches).exclude(claim=claim).order_by("-published_at", "-id")[:SUGGESTIONS]
        )
    missing = set(chosen) - {a.public_id for a in candidates}
    if missing:
        candidates += list(rows.filter(public_id__in=missing))
    return list({a.public_id: a for a in candidates}.values())


@login_required
def source_suggest(request):
    """Radio buttons of the sources for the typed search and pasted URL (htmx)."""
    context = _source_context(
        actor=request.user,
        query=request.GET.get("source_query", ""),
        url=request.GET.get("url", ""),
        chosen=request.GET.get("source", ""),
    )
    return render(request, "claims/partials/source_choices.html", context)


@login_required
def upstream_suggest(request, public_id):
    """Checkboxes of appearances: this claim's, other claims' matching the search, and
    those already ticked (sent along, so a new search keeps them)."""
    claim = claim_or_404(public_id=public_id, user=request.user)
    query = request.GET.get("upstream_query", "")
    ticked = AppearanceForm.base_fields["derived_from"].to_python(
        request.GET.getlist("derived_from")
    )
    context = {
        "candidates": _upstream_candidates(
            actor=request.user, claim=claim, query=query, chosen=ticked
        ),
        "claim": claim,
        "ticked": [str(pk) for pk in ticked],
        "upstream_query": query,
    }
    return render(request, "claims/partials/upstream_choices.html", context)


def _create(form: AppearanceForm, *, claim, actor):
    """Resolve the source (or create it) and the upstreams, then create the appearance;
    one transaction, so a refused appearance leaves no new source behind."""
    data = form.cleaned_data
    upstreams = appearances_by_public_id(public_ids=data["derived_from"], actor=actor)
    unknown = [str(pk) for pk in data["derived_from"] if pk not in upstreams]
    if unknown:
        raise DomainError(
            "No such appearance.", fields={"derived_from": [f"No appearance {', '.join(unknown)}."]}
        )
    moment, precision = data["published"] or (None, "exact")
    with transaction.atomic():
        if data["source"]:
            source = sources_by_public_id(public_ids=[data["source"]], actor=actor).get(
                data["source"]
            )
            if source is None:
                raise DomainError("No such source.", fields={"source": ["No such source."]})
        else:
            guess = identifier_from_url(data["url"]) if data["record_identifier"] else None
            source = source_create(
                actor=actor,
                name=data["new_source_name"],
                kind=data["new_source_kind"],
                identifiers=[guess] if guess else [],
            )
        return appearance_create(
            actor=actor,
            claim=claim,
            source=source,
            stance=data["stance"],
            quote=data["quote"],
            quote_language=data["quote_language"],
            quote_translation=data["quote_translation"],
            url=data["url"],
            published_at=moment,
            published_precision=precision,
            derived_from=[upstreams[pk] for pk in data["derived_from"]],
        )


@login_required
def appearance_new(request, public_id):
    """GET: the form (a fragment for htmx, else a page). POST: create it, then the claim
    page (htmx reloads it through HX-Redirect); errors re-render the form, 400."""
    require_analyst(request.user)
    claim = claim_or_404(public_id=public_id, user=request.user)
    form = AppearanceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                appearance = _create(form, claim=claim, actor=request.user)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Appearance added.")
                page = reverse("claims:detail", args=[claim.public_id])
                if request.htmx:
                    # The page itself, reloaded: with only a #fragment added the browser
                    # would scroll instead of loading the new timeline.
                    response = render(request, "claims/partials/empty.html")
                    response["HX-Redirect"] = page
                    return response
                target = f"{page}#appearance-{appearance.public_id}"
                return redirect(target)
        status = 400
    params = request.POST if request.method == "POST" else request.GET
    ticked = getattr(form, "cleaned_data", {}).get("derived_from") or []
    upstream_query = params.get("upstream_query", "")
    context = {
        "claim": claim,
        "form": form,
        **_source_context(
            actor=request.user,
            query=params.get("source_query", ""),
            url=params.get("url", ""),
            chosen=params.get("source", ""),
        ),
        "candidates": _upstream_candidates(
            actor=request.user, claim=claim, query=upstream_query, chosen=ticked
        ),
        "ticked": [str(pk) for pk in ticked],
        "upstream_query": upstream_query,
    }
    template = (
        "claims/partials/appearance_form.html" if request.htmx else "claims/appearance_new.html"
    )
    return render(request, template, context, status=status)
