"""Web pages for claims (HTML; the API lives in claims/api/)."""

from django.urls import path

from claims.views import appearances, detail, entry, evidence, history, listing, relations, review

app_name = "claims"

urlpatterns = [
    path("", listing.claim_list_page, name="list"),
    path("review/", review.review_queue_page, name="review-queue"),
    path("<uuid:public_id>/", detail.claim_detail_page, name="detail"),
    path("<uuid:public_id>/history/", history.claim_history_page, name="history"),
]

# The analyst's entering and linking flows, and the claim page's live evidence fragment.
urlpatterns += [
    path("new/", entry.claim_new, name="new"),
    path("new/similar/", entry.claim_similar, name="similar"),
    path("suggest/", relations.claim_suggest, name="claim-suggest"),
    path("sources/suggest/", appearances.source_suggest, name="source-suggest"),
    path("<uuid:public_id>/evidence/", detail.evidence_cards_fragment, name="evidence-cards"),
    path("<uuid:public_id>/evidence/new/", evidence.evidence_new, name="evidence-new"),
    path("<uuid:public_id>/appearances/new/", appearances.appearance_new, name="appearance-new"),
    path(
        "<uuid:public_id>/appearances/upstreams/",
        appearances.upstream_suggest,
        name="upstream-suggest",
    ),
    path("<uuid:public_id>/relations/new/", relations.relation_new, name="relation-new"),
]

# The editors' review workspace, review actions and merges.
urlpatterns += [
    path("review/<uuid:public_id>/", review.review_workspace_page, name="review-workspace"),
    path("<uuid:public_id>/review/", review.claim_review_action, name="review"),
    path("<uuid:public_id>/merge/", review.claim_merge_page, name="merge"),
]
