"""The OpenAPI schema describes the provenance and source endpoints for generated clients."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_evidence_create_takes_json_and_multipart(schema):
    operation = schema["paths"]["/api/evidence/"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    upload = schema["components"]["schemas"]["EvidenceUploadCreateRequest"]
    assert upload["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "The file to preserve.",
    }
    claims = upload["properties"]["claims"]["items"]["oneOf"]
    assert claims[0] == {"type": "string", "format": "uuid"}
    assert claims[1]["properties"]["relation"]["enum"] == ["supports", "refutes", "context"]


@pytest.mark.parametrize("path", ["/api/sources/", "/api/appearances/", "/api/evidence/"])
def test_every_operation_documents_its_errors(schema, path):
    item = f"{path}{{public_id}}/"
    # 401: a bad token; 404 on a list: a stale cursor; 413: a body over the size limit;
    # 415: a body in another media type.
    expected = {
        (path, "get"): {"200", "400", "401", "404"},
        (path, "post"): {"201", "400", "401", "403", "413", "415"},
        (item, "get"): {"200", "401", "404"},
        (item, "put"): {"200", "400", "401", "403", "404", "413", "415"},
        (item, "patch"): {"200", "400", "401", "403", "404", "413", "415"},
        (item, "delete"): {"204", "400", "401", "403", "404"},
    }
    for (route, method), statuses in expected.items():
        responses = schema["paths"][route][method]["responses"]
        assert set(responses) == statuses, (route, method)
        for status in statuses - {"200", "201", "204"}:
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error"


def test_list_filters_are_parameters(schema):
    def names(path):
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    assert {"identifier", "identifier_kind", "q", "kind", "parent", "reliability"} <= names(
        "/api/sources/"
    )
    assert {"claim", "source", "stance", "published_after", "published_before", "language"} <= (
        names("/api/appearances/")
    )
    assert {"claim", "kind", "appearance", "capture_status"} <= names("/api/evidence/")
