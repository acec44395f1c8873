"""The OpenAPI document is valid, and tests/schema_check.py holds responses to it."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests import schema_check
from tests.factories import ClaimFactory

DOCUMENT = {
    "openapi": "3.0.3",
    "paths": {
        "/api/things/": {
            "get": {
                "operationId": "things_list",
                "security": [{"tokenAuth": []}, {}],
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Thing"},
                                }
                            }
                        }
                    }
                },
            },
            "post": {
                "operationId": "things_create",
                "security": [{"tokenAuth": []}],
                "responses": {"201": {"content": {"application/json": {"schema": {}}}}},
            },
        },
        "/api/things/{id}/": {
            "delete": {"operationId": "things_destroy", "responses": {"204": {}}},
        },
        "/api/things/{id}/file/": {
            "get": {
                "operationId": "things_file",
                "responses": {"200": {"content": {"image/png": {"schema": {}}}}},
            },
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["name", "verdict"],
                "properties": {
                    "name": {"type": "string", "nullable": True},
                    "verdict": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/VerdictEnum"},
                            {"$ref": "#/components/schemas/BlankEnum"},
                        ]
                    },
                },
            },
            "VerdictEnum": {"type": "string", "enum": ["supported", "refuted"]},
            "BlankEnum": {"enum": [""]},
        }
    },
}


def _check(method="GET", path="/api/things/", status=200, body=None, anonymous=False, **kw):
    content = json.dumps(body).encode() if body is not None else b""
    schema_check.ResponseChecker(DOCUMENT).check(
        method=method,
        path=path,
        status=status,
        content_type=kw.get("content_type", "application/json"),
        body=content,
        anonymous=anonymous,
    )


def test_a_documented_response_passes():
    _check(body=[{"name": None, "verdict": ""}, {"name": "a", "verdict": "refuted"}])
    _check(method="DELETE", path="/api/things/42/", status=204)
    _check(path="/api/things/42/file/", content_type="image/png", body=None)


def test_a_value_outside_the_enum_names_operation_status_and_json_path():
    with pytest.raises(schema_check.SchemaMismatch) as caught:
        _check(body=[{"name": "a", "verdict": "refuted"}, {"name": "b", "verdict": "maybe"}])
    message = str(caught.value)
    assert "things_list (GET /api/things/) → 200" in message
    assert "$[1].verdict" in message


def test_a_null_where_the_schema_has_no_nullable_fails():
    with pytest.raises(schema_check.SchemaMismatch, match=r"\$\[0\]\.verdict"):
        _check(body=[{"name": "a", "verdict": None}])


def test_a_property_the_schema_does_not_name_fails():
    with pytest.raises(schema_check.SchemaMismatch, match="'extra' was unexpected"):
        _check(body=[{"name": "a", "verdict": "", "extra": 1}])


def test_an_undocumented_status_fails():
    with pytest.raises(schema_check.SchemaMismatch, match=r"→ 404: status not documented"):
        _check(status=404, body={"detail": "Not found."})


def test_an_undocumented_content_type_fails():
    with pytest.raises(schema_check.SchemaMismatch, match="content type text/html"):
        _check(path="/api/things/1/file/", content_type="text/html", body=None)


def test_an_anonymous_success_needs_a_security_option_without_auth():
    _check(anonymous=True, body=[])
    with pytest.raises(schema_check.SchemaMismatch, match="without credentials"):
        _check(method="POST", status=201, anonymous=True, body={})


def test_an_unknown_path_fails_and_an_unknown_method_must_be_405():
    with pytest.raises(schema_check.SchemaMismatch, match="no such path"):
        _check(path="/api/nothing/", body={})
    _check(method="PUT", status=405, body={})
    with pytest.raises(schema_check.SchemaMismatch, match="only a 405"):
        _check(method="PUT", status=200, body={})


@pytest.mark.django_db
def test_the_test_client_is_checked(editor_client, monkeypatch):
    """The autouse fixture is live: a response the schema forbids fails the request."""
    claim = ClaimFactory()
    monkeypatch.setattr(
        "claims.api.views.claim_detail", lambda detail: {"id": str(claim.public_id)}
    )
    with pytest.raises(schema_check.SchemaMismatch, match=r"at \$: 'appearances' is a required"):
        editor_client.get(f"/api/claims/{claim.public_id}/")


@pytest.mark.django_db
@pytest.mark.schema_unchecked("shows the opt-out")
def test_the_opt_out_marker_skips_the_check(editor_client, monkeypatch):
    claim = ClaimFactory()
    monkeypatch.setattr("claims.api.views.claim_detail", lambda detail: {})
    assert editor_client.get(f"/api/claims/{claim.public_id}/").json() == {}


def test_spectacular_validates_without_warnings(tmp_path):
    out = StringIO()
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=out,
        stderr=out,
    )
    assert (tmp_path / "schema.yaml").stat().st_size > 0


# --- The real document ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document():
    return schema_check.generate_document()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_public_reads_need_no_credentials_and_writes_do(document):
    for path, method, operation in _operations(document):
        security = operation.get("security", [])
        if path == "/api/auth/token/":
            assert security == [], (path, method)
        elif method == "get":
            assert security == [{"tokenAuth": []}, {"cookieAuth": []}, {}], (path, method)
        else:
            assert {} not in security and security, (path, method)


def test_every_operation_documents_bad_credentials_and_writes_their_role(document):
    for path, method, operation in _operations(document):
        responses = set(operation["responses"])
        if path == "/api/auth/token/":
            assert responses == {"200", "400", "413", "415", "429"}
            continue
        assert "401" in responses, (path, method)
        assert ("403" in responses) == (method != "get"), (path, method)
        if "{" in path:  # an object in the path: missing or hidden
            assert "404" in responses, (path, method)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= responses, (path, method)


def test_request_bodies_are_json_except_the_evidence_upload(document):
    for path, method, operation in _operations(document):
        content = set(operation.get("requestBody", {}).get("content", {}))
        if (path, method) == ("/api/evidence/", "post"):
            assert content == {"application/json", "multipart/form-data"}
        else:
            assert content <= {"application/json"}, (path, method)


def test_unreviewed_verdicts_are_blank_members_of_the_schema(document):
    schemas = document["components"]["schemas"]
    for component, field in [
        ("ClaimList", "verdict"),
        ("ClaimDetail", "verdict"),
        ("ReviewEvent", "from_verdict"),
        ("ReviewEvent", "to_verdict"),
    ]:
        options = schemas[component]["properties"][field]["oneOf"]
        assert {"$ref": "#/components/schemas/BlankEnum"} in options, component
    assert schemas["BlankEnum"]["enum"] == [""]


def test_capture_change_fields_are_nullable(document):
    properties = document["components"]["schemas"]["Capture"]["properties"]
    assert properties["change"]["nullable"] is True
    assert properties["changed_from"]["nullable"] is True


def test_pagination_envelope_always_has_next_and_previous(document):
    page = document["components"]["schemas"]["PaginatedClaimListList"]
    assert page["required"] == ["next", "previous", "results"]
    assert page["properties"]["next"]["nullable"] is True


def test_evidence_json_create_requires_a_url(document):
    link = document["components"]["schemas"]["EvidenceLinkCreateRequest"]
    upload = document["components"]["schemas"]["EvidenceUploadCreateRequest"]
    assert "url" in link["required"]
    assert "file" in upload["required"]
    description = document["paths"]["/api/evidence/"]["post"]["description"]
    assert "Send exactly one of `url`" in description
