from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims import api as claims_api
from claims.exports import urls as claim_exports
from claims.views import public
from claimtrail import auth_api, views
from claimtrail.login_throttle import throttled_login
from provenance import api as provenance_api
from provenance.api.graph import ClaimGraphView
from provenance.capture import api as capture_api
from provenance.exports import urls as provenance_exports
from sources import api as sources_api
from sources.record import SourceRecordView

router = DefaultRouter()
for app_api in (claims_api, sources_api, provenance_api, capture_api):
    app_api.register(router)

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/login/", throttled_login(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("claims/", include("claims.urls")),
    path("sources/", include("sources.urls")),
    path("c/<uuid:public_id>/", public.public_claim_page, name="public-claim"),
    path("admin/login/", throttled_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/auth/", include(auth_api.urlpatterns)),
    path("api/", include(capture_api.urlpatterns)),
    path("api/claims/<str:public_id>/graph/", ClaimGraphView.as_view(), name="claim-graph"),
    path("api/sources/<str:public_id>/record/", SourceRecordView.as_view(), name="source-record"),
    path("api/", include(claim_exports.urlpatterns)),
    path("api/", include(provenance_exports.urlpatterns)),
    path("api/", include(router.urls)),
]
