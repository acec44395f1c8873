"""Web pages for claims (HTML; the API lives in claims/api/)."""

from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list_page, name="list"),
    path("review/", views.review_queue_page, name="review-queue"),
]
