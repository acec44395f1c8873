"""GET /api/claims/export.csv: the claim list's filters and visibility, streamed as CSV."""

import csv
import io

import pytest

from claims.exports import claim_csv
from claims.services import claim_review, claim_update
from tests.factories import ClaimFactory, PublishedClaimFactory
from tests.schema_check import assert_matches_schema, openapi_schema

pytestmark = pytest.mark.django_db

URL = "/api/claims/export.csv"


def _rows(response) -> list[dict]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _utc(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def test_anonymous_gets_published_claims_only(anon_client):
    published = PublishedClaimFactory(text="Published claim", verdict="refuted")
    ClaimFactory(text="Draft claim")

    response = anon_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    rows = _rows(response)
    assert [row["text"] for row in rows] == ["Published claim"]
    assert rows[0]["id"] == str(published.public_id)
    assert rows[0]["verdict"] == "refuted"
    assert rows[0]["review_state"] == "published"


def test_anonymous_rows_are_as_last_published(anon_client, viewer_client, editor):
    claim = PublishedClaimFactory(actor=editor, text="As published", tags=["drone"])
    claim_update(claim=claim, actor=editor, text="Edited since", tags=["edited"])

    (public,) = _rows(anon_client.get(URL))
    (working,) = _rows(viewer_client.get(URL))
    searched = _rows(anon_client.get(URL, {"q": "edited"}))

    assert (public["text"], public["tags"]) == ("As published", "drone")
    assert (working["text"], working["tags"]) == ("Edited since", "edited")
    assert public["published_revision"] == working["published_revision"] == "1"
    assert len(public["published_sha256"]) == 64
    assert working["changed_since_publication"] == "true"
    assert searched == []


def test_viewer_gets_every_claim_newest_first(viewer_client):
    PublishedClaimFactory(text="Published claim")
    ClaimFactory(text="Draft claim")

    rows = _rows(viewer_client.get(URL))

    assert [row["text"] for row in rows] == ["Draft claim", "Published claim"]


def test_columns_and_values(viewer_client, editor, settings):
    settings.SITE_URL = "https://claims.example.org/"
    claim = ClaimFactory(
        actor=editor,
        text="Drones over the Kremlin",
        summary="Two drones",
        tags=["kremlin", "drone"],
    )
    claim_review(claim=claim, actor=editor, to_state="in_review", verdict="disputed", credibility=4)

    (row,) = _rows(viewer_client.get(URL))

    assert list(row) == list(claim_csv.COLUMNS)
    claim.refresh_from_db()
    assert row == {
        "id": str(claim.public_id),
        "url": f"https://claims.example.org/api/claims/{claim.public_id}/",
        "text": "Drones over the Kremlin",
        "summary": "Two drones",
        "tags": "drone;kremlin",
        "first_seen": "",
        "verdict": "disputed",
        "credibility": "4",
        "review_state": "in_review",
        "created_by": editor.username,
        "created_at": _utc(claim.created_at),
        "updated_at": _utc(claim.updated_at),
        "reviewed_at": _utc(claim.reviewed_at),
        "appearance_count": "0",
        "evidence_count": "0",
        "published_revision": "",
        "published_sha256": "",
        "changed_since_publication": "false",
    }


def test_formula_cells_are_escaped_and_text_kept_whole(viewer_client):
    ClaimFactory(text='=HYPERLINK("http://evil")', summary='Quotes "here", commas\nand lines')

    (row,) = _rows(viewer_client.get(URL))

    assert row["text"] == '\'=HYPERLINK("http://evil")'
    assert row["summary"] == 'Quotes "here", commas\nand lines'


def test_list_filters_and_ordering_apply(viewer_client):
    PublishedClaimFactory(text="Refuted one", verdict="refuted", tags=["drone"])
    PublishedClaimFactory(text="Refuted two", verdict="refuted")
    PublishedClaimFactory(text="Supported", verdict="supported", tags=["drone"])

    by_verdict = _rows(viewer_client.get(URL, {"verdict": "refuted", "ordering": "created_at"}))
    by_tag = _rows(viewer_client.get(URL, {"tag": "drone", "verdict": "refuted"}))
    by_text = _rows(viewer_client.get(URL, {"q": "supported"}))

    assert [row["text"] for row in by_verdict] == ["Refuted one", "Refuted two"]
    assert [row["text"] for row in by_tag] == ["Refuted one"]
    assert [row["text"] for row in by_text] == ["Supported"]


def test_invalid_filter_is_a_400_before_any_csv(viewer_client):
    response = viewer_client.get(URL, {"verdict": "maybe"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "verdict": ["Select a valid choice. maybe is not one of the available choices."]
    }
    assert_matches_schema(body, path=URL, status=400)


def test_schema_documents_the_list_filters_and_csv():
    operation = openapi_schema()["paths"][URL]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}

    assert {"q", "verdict", "review_state", "tag", "source", "stance", "ordering"} <= names
    assert set(operation["responses"]["200"]["content"]) == {"text/csv"}


def test_invalid_ordering_is_a_400(viewer_client):
    response = viewer_client.get(URL, {"ordering": "text"})

    assert response.status_code == 400
    assert response.json()["fields"]["ordering"][0].startswith("Use one of created_at")


def test_accept_text_csv_and_unknown_format(viewer_client):
    ClaimFactory(text="A claim")

    accepted = viewer_client.get(URL, HTTP_ACCEPT="text/csv")
    unknown = viewer_client.get(URL, {"format": "xlsx"})

    assert accepted.status_code == 200
    assert [row["text"] for row in _rows(accepted)] == ["A claim"]
    assert unknown.status_code == 400
    assert unknown.json() == {
        "detail": "Unknown format “xlsx”: use one of csv.",
        "code": "unknown_format",
        "fields": {"format": ["Unknown format “xlsx”: use one of csv."]},
    }


def test_chunks_join_into_one_table(viewer_client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(claim_csv, "CHUNK_SIZE", 2)
    for n in range(5):
        ClaimFactory(text=f"Claim {n}", tags=[f"tag-{n}"])

    # The viewer's roles, the rows, then the tags of each of the three chunks.
    with django_assert_max_num_queries(5):
        rows = _rows(viewer_client.get(URL, {"ordering": "created_at"}))

    assert [(row["text"], row["tags"]) for row in rows] == [
        (f"Claim {n}", f"tag-{n}") for n in range(5)
    ]


@pytest.mark.parametrize("size", [5, 500])
def test_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, size):
    for n in range(size):
        ClaimFactory(actor=editor, tags=["drone", f"tag-{n % 7}"])

    # The viewer's roles, the rows (one server-side cursor), their tags (one chunk).
    with django_assert_max_num_queries(3):
        rows = _rows(viewer_client.get(URL))

    assert len(rows) == size
    assert all(row["tags"].startswith("drone;tag-") for row in rows)
