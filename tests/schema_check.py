"""Every API response the tests receive is checked against the OpenAPI schema.

Like Zulip's `validate_against_openapi_schema` in its test client: the schema served at
`/api/schema/` is generated once per session, and each response of the Django test client
(and DRF's APIClient, a subclass) to a path under `/api/` must be one the schema documents:

- the path and method are an operation of the schema (else the status must be 405);
- the status is one of that operation's documented responses;
- a JSON body validates against that response's schema, where objects may carry no
  property the schema does not name (the schema is a contract: nothing hidden, nothing
  missing); a download's content type is one the operation documents;
- a 2xx answer to a request without credentials comes from an operation whose `security`
  allows no authentication (`{}`).

A failure names the operation, the status and the JSON path of the first offending value.
Tests that deliberately send requests the schema cannot describe opt out with
`@pytest.mark.schema_unchecked("why")`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.conf import settings

# Served or browsed, not operations of the API.
PROJECT_URLCONF = "claimtrail.urls"  # settings.ROOT_URLCONF, unless a test overrides it
UNCHECKED_PREFIXES = ("/api/schema/", "/api/docs/", "/api/auth/login/", "/api/auth/logout/")
JSON_TYPES = ("application/json",)


class SchemaMismatch(AssertionError):
    """A response the schema does not describe."""


# --- OpenAPI 3.0 schema objects as JSON Schema ----------------------------------------------


def _json_schema(node: Any, *, strict: bool) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema (2020-12): `nullable` becomes a "null" type
    or alternative; with `strict`, an object listing its properties allows no others."""
    if isinstance(node, list):
        return [_json_schema(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value, strict=strict) for key, value in node.items()}
    for bound in ("minimum", "maximum"):
        exclusive = f"exclusive{bound.capitalize()}"
        if isinstance(out.get(exclusive), bool) and out.pop(exclusive):
            out[exclusive] = out.pop(bound)
    if strict and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if out.pop("nullable", False):
        if "type" in out and not any(k in out for k in ("allOf", "oneOf", "anyOf", "$ref")):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    spec: dict

    @property
    def name(self) -> str:
        return f"{self.spec.get('operationId', '?')} ({self.method.upper()} {self.path})"


class ResponseChecker:
    """Checks responses against one OpenAPI document (a dict, as /api/schema/ serves it)."""

    def __init__(self, document: dict):
        self.document = document
        self.components = _json_schema(document.get("components", {}), strict=True)
        # Literal segments beat parameters: /api/claims/{id}/review/ before /{a}/{b}/.
        self.routes = sorted(
            ((self._pattern(path), path, item) for path, item in document["paths"].items()),
            key=lambda route: route[1].count("{"),
        )
        self._validators: dict[tuple[str, str, str, str], jsonschema.Validator] = {}

    @staticmethod
    def _pattern(path: str) -> re.Pattern:
        parts = re.split(r"(\{[^}]+\})", path)
        regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        return re.compile(f"^{regex}$")

    def route(self, path: str) -> tuple[str, dict] | None:
        for pattern, template, item in self.routes:
            if pattern.match(path):
                return template, item
        return None

    def _validator(self, operation: Operation, status: str, media: str) -> jsonschema.Validator:
        key = (operation.path, operation.method, status, media)
        if key not in self._validators:
            raw = operation.spec["responses"][status]["content"][media]["schema"]
            schema = {**_json_schema(raw, strict=True), "components": self.components}
            self._validators[key] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
        return self._validators[key]

    def check(
        self,
        *,
        method: str,
        path: str,
        status: int,
        content_type: str,
        body: bytes | None,
        anonymous: bool,
    ) -> None:
        """Raise SchemaMismatch unless the schema documents this response."""
        method = method.lower()
        found = self.route(path)
        if found is None:
            raise SchemaMismatch(f"{method.upper()} {path} → {status}: no such path in the schema")
        template, item = found
        if method not in item:
            if status == 405:
                return
            raise SchemaMismatch(
                f"{method.upper()} {template} → {status}: the schema has no {method.upper()} "
                f"operation here, so only a 405 is expected"
            )
        operation = Operation(template, method, item[method])
        responses = operation.spec.get("responses", {})
        code = str(status)
        if code not in responses:
            raise SchemaMismatch(
                f"{operation.name} → {status}: status not documented "
                f"(documented: {', '.join(sorted(responses))})"
            )
        if anonymous and 200 <= status < 300:
            security = operation.spec.get("security", self.document.get("security", []))
            if security and {} not in security:
                raise SchemaMismatch(
                    f"{operation.name} → {status} without credentials, but its security "
                    f"requires authentication ({security})"
                )
        content = responses[code].get("content", {})
        media = content_type.split(";")[0].strip().lower()
        if not content:
            if body:
                raise SchemaMismatch(
                    f"{operation.name} → {status}: documented without a body, got {media} "
                    f"({len(body)} bytes)"
                )
            return
        if media not in content and not ("*/*" in content or "application/*" in content):
            raise SchemaMismatch(
                f"{operation.name} → {status}: content type {media or '(none)'} not documented "
                f"(documented: {', '.join(sorted(content))})"
            )
        if media not in JSON_TYPES or body is None:
            return
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise SchemaMismatch(f"{operation.name} → {status}: body is not JSON: {exc}") from exc
        errors = sorted(
            self._validator(operation, code, media).iter_errors(data),
            key=lambda e: (len(list(e.absolute_path)), e.json_path),
        )
        if errors:
            lines = [f"{operation.name} → {status}: the body does not match the schema"]
            lines += [f"  at {error.json_path}: {_short(error)}" for error in errors[:5]]
            if len(errors) > 5:
                lines.append(f"  … and {len(errors) - 5} more")
            raise SchemaMismatch("\n".join(lines))


def _short(error: jsonschema.ValidationError) -> str:
    message = error.message
    return message if len(message) < 300 else message[:300] + "…"


# --- Generating the document ------------------------------------------------------------------


def generate_document() -> dict:
    """The document /api/schema/ serves, as JSON (drf-spectacular's generator, public)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    # The project's URLs, whatever the test that first asks has mounted: a module with
    # pytest.mark.urls (test_api_captures mounts only the capture API) must not leave a
    # partial document for the rest of the session.
    schema = SchemaGenerator(urlconf=PROJECT_URLCONF).get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


# --- Hooking the Django test client ----------------------------------------------------------


def is_checked_path(path: str) -> bool:
    return path.startswith("/api/") and not path.startswith(UNCHECKED_PREFIXES)


def _anonymous(client, request: dict) -> bool:
    handler = getattr(client, "handler", None)
    if getattr(handler, "_force_user", None) is not None:
        return False
    if getattr(handler, "_force_token", None) is not None:
        return False
    if request.get("HTTP_AUTHORIZATION"):
        return False
    return settings.SESSION_COOKIE_NAME not in client.cookies


def response_body(response) -> bytes | None:
    """The body of a non-streaming response; None for a file or other stream."""
    if getattr(response, "streaming", False):
        return None
    return response.content


def check_client_response(get_checker, client, request: dict, response) -> None:
    path = request.get("PATH_INFO", "")
    method = request.get("REQUEST_METHOD", "GET")
    if not is_checked_path(path) or method in ("OPTIONS", "HEAD"):
        return
    get_checker().check(
        method=method,
        path=path,
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response_body(response),
        anonymous=_anonymous(client, request),
    )


@functools.cache
def session_checker() -> ResponseChecker:
    """The checker for the document of this test session, made at its first use."""
    return ResponseChecker(generate_document())


def install(monkeypatch, get_checker: Callable[[], ResponseChecker]) -> None:
    """Check every response of django.test.Client (and APIClient) for this test."""
    from django.test.client import Client

    original = Client.request

    def request(self, **request_env):
        response = original(self, **request_env)
        check_client_response(get_checker, self, response.request, response)
        return response

    monkeypatch.setattr(Client, "request", request)


# --- Explicit checks of one body (for responses that do not pass through a test client) ------


def openapi_schema() -> dict:
    """The session's OpenAPI document."""
    return session_checker().document


def assert_matches_schema(body, *, path: str, method: str = "get", status: int = 200) -> None:
    """`body` is what the schema documents for `method path` answering `status` (strict)."""
    schema = openapi_schema()
    response = schema["paths"][path][method]["responses"][str(status)]
    wanted = response["content"]["application/json"]["schema"]
    document = {
        **_json_schema(wanted, strict=True),
        "components": _json_schema(schema["components"], strict=True),
    }
    jsonschema.validate(json.loads(json.dumps(body)), document)
