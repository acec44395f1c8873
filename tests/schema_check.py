"""Check a response body against the OpenAPI schema drf-spectacular generates.

Strict: an object may hold only the properties the schema names, so a payload built as
plain dicts cannot drift from the serializers that document it.
"""

import json

import jsonschema
from drf_spectacular.generators import SchemaGenerator

_SCHEMA = None


def openapi_schema() -> dict:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
        # Through JSON: lazy strings and enums become plain values.
        _SCHEMA = json.loads(json.dumps(_SCHEMA, default=str))
    return _SCHEMA


def _strict(node):
    """OpenAPI 3.0 to JSON Schema: `nullable` as a null alternative, closed objects."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def assert_matches_schema(body, *, path: str, method: str = "get", status: int = 200) -> None:
    schema = openapi_schema()
    response = schema["paths"][path][method]["responses"][str(status)]
    wanted = response["content"]["application/json"]["schema"]
    document = {**_strict(wanted), "components": _strict(schema["components"])}
    jsonschema.validate(json.loads(json.dumps(body)), document)
