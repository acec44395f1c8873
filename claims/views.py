"""HTML views for claims: thin, reading through the same selectors as the API."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def claim_list_page(request):
    return render(request, "claims/claim_list.html", {})


@login_required
def review_queue_page(request):
    return render(request, "claims/review_queue.html", {})
