"""HTML views for sources. PLACEHOLDER: ui1 replaces it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def source_list_page(request):
    return render(request, "sources/source_list.html", {})


@login_required
def source_detail_page(request, public_id):
    """PLACEHOLDER: ui1 replaces it."""
    return render(request, "sources/source_detail.html", {"public_id": public_id})
