"""A claim's history page. PLACEHOLDER: ui3 replaces it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from claims.selectors import claim_lookup_for_user


@login_required
def claim_history_page(request, public_id):
    claim = claim_lookup_for_user(public_id=public_id, actor=request.user)
    return render(request, "claims/claim_history.html", {"claim": claim})
