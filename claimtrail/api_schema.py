"""OpenAPI pieces shared by the apps' APIs: the error body, standard error responses, and the
AutoSchema that documents what every operation can answer and who may call it."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from claimtrail.permissions import READ_ACTIONS, RolePermission


class ErrorSerializer(serializers.Serializer):
    """The one error body every endpoint returns (see claimtrail/api_errors.py)."""

    detail = serializers.CharField(help_text="What went wrong, for a person to act on.")
    code = serializers.CharField(
        help_text="Machine-readable reason, e.g. invalid, not_found, permission_denied."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; empty when the error is not about a field.",
    )

    class Meta:
        ref_name = "Error"


# DRF's CharField refuses NUL characters and, unless blank is allowed, text that is only
# whitespace (it trims first): said as patterns, so that clients and fuzzers know. Where
# blank is allowed drf-spectacular adds "" as a oneOf alternative, so the pattern must not
# match "" itself.
TEXT_PATTERN = "^[^\\u0000]+$"
NON_BLANK_TEXT_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
# `2023`, `2023-05`, `2023-05-03` or an ISO 8601 date-time (claimtrail.lib.dates.parse_partial).
PARTIAL_DATE_PATTERN = (
    "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})(-(0[1-9]|1[0-2])"
    "(-(0[1-9]|[12][0-9]|3[01])"
    "([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?"
    "(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?)?)?)?$"
)

ERROR_DESCRIPTIONS = {
    400: (
        "Invalid input: `fields` names each field at fault. An id in the body that names "
        "nothing the caller can see is a 400 too, with code `unknown_reference`."
    ),
    401: "Missing or invalid credentials.",
    403: (
        "Lacking the role the action needs (the message names it), or a session request "
        "without its CSRF token."
    ),
    404: "No such object, or one the caller may not see.",
    413: "The request body is larger than the server accepts.",
    415: "The request body is in a media type this operation does not take.",
    429: "Too many requests; see Retry-After.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses=...)` entries for the given error statuses."""
    return {
        status: OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, told the rules of claimtrail.permissions.RolePermission
    and of the error handler, so that generated clients know every answer they can get:

    - reads that need no role (published data) list `{}` among their security options;
    - each operation documents the errors it can answer, in the one error body: 401 where
      credentials are read (a bad token), 403 where a role is needed, 404 for an object in
      the path or a stale list cursor, 400, 413 and 415 for a request body, 400 for filters,
      429 where requests are throttled. Errors an `extend_schema` names keep its wording;
    - request bodies are documented as JSON (see map_parsers);
    - text inputs say, as patterns, that NUL characters and blank-after-trimming are refused.
    """

    def _is_public_read(self) -> bool:
        action = getattr(self.view, "action", None)
        required = getattr(self.view, "required_roles", {}).get(action)
        return required is None and (self.method in SAFE_METHODS or action in READ_ACTIONS)

    def get_auth(self) -> list[dict]:
        auths = super().get_auth()
        if auths and {} not in auths and self._is_public_read():
            auths.append({})
        return auths

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and type(field) is serializers.CharField:
            blank_ok = field.allow_blank or not field.trim_whitespace
            schema.setdefault("pattern", TEXT_PATTERN if blank_ok else NON_BLANK_TEXT_PATTERN)
        return schema

    def map_parsers(self) -> list[str]:
        """JSON is the documented request format. The views also parse forms (the browsable
        API's), but the same body under three media types makes generated clients send only
        the last; operations that need another (multipart uploads) name their media types."""
        media_types = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    def _error_statuses(self, operation: dict) -> set[int]:
        statuses: set[int] = set()
        is_list = self._is_list_view() and self.method == "GET"
        if self.view.get_authenticators():
            statuses.add(401)
        role_checked = any(isinstance(p, RolePermission) for p in self.view.get_permissions())
        if role_checked and not self._is_public_read():
            statuses.add(403)
        if "{" in self.path or (is_list and self._get_paginator() is not None):
            statuses.add(404)
        if "requestBody" in operation:
            statuses |= {400, 413, 415}
        if is_list and any(p.get("in") == "query" for p in operation.get("parameters", [])):
            statuses.add(400)
        if self.view.get_throttles():
            statuses.add(429)
        return statuses

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in sorted(self._error_statuses(operation)):
            if str(status) not in responses:
                (entry,) = error_responses(status).values()
                responses[str(status)] = self._get_response_for_code(entry, str(status))
        operation["responses"] = dict(sorted(responses.items()))
        return operation
