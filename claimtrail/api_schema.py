"""OpenAPI pieces shared by the apps' APIs: the error body and standard error responses."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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


ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each field at fault.",
    401: "Missing or invalid credentials.",
    403: "Not logged in, or lacking the role the action needs (the message names it).",
    404: "No such object, or one the caller may not see.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses=...)` entries for the given error statuses."""
    return {
        status: OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }
