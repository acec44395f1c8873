"""The Source admin: pages load, and saves go through the services."""

import pytest

from sources.models import Source
from tests.factories import AppearanceFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def identifier_form(prefix="identifiers", rows=()) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, (kind, value) in enumerate(rows):
        data[f"{prefix}-{n}-kind"] = kind
        data[f"{prefix}-{n}-value"] = value
    return data


def test_changelist_and_search_load(admin_client):
    SourceFactory(name="Kremlin", identifiers=[("domain", "kremlin.ru")])
    for query in ["", "?q=kremlin.ru", "?q=not-a-uuid", "?kind__exact=outlet"]:
        response = admin_client.get(f"/admin/sources/source/{query}")
        assert response.status_code == 200


def test_add_creates_through_the_service(admin_client):
    response = admin_client.post(
        "/admin/sources/source/add/",
        {
            "name": "Max Seddon",
            "kind": "person",
            "description": "",
            "country": "gb",
            "reliability": "B",
            "aliases": "[]",
            **identifier_form(rows=[("x_handle", "@MaxSeddon")]),
        },
    )

    assert response.status_code == 302
    source = Source.objects.get(name="Max Seddon")
    assert source.country == "GB"
    assert list(source.identifiers.values_list("normalized_value", flat=True)) == ["maxseddon"]
    assert source.history.first().history_user.username == "root"


def test_refused_change_comes_back_as_a_message(admin_client):
    SourceFactory(name="Max Seddon", identifiers=[("x_handle", "maxseddon")])
    other = SourceFactory(name="Other")

    response = admin_client.post(
        f"/admin/sources/source/{other.pk}/change/",
        {
            "name": "Renamed",
            "kind": "outlet",
            "description": "",
            "country": "",
            "reliability": "C",
            "aliases": "[]",
            **identifier_form(rows=[("x_handle", "x.com/MaxSeddon")]),
        },
        follow=True,
    )

    assert response.status_code == 200
    # The admin capitalizes messages: "X_handle “maxseddon” …".
    assert "_handle “maxseddon” already belongs to Max Seddon." in response.content.decode()
    assert Source.objects.get(pk=other.pk).name == "Other"


def test_delete_of_a_source_in_use_is_refused(admin_client):
    source = AppearanceFactory().source
    response = admin_client.post(f"/admin/sources/source/{source.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # the admin's own "cannot delete" page
    assert Source.objects.filter(pk=source.pk).exists()


def test_delete_goes_through_the_service(admin_client):
    source = SourceFactory()
    response = admin_client.post(f"/admin/sources/source/{source.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()
    assert source.history.first().history_type == "-"
