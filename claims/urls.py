"""Web pages for claims (HTML; the API lives in claims/api/)."""

from django.urls import path

from claims.views import detail, history, listing, review

app_name = "claims"

urlpatterns = [
    path("", listing.claim_list_page, name="list"),
    path("review/", review.review_queue_page, name="review-queue"),
    path("<uuid:public_id>/", detail.claim_detail_page, name="detail"),
    path("<uuid:public_id>/history/", history.claim_history_page, name="history"),
]
urlpatterns += [
    path("review/<uuid:public_id>/", review.review_workspace_page, name="review-workspace"),
    path("<uuid:public_id>/review/", review.claim_review_action, name="review"),
    path("<uuid:public_id>/merge/", review.claim_merge_page, name="merge"),
]
