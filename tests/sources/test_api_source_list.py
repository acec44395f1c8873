"""GET /api/sources/"""

import pytest

from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    PublishedClaimFactory,
    SourceFactory,
    publish_again,
)

pytestmark = pytest.mark.django_db
URL = "/api/sources/"


def names(response) -> list[str]:
    return sorted(row["name"] for row in response.json()["results"])


def test_viewer_sees_every_source_with_identifiers_and_parent(viewer_client):
    kremlin = SourceFactory(name="Kremlin", kind="government_body", country="RU")
    SourceFactory(
        name="Kremlin press service",
        parent=kremlin,
        state_affiliated=True,
        identifiers=[("domain", "kremlin.ru")],
    )

    response = viewer_client.get(URL)

    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert set(rows) == {"Kremlin", "Kremlin press service"}
    press = rows["Kremlin press service"]
    assert press["parent"] == {"id": str(kremlin.public_id), "name": "Kremlin"}
    assert press["identifiers"] == [
        {"kind": "domain", "value": "kremlin.ru", "normalized_value": "kremlin.ru"}
    ]
    assert press["state_affiliated"] is True
    assert rows["Kremlin"]["country"] == "RU"
    assert rows["Kremlin"]["parent"] is None


def test_anonymous_sees_only_sources_on_published_claims(anon_client):
    published = PublishedClaimFactory()
    draft = ClaimFactory()
    AppearanceFactory(claim=published, source=SourceFactory(name="On published"))
    AppearanceFactory(claim=draft, source=SourceFactory(name="On draft only"))
    SourceFactory(name="No appearances")
    publish_again(published)

    response = anon_client.get(URL)

    assert response.status_code == 200
    assert names(response) == ["On published"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=person", ["Max Seddon"]),
        ("kind=person&kind=outlet", ["Max Seddon", "RIA Novosti"]),
        ("country=ru", ["Kremlin", "RIA Novosti"]),
        ("state_affiliated=true", ["Kremlin", "RIA Novosti"]),
        ("reliability=B", ["Max Seddon"]),
        ("reliability=E&reliability=F", ["Kremlin", "RIA Novosti"]),
        ("q=ria", ["RIA Novosti"]),
        ("q=РИА", ["RIA Novosti"]),
        ("q=seddon", ["Max Seddon"]),
    ],
)
def test_filters(viewer_client, query, expected):
    SourceFactory(name="Max Seddon", kind="person", country="GB", reliability="B")
    SourceFactory(
        name="RIA Novosti",
        kind="outlet",
        country="RU",
        state_affiliated=True,
        reliability="E",
        aliases=["РИА Новости"],
    )
    SourceFactory(
        name="Kremlin", kind="government_body", country="RU", state_affiliated=True, reliability="F"
    )

    response = viewer_client.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert names(response) == expected


def test_filter_by_parent(viewer_client):
    ft = SourceFactory(name="Financial Times")
    SourceFactory(name="Max Seddon", parent=ft)
    SourceFactory(name="Unrelated")

    response = viewer_client.get(f"{URL}?parent={ft.public_id}")

    assert names(response) == ["Max Seddon"]


@pytest.mark.parametrize(
    "spelling", ["@MaxSeddon", "maxseddon", "https://x.com/maxseddon", "twitter.com/MAXSEDDON/"]
)
def test_identifier_lookup_resolves_any_spelling(viewer_client, spelling):
    SourceFactory(name="Max Seddon", identifiers=[("x_handle", "@maxseddon")])
    SourceFactory(name="Someone else", identifiers=[("x_handle", "someone")])

    response = viewer_client.get(URL, {"identifier": spelling, "identifier_kind": "x_handle"})

    assert response.status_code == 200
    assert names(response) == ["Max Seddon"]


def test_identifier_lookup_without_kind_tries_every_kind(viewer_client):
    SourceFactory(name="Kremlin", identifiers=[("domain", "kremlin.ru")])
    SourceFactory(name="RIA on Telegram", identifiers=[("telegram", "rian_ru")])

    assert names(viewer_client.get(URL, {"identifier": "https://www.kremlin.ru/"})) == ["Kremlin"]
    assert names(viewer_client.get(URL, {"identifier": "t.me/s/rian_ru"})) == ["RIA on Telegram"]


def test_identifier_lookup_refuses_value_not_of_that_kind(viewer_client):
    response = viewer_client.get(URL, {"identifier": "not a handle", "identifier_kind": "x_handle"})

    assert response.status_code == 400
    message = "“not a handle” is not an X/Twitter handle (1–15 letters, digits or underscores)."
    assert response.json() == {
        "detail": f"identifier: {message}",
        "code": "invalid",
        "fields": {"identifier": [message]},
    }


def test_identifier_lookup_of_a_malformed_address_is_400(viewer_client):
    response = viewer_client.get(URL, {"identifier": "http://[::1/"})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "identifier": ["“http://[::1/” is not an identifier of any known kind."]
    }


def test_invalid_filter_values_are_400(viewer_client):
    response = viewer_client.get(URL, {"kind": "alien", "parent": "nope"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "kind": ["Select a valid choice. alien is not one of the available choices."],
        "parent": ["Enter a valid UUID."],
    }


@pytest.mark.parametrize("count", [5, 100])
def test_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, count):
    parent = SourceFactory(actor=editor, name="Parent")
    for n in range(count):
        SourceFactory(
            actor=editor, name=f"S{n}", parent=parent, identifiers=[("x_handle", f"handle{n}")]
        )

    # The viewer's roles, the page of sources with parents joined, their identifiers.
    with django_assert_max_num_queries(3):
        response = viewer_client.get(URL, {"page_size": 200})

    assert response.status_code == 200
    assert len(response.json()["results"]) == count + 1


def test_ordering_by_name_pages_with_a_cursor(viewer_client):
    for name in ["Charlie", "Alpha", "Bravo"]:
        SourceFactory(name=name)

    first = viewer_client.get(URL, {"ordering": "name", "page_size": 2})

    assert first.status_code == 200
    assert [row["name"] for row in first.json()["results"]] == ["Alpha", "Bravo"]
    second = viewer_client.get(first.json()["next"])
    assert [row["name"] for row in second.json()["results"]] == ["Charlie"]
