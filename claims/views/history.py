"""A claim's history page: every recorded change to the claim, its appearances, evidence
links, relations and derivations, and its review events, newest first (claims.history)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.history import history_entries, history_stream
from claims.selectors import claim_lookup_for_user
from claims.views.access import lookup_or_404, require_page_role
from claimtrail.roles import VIEWER

PAGE_SIZE = 50


@login_required
@require_GET
def claim_history_page(request, public_id):
    # The history shows working-copy changes: only readers who see unpublished claims.
    require_page_role(request, VIEWER)
    claim = lookup_or_404(claim_lookup_for_user, public_id=public_id, actor=request.user)
    page = Paginator(history_stream(claim), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = history_entries(claim, list(page.object_list))
    return render(
        request, "claims/claim_history.html", {"claim": claim, "page": page, "entries": entries}
    )
