"""Entering a new claim, warned while typing about similar claims already recorded."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from claims.forms import ClaimCreateForm
from claims.services import claim_create
from claims.views.common import add_domain_error, require_analyst
from claims.views.search import similar_claims
from claimtrail.exceptions import DomainError


@login_required
def claim_similar(request):
    """The similar-claims list for the text typed so far (htmx, debounced)."""
    text = request.GET.get("text", "")
    return render(
        request,
        "claims/partials/similar_claims.html",
        {"similar": similar_claims(actor=request.user, text=text), "text": text},
    )


@login_required
def claim_new(request):
    require_analyst(request.user)
    form = ClaimCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                claim = claim_create(
                    actor=request.user,
                    text=data["text"],
                    summary=data["summary"],
                    tags=data["tags"],
                    first_seen=data["first_seen"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Claim created. Add where it appeared and its evidence.")
                return redirect(reverse("claims:detail", args=[claim.public_id]))
        status = 400
    text = form.data.get("text", "") if form.is_bound else ""
    context = {"form": form, "similar": similar_claims(actor=request.user, text=text), "text": text}
    return render(request, "claims/claim_new.html", context, status=status)
