"""URLs of the provenance exports."""

from django.urls import path

from provenance.exports.views import ClaimProvView

urlpatterns = [
    path("claims/<str:public_id>/prov/", ClaimProvView.as_view(), name="claim-prov"),
]
