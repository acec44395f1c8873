"""DRF's EXCEPTION_HANDLER: every error leaves the API in one body shape.

`{"detail": "...", "code": "...", "fields": {"field": ["message", ...]}}`
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    SuspiciousMultipartForm,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claimtrail.exceptions import DomainError


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _fields_from_drf(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return {}


def _summary(fields: dict, fallback: str) -> str:
    if not fields:
        return fallback
    first_field, messages = next(iter(fields.items()))
    message = messages[0] if messages else fallback
    if first_field in (NON_FIELD_ERRORS, "non_field_errors"):
        return message
    return f"{first_field}: {message}"


def error_response(*, status: int, detail: str, code: str, fields: dict | None = None) -> Response:
    return Response({"detail": detail, "code": code, "fields": fields or {}}, status=status)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def body_too_big_message() -> str:
    """What a client sending a body over DATA_UPLOAD_MAX_MEMORY_SIZE reads."""
    return (
        f"The request body is over {_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}, the limit "
        "for JSON and form fields. Send files as multipart uploads (up to "
        f"{_megabytes(settings.UPLOAD_MAX_BYTES)})."
    )


def exception_handler(exc, context):
    if isinstance(exc, SuspiciousOperation):
        # Logged where Django's own handler would log it.
        logging.getLogger(f"django.security.{type(exc).__name__}").warning(str(exc))
        if isinstance(exc, RequestDataTooBig):
            return error_response(status=413, detail=body_too_big_message(), code="too_large")
        # Only messages about the request's own form are shown; others may name server paths.
        shown = isinstance(exc, TooManyFieldsSent | TooManyFilesSent | SuspiciousMultipartForm)
        detail = f"Bad request: {exc}" if shown else "Bad request."
        return error_response(status=400, detail=detail, code="bad_request")
    if isinstance(exc, DomainError):
        return error_response(
            status=exc.status_code, detail=exc.message, code=exc.code, fields=exc.fields
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {
                ("non_field_errors" if k == NON_FIELD_ERRORS else k): [str(m) for m in v]
                for k, v in exc.message_dict.items()
            }
        else:
            fields = {"non_field_errors": [str(m) for m in exc.messages]}
        return error_response(
            status=400, detail=_summary(fields, "Invalid input."), code="invalid", fields=fields
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf.ValidationError):
        fields = _fields_from_drf(exc.detail)
        if not fields:
            fields = {"non_field_errors": _flatten(exc.detail)}
        detail = _summary(fields, "Invalid input.")
        code = "invalid"
    else:
        fields = {}
        detail = str(exc.detail) if hasattr(exc, "detail") else str(exc)
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
    response.data = {"detail": detail, "code": code, "fields": fields}
    return response
