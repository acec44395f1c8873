"""provenance.selectors.latest_captures: one "latest capture" for every read that shows one."""

import pytest

from provenance.models import Capture
from provenance.selectors import latest_captures
from tests.factories import EvidenceFactory, PublishedClaimFactory, publish_again

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_with_browser_capture(settings):
    """A web page on a published claim: its fetch capture, then the browser view of it."""
    settings.CAPTURE_BROWSER_ENABLED = True
    claim = PublishedClaimFactory()
    evidence = EvidenceFactory(kind="web_page", url="https://example.org/a", claims=[claim])
    publish_again(claim)
    fetch = Capture.objects.get(evidence=evidence, method=Capture.Method.FETCH)
    browser = Capture.objects.get(evidence=evidence, method=Capture.Method.BROWSER)
    assert (browser.created_at, browser.pk) > (fetch.created_at, fetch.pk)
    return claim, evidence, fetch


def test_latest_capture_is_the_newest_that_is_not_the_browser_view(page_with_browser_capture):
    _, evidence, fetch = page_with_browser_capture

    assert list(latest_captures(evidence_id=evidence.pk)[:1]) == [fetch]


@pytest.mark.parametrize("client_fixture", ["anon_client", "viewer_client"])
def test_claim_detail_and_evidence_detail_report_the_same_latest_capture(
    request, page_with_browser_capture, client_fixture
):
    client = request.getfixturevalue(client_fixture)
    claim, evidence, fetch = page_with_browser_capture

    claim_response = client.get(f"/api/claims/{claim.public_id}/")
    evidence_response = client.get(f"/api/evidence/{evidence.public_id}/")

    assert claim_response.status_code == 200
    assert evidence_response.status_code == 200
    (from_claim,) = claim_response.json()["evidence"]
    assert from_claim["latest_capture"] == evidence_response.json()["latest_capture"]
    assert from_claim["latest_capture"]["id"] == str(fetch.public_id)
