"""The claim list page. PLACEHOLDER: ui1 replaces it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def claim_list_page(request):
    return render(request, "claims/claim_list.html", {})
