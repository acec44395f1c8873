"""The review queue. PLACEHOLDER: ui3 replaces it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def review_queue_page(request):
    return render(request, "claims/review_queue.html", {})
