"""HTML views for sources: thin, reading through the same selectors as the API."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def source_list_page(request):
    return render(request, "sources/source_list.html", {})
