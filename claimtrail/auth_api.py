"""Token and session login endpoints, under /api/auth/.

`POST /api/auth/token/` trades a username and password for an API token. Both it and the
session login (`/api/auth/login/`, the browsable API's) share the failed-login limiter in
claimtrail.login_throttle; the token endpoint also has DRF's "auth" scoped rate.
"""

from collections.abc import Mapping

from django.contrib.auth.views import LoginView, LogoutView
from django.urls import include, path
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from claimtrail.api_schema import ErrorSerializer
from claimtrail.login_throttle import (
    client_ip,
    login_retry_after,
    login_success_record,
    throttled_login,
)


class LoginThrottled(Throttled):
    default_detail = "Too many failed login attempts."
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


class AuthRateThrottle(ScopedRateThrottle):
    """The "auth" scoped rate, keyed on the address the failed-login limiter uses.

    DRF's own get_ident trusts any X-Forwarded-For unless NUM_PROXIES is set, which would
    let a client pick a fresh identity per request.
    """

    def get_ident(self, request) -> str:
        return client_ip(request)


TokenResponse = inline_serializer("TokenResponse", {"token": serializers.CharField()})


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the user's API token."""

    # No authenticators: a stale session cookie must not make this login need a CSRF token.
    authentication_classes = ()
    # DRF's ObtainAuthToken names its own parsers; these are the API's (JSON depth bound).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary="Get an API token",
        description=(
            "Send a username and password (JSON or form); get the user's token, to send as "
            "`Authorization: Token <token>`. The same token is returned until it is revoked. "
            "Repeated failures for one username from one address, or for many usernames "
            "from one address, lock that address out for a while (429 with Retry-After), "
            "even with the right password. Failures from other addresses never lock out "
            "the right password."
        ),
        request=AuthTokenSerializer,
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before trying again.",
            )
        ],
        responses={
            200: TokenResponse,
            400: OpenApiResponse(
                ErrorSerializer, description="Missing fields or wrong username or password."
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed logins or token requests; see Retry-After.",
            ),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, Mapping) else {}
        username = data.get("username")
        wait = login_retry_after(
            ip=client_ip(request), username=username if isinstance(username, str) else None
        )
        if wait:
            raise LoginThrottled(wait=wait)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        login_success_record(ip=client_ip(request), username=user.get_username())
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# The browsable API looks these up as rest_framework:login and rest_framework:logout.
session_urlpatterns = [
    path(
        "login/",
        throttled_login(LoginView.as_view(template_name="rest_framework/login.html")),
        name="login",
    ),
    path("logout/", LogoutView.as_view(), name="logout"),
]

urlpatterns = [
    path("token/", TokenObtainView.as_view(), name="auth-token"),
    path("", include((session_urlpatterns, "rest_framework"))),
]
