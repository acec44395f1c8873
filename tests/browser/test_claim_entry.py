"""The claim page and the analyst's entering flows in Chromium: create a claim (warned of
a similar one), add an appearance with a new source, paste two URLs served on loopback
and watch their captures go from queued to succeeded; markup in user text stays text."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from provenance.capture import services as capture_services
from provenance.capture.services import capture_run
from tests.browser.conftest import PHONE, assert_accessible
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401 (fixtures)
    capture_settings_fixture,
    http_server_fixture,
)

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
PAGE = b"<!doctype html><html><head><title>Report</title></head><body><p>Text</p></body></html>"


@pytest.fixture
def sent_captures(monkeypatch, capture_settings):
    """Captures are not sent to a broker: their ids are kept for the test to run them
    when it chooses (so the page is seen polling while they are queued)."""
    capture_settings.CAPTURE_BROWSER_ENABLED = False
    sent: list[int] = []
    monkeypatch.setattr(capture_services, "_send", lambda capture_id, **_: sent.append(capture_id))
    return sent


@pytest.mark.django_db(transaction=True)
def test_analyst_enters_a_claim_an_appearance_and_evidence_captured_live(
    page, login, analyst, http_server, sent_captures, allow_page_problems
):
    ClaimFactory(text="Refinery in Ryazan hit by drones")
    first_url = http_server.route("/one", PAGE, content_type="text/html")
    second_url = http_server.route("/two", PAGE, content_type="text/html")
    login(analyst)

    page.goto(reverse("claims:new"))
    page.get_by_label("Text").press_sequentially("Drones hit the refinery", delay=10)
    similar = page.locator("#similar")
    expect(similar).to_contain_text("Refinery in Ryazan hit by drones")
    assert_accessible(page)
    page.get_by_label("Tags").fill("energy")
    page.get_by_role("button", name="Create claim").click()
    page.wait_for_url(re.compile(r"/claims/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Drones hit the refinery")

    # The appearance form loads into the page and takes the focus.
    page.get_by_role("link", name="Add appearance").click()
    form = page.locator("#appearance-form")
    expect(form).to_be_visible()
    expect(page.locator("#id_url")).to_be_focused()
    form.get_by_label("New source name").fill("Night Channel")
    form.get_by_label("New source kind").select_option("channel")
    form.get_by_label("Stance").select_option("asserts")
    form.get_by_label("Published").fill("2023-05")
    form.get_by_label("Quote", exact=True).fill("Дроны над заводом")
    form.get_by_label("Quote language").fill("ru")
    form.get_by_role("button", name="Add appearance").click()
    # The service wants a translation: its refusal shows next to the field (a 400, which
    # the browser logs), and what was typed stays.
    expect(form.locator("#id_quote_translation_error")).to_contain_text("Translate the quote")
    allow_page_problems(lambda problem: "status of 400" in problem)
    expect(form.get_by_label("New source name")).to_have_value("Night Channel")
    form.get_by_label("Translation").fill("Drones over the plant")
    form.get_by_role("button", name="Add appearance").click()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Night Channel")
    expect(timeline).to_contain_text("May 2023")

    # Two pasted URLs: two cards, queued, polling; then their captures run.
    page.get_by_label("Many URLs").fill(f"{first_url}\n{second_url}")
    page.get_by_role("button", name="Attach").click()
    cards = page.locator("#evidence-cards .card.evidence")
    expect(cards).to_have_count(2)
    expect(page.locator("#evidence-cards .capture-queued")).to_have_count(2)
    assert len(sent_captures) == 2
    for capture_id in sent_captures:
        capture_run(capture_id=capture_id)
    expect(page.locator("#evidence-cards .capture-succeeded")).to_have_count(2, timeout=15_000)
    expect(page.locator("#evidence-cards")).not_to_have_attribute("hx-trigger", "every 2s")
    expect(cards.first.get_by_role("link", name="WARC")).to_be_visible()
    # With the "evidence attached" message showing: the flash list stays a list for axe.
    expect(page.locator(".messages li")).not_to_have_count(0)
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_source_is_suggested_from_a_pasted_url_and_upstreams_found_by_search(
    page, login, analyst, editor
):
    from sources.services import source_identifier_add

    herald = SourceFactory(name="Herald")
    source_identifier_add(source=herald, actor=editor, kind="domain", value="herald.example")
    origin = AppearanceFactory(
        claim=ClaimFactory(text="Earlier claim"), source=SourceFactory(name="Origin Outlet")
    )
    claim = ClaimFactory()
    login(analyst)

    page.goto(reverse("claims:appearance-new", args=[claim.public_id]))
    assert_accessible(page)
    page.get_by_label("Post or article URL").fill("https://www.herald.example/2023/05/story")
    suggested = page.locator("#source-choices").get_by_label(re.compile("Herald"))
    expect(suggested).to_be_checked()
    page.get_by_label("Find appearances of other claims").press_sequentially("origin", delay=10)
    upstream = page.locator("#upstream-choices").get_by_label(re.compile("Origin Outlet"))
    upstream.check()
    page.get_by_label("Stance").select_option("repeats")
    page.get_by_label("Published").fill("2023-06-01")
    page.get_by_role("button", name="Add appearance").click()
    page.wait_for_url(re.compile(rf"/claims/{claim.public_id}/$"))
    expect(page.locator(".timeline")).to_contain_text("Origin Outlet")
    assert claim.appearances.get().derived_from.get() == origin


@pytest.mark.django_db(transaction=True)
def test_markup_in_user_text_shows_as_text_and_runs_nothing(page, login, viewer):
    claim = ClaimFactory(text=XSS)
    AppearanceFactory(claim=claim, source=SourceFactory(name=XSS), quote=XSS)
    EvidenceFactory(claims=[claim], title=XSS)
    login(viewer)

    page.goto(reverse("claims:detail", args=[claim.public_id]))

    expect(page.get_by_role("heading", level=1)).to_have_text(XSS)
    assert page.evaluate("window.__pwned") is None
    # Read-only for a viewer.
    expect(page.get_by_role("link", name="Add appearance")).to_have_count(0)
    expect(page.get_by_role("button", name="Attach")).to_have_count(0)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_analyst_uploads_a_file_and_relates_another_claim(
    page, login, analyst, sent_captures, allow_page_problems
):
    claim = ClaimFactory(text="Ships were stopped in the strait")
    ClaimFactory(text="Grain ships sailed freely")
    login(analyst)
    page.goto(reverse("claims:detail", args=[claim.public_id]))
    graph = page.locator(f'.graph-panel[data-claim="{claim.public_id}"]')
    expect(graph).to_have_attribute("data-ready", "true")
    expect(graph).to_have_attribute("data-node-count", "1")  # the claim alone

    # A refused list comes back into the page with the error next to it, text kept.
    page.get_by_label("Many URLs").fill("https://ok.example/1\nnot a url")
    page.get_by_role("button", name="Attach").click()
    expect(page.locator("#evidence-section .errorlist")).to_contain_text("not a url")
    expect(page.get_by_label("Many URLs")).to_have_value("https://ok.example/1\nnot a url")
    allow_page_problems(lambda problem: "status of 400" in problem)
    page.get_by_label("Many URLs").fill("")

    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}]
    )
    section = page.locator("#evidence-section")
    section.get_by_label("Kind").select_option("document")
    section.get_by_label("Title").fill("Port authority report")
    page.get_by_role("button", name="Attach").click()
    card = page.locator("#evidence-cards .card.evidence")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Port authority report")
    expect(card.locator(".capture-queued")).to_be_visible()
    assert len(sent_captures) == 1
    # The graph on the page fetched itself again: the evidence is in it, no reload needed.
    expect(graph).to_have_attribute("data-node-count", "3")  # claim, evidence, its capture
    evidence_nodes = page.evaluate(
        """(id) => window.claimtrailGraphs[id].cy.nodes('[type = "evidence"]')
                     .map((node) => node.data("label"))""",
        str(claim.public_id),
    )
    assert evidence_nodes == ["Port authority report"]

    page.get_by_label("Find the other claim").press_sequentially("grain", delay=10)
    page.locator("#relation-choices").get_by_label(re.compile("Grain ships sailed")).check()
    page.get_by_label("How they relate").select_option("contradicts")
    page.get_by_role("button", name="Relate").click()
    related = page.locator("#related-section .related")
    expect(related).to_contain_text("contradicts")
    expect(related).to_contain_text("Grain ships sailed freely")
    assert claim.relations_out.get().kind == "contradicts"
