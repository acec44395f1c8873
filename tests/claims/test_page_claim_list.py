"""The claim list page `/claims/`: the API's filters as a bookmarkable GET form."""

from datetime import date

import pytest

from claims.services import claim_review
from tests.factories import AppearanceFactory, ClaimFactory, PublishedClaimFactory, SourceFactory

XSS = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"


def _claims(editor, n: int):
    """n claims each with two appearances by two sources (a third row repeats one)."""
    claims = []
    for i in range(n):
        claim = ClaimFactory(actor=editor, text=f"Row {i} drone", tags=[f"t{i % 3}"])
        first, second = SourceFactory(actor=editor), SourceFactory(actor=editor)
        for source in (first, second, first):
            AppearanceFactory(actor=editor, claim=claim, source=source)
        claims.append(claim)
    return claims


@pytest.mark.django_db
def test_rows_show_verdict_credibility_counts_and_first_seen(client, editor):
    claim = PublishedClaimFactory(
        actor=editor, text=XSS, verdict="refuted", first_seen=date(2023, 5, 3)
    )
    source = SourceFactory(actor=editor, name="Kremlin press service")
    AppearanceFactory(actor=editor, claim=claim, source=source)
    AppearanceFactory(actor=editor, claim=claim, source=source)
    client.force_login(editor)

    response = client.get("/claims/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html and "<script>window" not in html
    assert 'class="badge verdict-refuted">Refuted' in html
    assert "6 — truth cannot be judged" in html
    row = response.context["claims"][0]
    assert (row["appearance_count"], row["source_count"]) == (2, 1)
    assert '<time datetime="2023-05-03">3 May 2023</time>' in html
    assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_filters_are_the_apis(client, editor):
    drone = ClaimFactory(actor=editor, text="A drone over the Kremlin", tags=["kremlin"])
    claim_review(claim=drone, actor=editor, to_state="in_review")
    ClaimFactory(actor=editor, text="Something else entirely", tags=["other"])
    source = SourceFactory(actor=editor, name="TASS")
    by_source = ClaimFactory(actor=editor, text="Said by TASS")
    AppearanceFactory(actor=editor, claim=by_source, source=source)
    client.force_login(editor)

    def texts(query):
        response = client.get("/claims/", query)
        assert response.status_code == 200, response.content
        return {row["text"] for row in response.context["claims"]}

    assert texts({"q": "kreml"}) == {"A drone over the Kremlin"}
    assert texts({"review_state": "in_review", "verdict": ""}) == {"A drone over the Kremlin"}
    assert texts({"tag": "other"}) == {"Something else entirely"}
    assert texts({"source": str(source.public_id)}) == {"Said by TASS"}
    assert texts({"published_after": "2023-05-03", "published_before": "2023-05-04"}) == {
        "Said by TASS"
    }
    assert texts({"published_after": "2023-05-04"}) == set()
    response = client.get("/claims/", {"source": str(source.public_id)})
    assert "Only claims with an appearance by <strong>TASS</strong>" in response.content.decode()


@pytest.mark.django_db
def test_invalid_filters_are_shown_not_a_server_error(client, editor):
    client.force_login(editor)

    response = client.get("/claims/", {"first_seen_after": "not-a-date", "ordering": "text"})

    assert response.status_code == 400
    assert 'class="errorlist nonfield"' in response.content.decode()
    assert 'value="not-a-date"' in response.content.decode()  # what was typed stays


@pytest.mark.django_db
def test_sort_and_pages_keep_the_filters(client, editor):
    for i in range(30):
        ClaimFactory(actor=editor, text=f"Numbered {i:02}", first_seen=date(2020, 1, 1 + i % 28))
    client.force_login(editor)

    first = client.get("/claims/", {"q": "numbered", "ordering": "first_seen"})
    second = client.get("/claims/", {"q": "numbered", "ordering": "first_seen", "page": 2})

    dates = [row["first_seen"] for row in first.context["claims"]]
    assert dates == sorted(dates) and len(dates) == 25
    assert len(second.context["claims"]) == 5
    assert "q=numbered&amp;ordering=first_seen&amp;page=2" in first.content.decode()


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results(client, editor):
    ClaimFactory(actor=editor, text="Only this one")
    client.force_login(editor)

    response = client.get("/claims/", {"q": "only"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "Only this one" in html
    assert "<form" not in html and "<html" not in html


@pytest.mark.django_db
def test_user_without_role_sees_only_published_claims_and_no_review_state_filter(
    client, django_user_model, editor
):
    PublishedClaimFactory(actor=editor, text="Published one")
    ClaimFactory(actor=editor, text="Draft one")
    client.force_login(django_user_model.objects.create_user("nobody"))

    response = client.get("/claims/")

    assert {row["text"] for row in response.context["claims"]} == {"Published one"}
    assert 'name="review_state"' not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/claims/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 30])
def test_query_count_is_fixed(client, editor, n, django_assert_max_num_queries):
    _claims(editor, n)
    client.force_login(editor)
    # session, user, roles; count, page rows (with counts); tags of the page.
    with django_assert_max_num_queries(6):
        response = client.get("/claims/", {"q": "drone", "ordering": "-created_at"})
    assert len(response.context["claims"]) == min(n, 25)
    assert all(row["source_count"] == 2 for row in response.context["claims"])
    # With a source filter, one more: the source (by id, or by the handle typed).
    source = SourceFactory(actor=editor, identifiers=[("x_handle", "@counted")])
    for value in (str(source.public_id), "https://x.com/counted"):
        with django_assert_max_num_queries(7):
            response = client.get("/claims/", {"source": value})
        assert response.context["source_filter"]["name"] == source.name


@pytest.mark.django_db
def test_source_field_takes_an_id_handle_url_or_exact_name_without_javascript(client, editor):
    tass = SourceFactory(
        actor=editor, name="TASS", identifiers=[("x_handle", "@tass_agency"), ("domain", "tass.ru")]
    )
    said = ClaimFactory(actor=editor, text="Said by TASS")
    AppearanceFactory(actor=editor, claim=said, source=tass)
    ClaimFactory(actor=editor, text="Said by nobody")
    client.force_login(editor)

    for value in (str(tass.public_id), "@TASS_agency", "https://tass.ru/politika/1", "tass"):
        response = client.get("/claims/", {"source": value})
        assert response.status_code == 200, value
        assert [row["text"] for row in response.context["claims"]] == ["Said by TASS"], value
        html = response.content.decode()
        assert "Only claims with an appearance by <strong>TASS</strong>" in html
        assert f'value="{value}"' in html  # the field keeps what was typed
        assert f'data-source-id="{tass.public_id}" data-source-name="TASS"' in html  # picker's
    html = client.get("/claims/").content.decode()
    assert '<label for="id_source">Source</label>' in html
    assert 'data-source-search="/sources/search.json"' in html


@pytest.mark.django_db
def test_source_text_naming_no_source_or_several_is_an_error_not_a_guess(client, editor):
    SourceFactory(actor=editor, name="Twin", identifiers=[("domain", "twin.example")])
    SourceFactory(actor=editor, name="twin")
    SourceFactory(actor=editor, name=XSS)
    client.force_login(editor)

    response = client.get("/claims/", {"source": "no-such-outlet.example"})
    assert response.status_code == 400
    assert "No source is named “no-such-outlet.example”" in response.content.decode()
    assert response.context["claims"] == []

    response = client.get("/claims/", {"source": "TWIN"})
    assert response.status_code == 400
    assert "“TWIN” names several sources (Twin, twin)" in response.content.decode()

    html = client.get("/claims/", {"source": XSS}).content.decode()
    assert "<script>window.__pwned" not in html


@pytest.mark.django_db
def test_source_text_finds_only_sources_the_reader_may_see(client, django_user_model, editor):
    hidden = SourceFactory(actor=editor, name="Draft-only outlet")
    AppearanceFactory(actor=editor, claim=ClaimFactory(actor=editor), source=hidden)
    client.force_login(django_user_model.objects.create_user("nobody"))

    response = client.get("/claims/", {"source": "Draft-only outlet"})

    assert response.status_code == 400
    assert "Draft-only outlet" not in str(response.context["source_filter"])
    response = client.get("/claims/", {"source": str(hidden.public_id)})
    assert "an appearance by <strong>an unknown source</strong>" in response.content.decode()
    assert "data-source-id" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/", "/claims/"])
def test_analysts_find_the_new_claim_form_from_the_dashboard_and_list(
    client, analyst, viewer, address
):
    """Found by the journey test: an analyst who logs in lands on the dashboard, and
    nothing there or on the claim list led to /claims/new/."""
    link = 'href="/claims/new/"'
    client.force_login(analyst)
    assert link in client.get(address).content.decode()
    client.force_login(viewer)  # a viewer cannot create claims: no link
    assert link not in client.get(address).content.decode()
