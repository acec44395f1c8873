"""`/sources/search.json`: the source picker's search over names, aliases and identifiers."""

import pytest

from claims.services import claim_review
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    PublishedClaimFactory,
    SourceFactory,
    publish_again,
)

XSS = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"
URL = "/sources/search.json"


def _names(client, q: str) -> list[str]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_finds_sources_by_name_alias_identifier_and_url(client, editor):
    SourceFactory(actor=editor, name="TASS", aliases=["ТАСС"], kind="outlet")
    SourceFactory(
        actor=editor, name="Max Seddon", kind="person", identifiers=[("x_handle", "@MaxSeddon")]
    )
    SourceFactory(actor=editor, name="Independent media", identifiers=[("domain", "meduza.io")])
    client.force_login(editor)

    assert _names(client, "tas") == ["TASS"]
    assert _names(client, "ТАСС") == ["TASS"]
    assert _names(client, "meduza.i") == ["Independent media"]  # part of an identifier
    assert _names(client, "https://x.com/MaxSeddon/status/1") == ["Max Seddon"]  # a post URL
    assert _names(client, "@maxsed") == ["Max Seddon"]
    assert _names(client, "nothing like it") == []
    assert _names(client, "  ") == []


@pytest.mark.django_db
def test_answer_shape_is_what_a_picker_needs(client, editor):
    source = SourceFactory(
        actor=editor, name=XSS, kind="outlet", identifiers=[("domain", "tass.ru")]
    )
    client.force_login(editor)

    [row] = client.get(URL, {"q": "tass.ru"}).json()["results"]

    assert row == {
        "id": str(source.public_id),
        "name": XSS,  # JSON carries the text; the picker escapes it when it shows it
        "kind": "outlet",
        "kind_label": "Outlet",
        "identifiers": ["tass.ru"],
        "url": f"/sources/{source.public_id}/",
    }


@pytest.mark.django_db
def test_results_are_limited_and_ordered_by_name(client, editor):
    for i in range(25):
        SourceFactory(actor=editor, name=f"Outlet {24 - i:02}")
    client.force_login(editor)

    names = _names(client, "outlet")

    assert names == [f"Outlet {i:02}" for i in range(20)]


@pytest.mark.django_db
def test_visitor_without_role_finds_only_sources_of_published_claims(
    client, django_user_model, editor
):
    published = PublishedClaimFactory(actor=editor)
    AppearanceFactory(actor=editor, claim=published, source=SourceFactory(name="Seen outlet"))
    publish_again(published, actor=editor)
    draft = ClaimFactory(actor=editor)
    AppearanceFactory(actor=editor, claim=draft, source=SourceFactory(name="Hidden outlet"))
    client.force_login(django_user_model.objects.create_user("nobody"))

    assert _names(client, "outlet") == ["Seen outlet"]
    client.force_login(editor)
    assert _names(client, "outlet") == ["Hidden outlet", "Seen outlet"]


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in_and_writes_are_refused(client, editor):
    SourceFactory(actor=editor, name="TASS")
    assert client.get(URL, {"q": "tass"}).status_code == 302
    client.force_login(editor)
    assert client.post(URL, {"q": "tass"}).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 30])
def test_query_count_is_fixed(client, editor, n, django_assert_max_num_queries):
    for i in range(n):
        source = SourceFactory(
            actor=editor,
            name=f"Outlet {i}",
            identifiers=[("domain", f"o{i}.test"), ("x_handle", f"outlet_{i}")],
        )
        claim = ClaimFactory(actor=editor)
        if i % 2:
            claim_review(claim=claim, actor=editor, to_state="in_review")
        AppearanceFactory(actor=editor, claim=claim, source=source)
    client.force_login(editor)
    # session, user, roles; the sources (limited); their identifiers.
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"q": "outlet"})
    results = response.json()["results"]
    assert len(results) == min(n, 20)
    assert all(len(row["identifiers"]) == 2 for row in results)
    # Blank text asks the database nothing beyond the session and user.
    with django_assert_max_num_queries(2):
        assert client.get(URL, {"q": ""}).json() == {"results": []}
