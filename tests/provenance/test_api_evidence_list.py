"""GET /api/evidence/"""

import pytest

from provenance.capture.services import capture_enqueue, capture_fail
from provenance.models import Capture
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    publish_again,
)

pytestmark = pytest.mark.django_db
URL = "/api/evidence/"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAPTURE_WORK_DIR = str(tmp_path)


def ids(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_sees_only_evidence_on_published_claims(anon_client):
    published = PublishedClaimFactory()
    draft = ClaimFactory()
    visible = EvidenceFactory(claims=[published, draft])
    hidden = EvidenceFactory(claims=[draft])
    EvidenceFactory()  # linked to nothing
    publish_again(published)

    response = anon_client.get(URL)

    assert ids(response) == {str(visible.public_id)}
    # Only the published claim is listed on it.
    assert response.json()["results"][0]["claims"] == [
        {"claim": str(published.public_id), "relation": "context"}
    ]
    assert anon_client.get(f"{URL}{hidden.public_id}/").status_code == 404


def test_filters(viewer_client, editor):
    claim = ClaimFactory()
    appearance = AppearanceFactory(claim=claim)
    video = EvidenceFactory(kind="video", claims=[claim], appearance=appearance)
    image = EvidenceFactory(kind="image", claims=[claim, ClaimFactory()])
    failed = EvidenceFactory(kind="web_page")
    http_capture = Capture.objects.get(evidence=failed, method="fetch")
    capture_fail(capture=http_capture, code="timeout", message="Too slow.")

    assert ids(viewer_client.get(URL, {"claim": claim.public_id})) == {
        str(video.public_id),
        str(image.public_id),
    }
    assert ids(viewer_client.get(URL, {"kind": "video"})) == {str(video.public_id)}
    assert ids(viewer_client.get(URL, {"kind": ["video", "web_page"]})) == {
        str(video.public_id),
        str(failed.public_id),
    }
    assert ids(viewer_client.get(URL, {"appearance": appearance.public_id})) == {
        str(video.public_id)
    }
    assert ids(viewer_client.get(URL, {"capture_status": "failed"})) == {str(failed.public_id)}
    assert ids(viewer_client.get(URL, {"capture_status": "queued"})) == {
        str(video.public_id),
        str(image.public_id),
    }
    assert ids(viewer_client.get(URL, {"capture_status": "none"})) == set()


def test_bad_filter_values_are_400(viewer_client):
    response = viewer_client.get(URL, {"capture_status": "lost", "claim": "x"})
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "capture_status": ["Select a valid choice. lost is not one of the available choices."],
        "claim": ["Enter a valid UUID."],
    }


@pytest.mark.parametrize("count", [5, 200])
def test_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, count):
    claims = [ClaimFactory(actor=editor) for _ in range(3)]
    appearance = AppearanceFactory(actor=editor, claim=claims[0])
    for n in range(count):
        evidence = EvidenceFactory(actor=editor, claims=claims, appearance=appearance)
        if n % 2:
            capture_enqueue(actor=editor, evidence=evidence)

    # The viewer's roles; the page (latest capture as subqueries); claim links with claims.
    with django_assert_max_num_queries(3):
        response = viewer_client.get(URL, {"page_size": 200})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [5, 200])
def test_anonymous_query_count_is_flat(anon_client, editor, django_assert_max_num_queries, count):
    claims = [PublishedClaimFactory(actor=editor), ClaimFactory(actor=editor)]
    for _ in range(count):
        EvidenceFactory(actor=editor, claims=claims)
    publish_again(claims[0], actor=editor)

    # The page of visible evidence; its published claim links.
    with django_assert_max_num_queries(2):
        response = anon_client.get(URL, {"page_size": 200})

    assert len(response.json()["results"]) == count
