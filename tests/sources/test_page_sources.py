"""The source list `/sources/` and a source's page `/sources/<uuid>/`."""

import uuid

import pytest

from claims.services import claim_review
from tests.factories import AppearanceFactory, ClaimFactory, PublishedClaimFactory, SourceFactory

XSS = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"


@pytest.mark.django_db
def test_list_searches_names_aliases_and_identifiers(client, editor):
    SourceFactory(actor=editor, name="TASS", aliases=["ТАСС"], kind="outlet")
    SourceFactory(
        actor=editor, name="Max Seddon", kind="person", identifiers=[("x_handle", "@MaxSeddon")]
    )
    SourceFactory(actor=editor, name="Kremlin", kind="government_body")
    SourceFactory(actor=editor, name="Independent media", identifiers=[("domain", "meduza.io")])
    client.force_login(editor)

    def names(query):
        response = client.get("/sources/", query)
        assert response.status_code == 200
        return {source.name for source in response.context["sources"]}

    assert names({"q": "tass"}) == {"TASS"}
    assert names({"q": "ТАСС"}) == {"TASS"}
    assert names({"q": "https://x.com/maxseddon"}) == {"Max Seddon"}
    assert names({"q": "meduza.i"}) == {"Independent media"}  # part of an identifier
    assert names({"kind": "government_body"}) == {"Kremlin"}
    assert names({}) == {"TASS", "Max Seddon", "Kremlin", "Independent media"}
    assert client.get("/sources/", {"kind": "planet"}).status_code == 400


@pytest.mark.django_db
def test_list_escapes_names_and_pages(client, editor):
    SourceFactory(actor=editor, name=XSS)
    for i in range(26):
        SourceFactory(actor=editor, name=f"Outlet {i:02}")
    client.force_login(editor)

    first = client.get("/sources/").content.decode()
    second = client.get("/sources/", {"page": 2})

    assert (
        "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in first and "<script>window" not in first
    )
    assert 'rel="next" href="?page=2"' in first
    assert len(second.context["sources"]) == 2


@pytest.mark.django_db
def test_htmx_search_returns_only_results(client, editor):
    SourceFactory(actor=editor, name="TASS")
    client.force_login(editor)
    response = client.get("/sources/", {"q": "tass"}, headers={"HX-Request": "true"})
    assert "TASS" in response.content.decode() and "<form" not in response.content.decode()


@pytest.mark.django_db
def test_source_page_shows_identifiers_parent_and_track_record(client, editor):
    parent = SourceFactory(actor=editor, name="VGTRK")
    source = SourceFactory(
        actor=editor,
        name="Rossiya 1",
        parent=parent,
        state_affiliated=True,
        reliability="E",
        identifiers=[("domain", "smotrim.ru")],
    )
    refuted = PublishedClaimFactory(actor=editor, text="Refuted one", verdict="refuted")
    AppearanceFactory(actor=editor, claim=refuted, source=source, stance="asserts")
    draft = ClaimFactory(actor=editor, text=XSS)
    AppearanceFactory(actor=editor, claim=draft, source=source, stance="repeats")
    client.force_login(editor)

    response = client.get(f"/sources/{source.public_id}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "smotrim.ru" in html
    assert f'href="/sources/{parent.public_id}/">VGTRK</a>' in html
    assert "State-affiliated" in html and "E — unreliable" in html
    assert f'href="/claims/{refuted.public_id}/">Refuted one</a>' in html
    assert "Asserts" in html and "Repeats" in html
    assert "&lt;script&gt;window.__pwned" in html and "<script>window" not in html
    counts = {row["value"]: row["count"] for row in response.context["verdicts"]}
    assert counts["refuted"] == 1 and counts["unreviewed"] == 1
    assert f"/claims/?source={source.public_id}" in html


@pytest.mark.django_db
def test_source_page_404s(client, editor, django_user_model):
    client.force_login(editor)
    assert client.get(f"/sources/{uuid.uuid4()}/").status_code == 404
    # A source seen only on a draft is not visible to a user without a role.
    hidden = SourceFactory(actor=editor, name="Only on a draft")
    AppearanceFactory(actor=editor, claim=ClaimFactory(actor=editor), source=hidden)
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(f"/sources/{hidden.public_id}/").status_code == 404
    assert client.get("/sources/").context["sources"] == []


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client, editor):
    source = SourceFactory(actor=editor)
    for url in ("/sources/", f"/sources/{source.public_id}/"):
        assert client.get(url).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 30])
def test_query_counts_are_fixed(client, editor, n, django_assert_max_num_queries):
    source = SourceFactory(actor=editor, identifiers=[("domain", "example.org")])
    for i in range(n):
        SourceFactory(actor=editor, name=f"Outlet {i}", identifiers=[("domain", f"o{i}.test")])
        claim = ClaimFactory(actor=editor)
        if i % 2:
            claim_review(claim=claim, actor=editor, to_state="in_review")
        AppearanceFactory(actor=editor, claim=claim, source=source)
    client.force_login(editor)
    # session, user, roles; count, page, identifiers of the page.
    with django_assert_max_num_queries(6):
        response = client.get("/sources/", {"q": "outlet"})
    assert len(response.context["sources"]) == min(n, 25)
    # session, user, roles; record: source, appearances, totals, by stance; the source
    # with its parent, and its identifiers.
    with django_assert_max_num_queries(9):
        response = client.get(f"/sources/{source.public_id}/")
    assert len(response.context["record"].appearances) == n


@pytest.mark.django_db
def test_track_record_dates_are_as_precise_as_known(client, editor):
    from datetime import UTC, datetime

    source = SourceFactory(actor=editor, name="An annual report")
    for moment, precision in (
        (datetime(2021, 1, 1, tzinfo=UTC), "year"),
        (datetime(2022, 3, 1, tzinfo=UTC), "month"),
        (datetime(2023, 5, 3, 9, 5, tzinfo=UTC), "exact"),
    ):
        AppearanceFactory(
            actor=editor,
            claim=ClaimFactory(actor=editor),
            source=source,
            published_at=moment,
            published_precision=precision,
        )
    client.force_login(editor)

    html = client.get(f"/sources/{source.public_id}/").content.decode()

    assert 'datetime="2021-01-01T00:00:00+00:00">2021</time>' in html
    assert ">March 2022</time>" in html
    assert ">3 May 2023, 09:05 UTC</time>" in html
    assert "1 Jan 2021" not in html
