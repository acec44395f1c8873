"""OPTIONS on the export endpoints describes them in JSON (it was a 500 for file formats)."""

import pytest

from tests.factories import PublishedClaimFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/claims/export.csv",
        "/api/claims/{id}/package/",
        "/api/claims/{id}/prov/",
        "/api/claims/{id}/claimreview/",
    ],
)
def test_options_on_an_export_is_json(viewer_client, path):
    claim = PublishedClaimFactory()

    response = viewer_client.options(path.format(id=claim.public_id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"]
