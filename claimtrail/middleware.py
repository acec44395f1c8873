"""Under /api/, errors that Django answers itself come out in the API's one JSON shape.

DRF views render their own errors (claimtrail/api_errors.py). What fails before or outside
them — an unknown path, a CSRF failure, an unhandled exception, Django's debug pages —
would be an HTML page; under /api/ it becomes `{"detail", "code", "fields"}` instead, with
the same status. Pages elsewhere are left alone.
"""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import csrf
from rest_framework.response import Response

from claimtrail.api_errors import body_too_big_message

API_PREFIX = "/api/"
# Headers of the replaced page that still tell the client what to do.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def api_error(*, status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, "fields": {}}, status=status)


def _default_error(request: HttpRequest, status: int) -> tuple[str, str]:
    """The detail and code for a status Django answered with a page."""
    if status == HTTPStatus.NOT_FOUND:
        return (
            f"No API endpoint at {request.path}. /api/ lists the endpoints; /api/docs/ "
            "documents them.",
            "not_found",
        )
    if status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        return body_too_big_message(), "too_large"
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return "Server error; it has been logged.", "server_error"
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return f"{phrase}.", phrase.lower().replace(" ", "_").replace("-", "_")


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


class ApiJsonErrorsMiddleware:
    """Replaces error pages under /api/ by JSON errors; place it before CommonMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api_path(request.path)
            or isinstance(response, Response)  # DRF: rendered as the client negotiated
            or _is_json(response)
        ):
            return response
        detail, code = _default_error(request, response.status_code)
        replaced = api_error(status=response.status_code, detail=detail, code=code)
        for header in _KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a JSON 403 naming the reason under /api/, Django's page elsewhere."""
    if not is_api_path(request.path):
        return csrf.csrf_failure(request, reason=reason)
    return api_error(
        status=403,
        detail=f"CSRF verification failed: {reason} Send the CSRF token, or use a token "
        "(Authorization: Token …) instead of the session.",
        code="csrf_failed",
    )
