"""Web pages for sources (HTML; the API lives in sources/api.py)."""

from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("", views.source_list_page, name="list"),
    path("<uuid:public_id>/", views.source_detail_page, name="detail"),
    path("search.json", views.source_search_json, name="search"),
]
