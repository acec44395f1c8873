"""URLs of the claim exports; claimtrail/urls.py puts them before the API router, whose
detail route would otherwise read `claims/export.csv` as claim "export" in csv format."""

from django.urls import path

from claims.exports.views import ClaimCsvExportView, ClaimPackageView, ClaimReviewView

urlpatterns = [
    path("claims/export.csv", ClaimCsvExportView.as_view(), name="claim-export-csv"),
    path(
        "claims/<str:public_id>/claimreview/",
        ClaimReviewView.as_view(),
        name="claim-claimreview",
    ),
    path("claims/<str:public_id>/package/", ClaimPackageView.as_view(), name="claim-package"),
]
