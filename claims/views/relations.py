"""Relating claims: the search that lists candidates, and the form (a fragment of the
claim page, or a page of its own without JavaScript)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from claims.detail import claim_detail_for_user
from claims.forms import RelationForm
from claims.selectors import claim_lookup_for_user
from claims.services import claim_relation_create
from claims.views.common import add_domain_error, claim_or_404, require_analyst
from claims.views.search import claim_matches
from claimtrail.exceptions import DomainError, NotFound


@login_required
def claim_suggest(request):
    """Radio buttons of the claims matching `claim_query` (htmx, while typing)."""
    query = request.GET.get("claim_query", "")
    found = claim_matches(
        actor=request.user, query=query, exclude=request.GET.get("exclude") or None
    )
    return render(
        request,
        "claims/partials/claim_choices.html",
        {"claim_choices": found, "claim_query": query},
    )


@login_required
def relation_new(request, public_id):
    require_analyst(request.user)
    claim = claim_or_404(public_id=public_id, user=request.user)
    query = request.POST.get("claim_query", request.GET.get("claim_query", "")).strip()
    form = RelationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                other = claim_lookup_for_user(
                    public_id=form.cleaned_data["other"], actor=request.user
                )
                claim_relation_create(
                    actor=request.user,
                    from_claim=claim,
                    to_claim=other,
                    kind=form.cleaned_data["kind"],
                )
            except NotFound:
                form.add_error("other", "No such claim.")
            except DomainError as exc:
                add_domain_error(form, exc)
        if not form.errors:
            if request.htmx:
                return _section(request, claim, RelationForm(), status=200)
            messages.success(request, "The claims are related.")
            return redirect(reverse("claims:detail", args=[claim.public_id]) + "#related-section")
        status = 400
        if request.htmx:
            return _section(request, claim, form, status=status, query=query)
    context = {
        "claim": claim,
        "form": form,
        "claim_query": query,
        "claim_choices": claim_matches(actor=request.user, query=query, exclude=claim.public_id),
        "chosen": request.POST.get("other", ""),
    }
    return render(request, "claims/relation_new.html", context, status=status)


def _section(request, claim, form, *, status: int, query: str = ""):
    detail = claim_detail_for_user(public_id=claim.public_id, actor=request.user)
    context = {
        "claim": claim,
        "detail": detail,
        "can_write": True,
        "relation_form": form,
        "claim_query": query,
        "claim_choices": claim_matches(actor=request.user, query=query, exclude=claim.public_id),
        "chosen": request.POST.get("other", ""),
    }
    return render(request, "claims/partials/related_section.html", context, status=status)
