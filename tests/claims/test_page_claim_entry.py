"""The analyst's entering flows on the claim pages: new claim with similar claims,
appearances (source search, URL suggestion, inline source, derived-from), evidence (URL,
upload, pasted URLs) and relations. Server side; the browser tests drive them live."""

import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimRelation
from provenance.models import Appearance, Evidence
from sources.models import Source
from sources.services import source_identifier_add
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- New claim --------------------------------------------------------------------------


def test_analyst_creates_a_claim_and_lands_on_its_page(analyst):
    response = client_for(analyst).post(
        reverse("claims:new"), {"text": "  Power plant shut down  ", "tags": "energy, grid"}
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[claim.public_id])
    assert claim.text == "Power plant shut down"
    assert sorted(claim.tags.values_list("name", flat=True)) == ["energy", "grid"]
    assert claim.created_by == analyst


def test_new_claim_form_keeps_what_was_typed_on_error(analyst):
    response = client_for(analyst).post(reverse("claims:new"), {"text": "   ", "tags": "kept"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A claim needs its text." in html or "This field is required." in html
    assert 'value="kept"' in html
    assert not Claim.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_cannot_enter_a_claim(viewer, method):
    response = getattr(client_for(viewer), method)(reverse("claims:new"), {"text": "x"})
    assert response.status_code == 403
    assert not Claim.objects.exists()


@pytest.mark.postgres
def test_similar_claims_are_listed_while_typing(analyst):
    ClaimFactory(text="Drones attacked the refinery in Ryazan")
    ClaimFactory(text="Unrelated statement on wheat exports")
    response = client_for(analyst).get(
        reverse("claims:similar"), {"text": "drone attack on a refinery"}, **HTMX
    )
    html = response.content.decode()
    assert "Drones attacked the refinery in Ryazan" in html
    assert "wheat" not in html


def test_similar_claims_for_text_without_words_is_empty(analyst):
    ClaimFactory(text="Anything")
    html = client_for(analyst).get(reverse("claims:similar"), {"text": "a b"}).content.decode()
    assert "No similar claim found." in html


# --- Appearances ------------------------------------------------------------------------


def appearance_url(claim) -> str:
    return reverse("claims:appearance-new", args=[claim.public_id])


def test_appearance_form_is_a_fragment_for_htmx_and_a_page_without(analyst):
    claim = ClaimFactory()
    client = client_for(analyst)
    fragment = client.get(appearance_url(claim), **HTMX).content.decode()
    page = client.get(appearance_url(claim)).content.decode()
    assert "<html" not in fragment and 'id="appearance-form"' in fragment
    assert "<html" in page and 'id="appearance-form"' in page


def test_analyst_adds_an_appearance_with_a_new_source(analyst):
    claim = ClaimFactory()
    response = client_for(analyst).post(
        appearance_url(claim),
        {
            "new_source_name": "Night Channel",
            "new_source_kind": "channel",
            "stance": "asserts",
            "published": "2023-05",
            "quote": "Цитата",
            "quote_language": "ru",
            "quote_translation": "A quote",
            "url": "https://t.me/night_channel/5",
            "record_identifier": "on",
        },
    )
    appearance = Appearance.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#appearance-{appearance.public_id}")
    assert appearance.source.name == "Night Channel" and appearance.source.kind == "channel"
    assert appearance.published_precision == "month"
    assert appearance.published_at == datetime(2023, 5, 1, tzinfo=UTC)
    assert appearance.quote_translation == "A quote"
    # The channel the post URL names is recorded, so its next post suggests the source.
    identifier = appearance.source.identifiers.get()
    assert (identifier.kind, identifier.normalized_value) == ("telegram", "night_channel")


def test_htmx_appearance_create_redirects_the_page(analyst):
    claim = ClaimFactory()
    source = SourceFactory()
    response = client_for(analyst).post(
        appearance_url(claim), {"source": source.public_id, "stance": "repeats"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("claims:detail", args=[claim.public_id])


def test_appearance_derives_from_one_of_another_claim(analyst):
    other = AppearanceFactory(published_at=datetime(2023, 1, 1, tzinfo=UTC))
    claim = ClaimFactory()
    client_for(analyst).post(
        appearance_url(claim),
        {
            "source": SourceFactory().public_id,
            "stance": "repeats",
            "published": "2023-02-01",
            "derived_from": [str(other.public_id)],
        },
    )
    created = Appearance.objects.get(claim=claim)
    assert list(created.derived_from.all()) == [other]


def test_service_refusal_shows_on_the_form_and_leaves_no_new_source(analyst):
    later = AppearanceFactory(published_at=datetime(2024, 1, 1, tzinfo=UTC))
    claim = ClaimFactory()
    sources_before = Source.objects.count()
    response = client_for(analyst).post(
        appearance_url(claim),
        {
            "new_source_name": "Should Not Stay",
            "new_source_kind": "outlet",
            "stance": "repeats",
            "published": "2023-01-01",
            "derived_from": [str(later.public_id)],
            "quote": "typed text kept",
        },
        **HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Points to a later appearance." in html
    assert "typed text kept" in html and 'value="Should Not Stay"' in html
    assert Source.objects.count() == sources_before
    assert not Appearance.objects.filter(claim=claim).exists()


def test_appearance_needs_exactly_one_source(analyst):
    claim = ClaimFactory()
    response = client_for(analyst).post(appearance_url(claim), {"stance": "asserts"})
    assert response.status_code == 400
    assert "Pick an existing source" in response.content.decode()


def test_bad_date_is_a_field_error(analyst):
    claim = ClaimFactory()
    response = client_for(analyst).post(
        appearance_url(claim),
        {"source": SourceFactory().public_id, "stance": "asserts", "published": "May 2023"},
    )
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()


def test_viewer_post_of_an_appearance_is_refused(viewer):
    claim = ClaimFactory()
    response = client_for(viewer).post(
        appearance_url(claim), {"source": SourceFactory().public_id, "stance": "asserts"}
    )
    assert response.status_code == 403
    assert not Appearance.objects.exists()


def test_pasted_url_suggests_the_source_by_its_handle(analyst, editor):
    handle_owner = SourceFactory(name="Ministry Account")
    source_identifier_add(source=handle_owner, actor=editor, kind="x_handle", value="@MinistryX")
    SourceFactory(name="Someone Else")
    html = (
        client_for(analyst)
        .get(reverse("claims:source-suggest"), {"url": "https://x.com/ministryx/status/123"})
        .content.decode()
    )
    assert "Ministry Account" in html and "suggested from the URL" in html
    assert f'value="{handle_owner.public_id}" checked' in html
    assert "Someone Else" not in html


def test_pasted_article_url_suggests_the_outlet_by_domain(analyst, editor):
    outlet = SourceFactory(name="Herald")
    source_identifier_add(source=outlet, actor=editor, kind="domain", value="herald.example")
    html = (
        client_for(analyst)
        .get(reverse("claims:source-suggest"), {"url": "https://www.herald.example/a/b?c=1"})
        .content.decode()
    )
    assert "Herald" in html


@pytest.mark.parametrize("query", ["herald", "The Morning", "herald.example"])
def test_source_search_covers_names_aliases_and_identifiers(analyst, editor, query):
    outlet = SourceFactory(name="Herald", aliases=["The Morning Post"])
    source_identifier_add(source=outlet, actor=editor, kind="domain", value="herald.example")
    html = (
        client_for(analyst)
        .get(reverse("claims:source-suggest"), {"source_query": query})
        .content.decode()
    )
    assert f'value="{outlet.public_id}"' in html


def test_upstream_search_lists_appearances_of_other_claims(analyst):
    theirs = AppearanceFactory(source=SourceFactory(name="Far Away Outlet"))
    claim = ClaimFactory()
    html = (
        client_for(analyst)
        .get(
            reverse("claims:upstream-suggest", args=[claim.public_id]),
            {"upstream_query": "far away"},
        )
        .content.decode()
    )
    assert f'value="{theirs.public_id}"' in html


# --- Evidence ---------------------------------------------------------------------------


def evidence_url(claim) -> str:
    return reverse("claims:evidence-new", args=[claim.public_id])


def test_many_pasted_urls_each_become_evidence_with_a_capture(analyst):
    claim = ClaimFactory()
    response = client_for(analyst).post(
        evidence_url(claim),
        {
            "urls": "https://a.example/1\n\n https://b.example/2 \nhttps://a.example/1",
            "kind": "web_page",
            "relation": "supports",
        },
        **HTMX,
    )
    assert response.status_code == 200
    evidence = Evidence.objects.order_by("url")
    assert [e.url for e in evidence] == ["https://a.example/1", "https://b.example/2"]
    assert all(e.captures.exists() for e in evidence)  # queued at once
    assert all(e.claim_links.get().claim == claim for e in evidence)
    html = response.content.decode()
    assert html.count('class="card evidence"') == 2 and "every 2s" in html
    # The page's graph is told to fetch itself again (static/js/graph.js listens).
    assert "claimtrail:graph-changed" in json.loads(response["HX-Trigger"])


def test_a_refused_htmx_attach_does_not_redraw_the_graph(analyst):
    response = client_for(analyst).post(
        evidence_url(ClaimFactory()),
        {"urls": "not a url", "kind": "web_page", "relation": "context"},
        **HTMX,
    )
    assert response.status_code == 400
    assert "HX-Trigger" not in response


def test_one_bad_line_refuses_the_whole_list(analyst):
    claim = ClaimFactory()
    response = client_for(analyst).post(
        evidence_url(claim),
        {"urls": "https://a.example/1\nnot a url", "kind": "web_page", "relation": "context"},
    )
    assert response.status_code == 400
    assert "Not web addresses: not a url" in response.content.decode()
    assert not Evidence.objects.exists()


def test_upload_becomes_evidence(analyst, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    claim = ClaimFactory()
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client_for(analyst).post(
        evidence_url(claim),
        {"file": upload, "kind": "document", "relation": "context", "title": "Report"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_filename == "report.pdf" and evidence.title == "Report"


def test_url_and_file_together_is_a_form_error(analyst, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    claim = ClaimFactory()
    upload = SimpleUploadedFile("a.txt", b"x")
    response = client_for(analyst).post(
        evidence_url(claim),
        {"url": "https://a.example/", "file": upload, "kind": "other", "relation": "context"},
    )
    assert response.status_code == 400
    assert "Give one URL, one file, or a list of URLs." in response.content.decode()


def test_viewer_cannot_attach_evidence(viewer):
    claim = ClaimFactory()
    response = client_for(viewer).post(
        evidence_url(claim), {"url": "https://a.example/", "kind": "other", "relation": "context"}
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("count", [2, 30])
def test_pasting_urls_keeps_queries_per_url_bounded(analyst, count, django_assert_max_num_queries):
    claim = ClaimFactory()
    urls = "\n".join(f"https://a.example/{n}" for n in range(count))
    client = client_for(analyst)
    # A fixed part (session, user, roles, claim, the section's three reads, savepoints)
    # and, per URL, what evidence_create writes: evidence, its history, the claim link,
    # the capture and its history, with their savepoints.
    with django_assert_max_num_queries(12 + 23 * count):
        client.post(
            evidence_url(claim),
            {"urls": urls, "kind": "web_page", "relation": "context"},
            **HTMX,
        )
    assert Evidence.objects.count() == count


# --- Relations --------------------------------------------------------------------------


def test_analyst_relates_two_claims(analyst):
    claim, other = ClaimFactory(), ClaimFactory(text="The other one")
    response = client_for(analyst).post(
        reverse("claims:relation-new", args=[claim.public_id]),
        {"other": other.public_id, "kind": "contradicts"},
        **HTMX,
    )
    assert response.status_code == 200
    relation = ClaimRelation.objects.get()
    assert (relation.from_claim, relation.to_claim, relation.kind) == (claim, other, "contradicts")
    assert "The other one" in response.content.decode()


def test_relating_a_claim_to_itself_shows_the_service_refusal(analyst):
    claim = ClaimFactory()
    response = client_for(analyst).post(
        reverse("claims:relation-new", args=[claim.public_id]),
        {"other": claim.public_id, "kind": "supports"},
    )
    assert response.status_code == 400
    assert "A claim cannot be related to itself." in response.content.decode()


def test_relation_without_js_lists_matches_for_the_typed_search(analyst):
    claim = ClaimFactory()
    other = ClaimFactory(text="Grain ships were stopped")
    response = client_for(analyst).post(
        reverse("claims:relation-new", args=[claim.public_id]),
        {"claim_query": "grain", "kind": "supports"},
    )
    assert response.status_code == 400
    assert f'value="{other.public_id}"' in response.content.decode()


def test_viewer_cannot_relate_claims(viewer):
    claim, other = ClaimFactory(), ClaimFactory()
    response = client_for(viewer).post(
        reverse("claims:relation-new", args=[claim.public_id]),
        {"other": other.public_id, "kind": "supports"},
    )
    assert response.status_code == 403
    assert not ClaimRelation.objects.exists()


# --- Query counts of the forms and their suggestions -----------------------------------


def _busy_claim(children: int):
    claim = ClaimFactory()
    other = ClaimFactory(text="Busy other claim")
    for n in range(children):
        AppearanceFactory(claim=claim, source=SourceFactory(name=f"Busy source {n}"))
        AppearanceFactory(claim=other, source=SourceFactory(name=f"Busy elsewhere {n}"))
    return claim


@pytest.mark.parametrize("children", [2, 30])
def test_appearance_form_queries_do_not_grow(analyst, children, django_assert_max_num_queries):
    claim = _busy_claim(children)
    client = client_for(analyst)
    params = {
        "source_query": "busy",
        "url": "https://x.com/busy/status/1",
        "upstream_query": "busy",
    }
    # session, user, roles, claim; sources for the URL, sources matching the search;
    # this claim's appearances, other claims' matching the search.
    with django_assert_max_num_queries(8):
        response = client.get(appearance_url(claim), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="derived_from"') == children + min(children, 10)


@pytest.mark.parametrize("children", [2, 30])
def test_suggestion_queries_do_not_grow(analyst, children, django_assert_max_num_queries):
    claim = _busy_claim(children)
    client = client_for(analyst)
    # session, user, roles, then one search each (two for sources: by URL, by text).
    with django_assert_max_num_queries(5):
        client.get(
            reverse("claims:source-suggest"),
            {"source_query": "busy", "url": "https://busy.example/"},
        )
    with django_assert_max_num_queries(4):
        client.get(reverse("claims:similar"), {"text": "Busy other claim"})
    with django_assert_max_num_queries(4):
        client.get(
            reverse("claims:claim-suggest"), {"claim_query": "busy", "exclude": claim.public_id}
        )
    with django_assert_max_num_queries(6):  # the claim, its appearances, the matches
        client.get(
            reverse("claims:upstream-suggest", args=[claim.public_id]), {"upstream_query": "busy"}
        )


def test_without_javascript_a_typed_source_search_lists_matches_to_pick(analyst):
    claim = ClaimFactory()
    herald = SourceFactory(name="Evening Herald")
    response = client_for(analyst).post(
        appearance_url(claim), {"source_query": "herald", "stance": "asserts", "quote": "kept"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and f'value="{herald.public_id}"' in html and "kept" in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/MinistryX/status/123", ("x_handle", "ministryx")),
        ("https://t.me/s/rian_ru/100", ("telegram", "rian_ru")),
        ("https://www.herald.example/2023/05/story", ("domain", "herald.example")),
        ("https://x.com/", None),
        ("", None),
    ],
)
def test_identifier_read_from_a_pasted_url(url, expected):
    from claims.views.appearances import identifier_from_url

    assert identifier_from_url(url) == expected


def test_unknown_publisher_of_a_pasted_url_is_named_for_a_new_source(analyst):
    html = (
        client_for(analyst)
        .get(reverse("claims:source-suggest"), {"url": "https://x.com/newvoice/status/9"})
        .content.decode()
    )
    assert "No known source matches" in html and "<strong>newvoice</strong>" in html


def test_new_source_without_the_box_ticked_gets_no_identifier(analyst):
    claim = ClaimFactory()
    client_for(analyst).post(
        appearance_url(claim),
        {"new_source_name": "Plain", "stance": "asserts", "url": "https://herald.example/a"},
    )
    assert not Appearance.objects.get().source.identifiers.exists()


@pytest.mark.parametrize(
    "name", ["claims:evidence-new", "claims:relation-new", "claims:appearance-new"]
)
def test_each_form_is_also_a_page_of_its_own(analyst, name):
    claim = ClaimFactory(text="The claim <b>named</b>")
    response = client_for(analyst).get(reverse(name, args=[claim.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "csrfmiddlewaretoken" in html
    assert "The claim &lt;b&gt;named&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "name", ["claims:evidence-new", "claims:relation-new", "claims:appearance-new"]
)
def test_forms_of_an_unknown_claim_are_404(analyst, name):
    response = client_for(analyst).get(reverse(name, args=["7d3c6a9e-0000-4000-8000-000000000000"]))
    assert response.status_code == 404
