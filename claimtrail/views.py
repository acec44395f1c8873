"""HTML views that belong to no one app: the dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from claimtrail import dashboard as reads
from claimtrail.visibility import sees_unpublished


@login_required
def dashboard(request):
    actor = request.user
    captures = reads.captures_needing_attention(actor=actor)
    context = {
        "sees_unpublished": sees_unpublished(actor),
        "awaiting_review": reads.claims_awaiting_review(actor=actor),
        "recent": reads.claims_recently_changed(actor=actor),
        "captures_in_progress": captures["in_progress"],
        "captures_failed": captures["failed"],
        "verdicts": reads.verdict_counts(actor=actor),
    }
    return render(request, "dashboard.html", context)
