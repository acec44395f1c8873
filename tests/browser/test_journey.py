"""Issue 9's journey in Chromium, end to end, as three people in three browser contexts.

An analyst logs in through the login form, creates a claim, adds an appearance with a new
source and a second one derived from it, attaches evidence by URL (served on loopback and
captured) and by upload, and sees both appearances on the timeline and everything in the
graph. An editor submits it for review, publishes it from the review workspace, then sees
the analyst's later appearance marked as changed since publication and publishes again. An
anonymous visitor reads the published revision at /c/<uuid>/ and reaches no draft. Markup
in the claim text, a quote and a source name stays text on every page: nothing runs.

`SCREENSHOTS=<folder>` also saves each main step as journey-<step>-laptop.png and
journey-<step>-phone.png there (the convention of test_accessibility.py).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from provenance.capture import services as capture_services
from provenance.capture.services import capture_run
from tests.browser.conftest import LAPTOP, PHONE, assert_accessible
from tests.factories import ClaimFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401 (fixtures)
    capture_settings_fixture,
    http_server_fixture,
    png_bytes,
)

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
CLAIM_TEXT = f"Drones struck the Novoshakhtinsk refinery {XSS}"
ARTICLE = (
    b"<!doctype html><html><head><title>Plant fire</title></head>"
    b"<body><p>Smoke over the refinery.</p></body></html>"
)


@pytest.fixture
def sent_captures(monkeypatch, capture_settings):
    """Captures are kept for the test to run when it chooses, not sent to a broker."""
    capture_settings.CAPTURE_BROWSER_ENABLED = False
    sent: list[int] = []
    monkeypatch.setattr(capture_services, "_send", lambda capture_id, **_: sent.append(capture_id))
    return sent


def snapshot(page, step: str) -> None:
    """With SCREENSHOTS set, save the page at laptop and phone width."""
    folder = os.environ.get("SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)  # let the graph fit its resized canvas
        page.screenshot(path=Path(folder) / f"journey-{step}-{label}.png", full_page=True)


def log_in(page, user) -> None:
    """Through the login form, as a person does (factory password: pw-<username>)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(f"pw-{user.username}")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def nothing_ran(page) -> None:
    assert page.evaluate("window.__pwned") is None, f"markup ran on {page.url}"


def graph(page, claim_id: str) -> dict:
    page.wait_for_selector(".graph-panel[data-ready='true']")
    return page.evaluate(
        """(id) => { const cy = window.claimtrailGraphs[id].cy;
            const count = (items) => items.reduce((seen, item) => {
                const type = item.data("type"); seen[type] = (seen[type] || 0) + 1; return seen;
            }, {});
            return {nodes: count(cy.nodes()), edges: count(cy.edges()),
                    labels: cy.nodes().map((node) => node.data("label")),
                    origins: window.claimtrailGraphs[id].origins.map(
                        (origin) => cy.getElementById(origin).data("label"))}; }""",
        claim_id,
    )


def add_appearance(page, *, source, kind, stance, published, quote="", derived_from=None):
    page.get_by_role("link", name="Add appearance").click()
    form = page.locator("#appearance-form")
    expect(form).to_be_visible()
    form.get_by_label("New source name").fill(source)
    form.get_by_label("New source kind").select_option(kind)
    form.get_by_label("Stance").select_option(stance)
    form.get_by_label("Published").fill(published)
    if quote:
        form.get_by_label("Quote", exact=True).fill(quote)
        form.get_by_label("Quote language").fill("en")
    if derived_from:
        form.locator("#upstream-choices").get_by_label(re.compile(derived_from)).check()
    form.get_by_role("button", name="Add appearance").click()
    expect(page.locator(".timeline")).to_contain_text(source)


@pytest.mark.django_db(transaction=True)
def test_analyst_enters_editor_publishes_and_the_public_reads_it(
    page, other_person, analyst, editor, http_server, sent_captures, allow_page_problems
):
    article_url = http_server.route("/plant-fire", ARTICLE, content_type="text/html")
    draft = ClaimFactory(text="A draft nobody published")

    # --- The analyst: log in, create the claim. -----------------------------------------
    log_in(page, analyst)
    page.get_by_role("link", name="New claim").click()  # on the dashboard, after login
    page.get_by_label("Text").fill(CLAIM_TEXT)
    page.get_by_label("Tags").fill("energy")
    snapshot(page, "01-new-claim")
    page.get_by_role("button", name="Create claim").click()
    page.wait_for_url(re.compile(r"/claims/[0-9a-f-]{36}/$"))
    claim_id = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(CLAIM_TEXT)

    # Two appearances, the second derived from the first; the markup stays text.
    add_appearance(
        page,
        source="Night Channel",
        kind="channel",
        stance="asserts",
        published="2024-03-12",
        quote=f"Fire at the plant {XSS}",
    )
    add_appearance(
        page,
        source=f"Relay {XSS}",
        kind="channel",
        stance="repeats",
        published="2024-03-13",
        derived_from="Night Channel",
    )
    timeline = page.locator(".timeline .appearance")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("Night Channel")
    expect(timeline.first.locator("blockquote")).to_have_text(f"Fire at the plant {XSS}")
    expect(timeline.nth(1).locator(".source")).to_have_text(f"Relay {XSS}")
    expect(timeline.nth(1).locator(".derived")).to_contain_text("Night Channel")

    # Evidence by URL, captured from the loopback server; and a file upload.
    evidence = page.locator("#evidence-section")
    evidence.get_by_label("URL", exact=True).fill(article_url)
    evidence.get_by_label("Title").fill("Local news report")
    evidence.get_by_role("button", name="Attach").click()
    expect(page.locator("#evidence-cards .card.evidence")).to_have_count(1)
    evidence = page.locator("#evidence-section")
    evidence.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "smoke.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    evidence.get_by_label("Kind").select_option("image")
    evidence.get_by_label("It is").select_option("supports")
    evidence.get_by_label("Title").fill("Photo of the smoke")
    evidence.get_by_role("button", name="Attach").click()
    cards = page.locator("#evidence-cards .card.evidence")
    expect(cards).to_have_count(2)
    assert len(sent_captures) == 2
    for capture_id in sent_captures:
        capture_run(capture_id=capture_id)
    # The page polls the captures' status until both are done.
    expect(page.locator("#evidence-cards .capture-succeeded")).to_have_count(2, timeout=15_000)
    expect(page.locator("#evidence-cards")).to_contain_text("Local news report")
    expect(page.locator("#evidence-cards")).to_contain_text("Photo of the smoke")

    # The graph: the claim, both appearances (one derived from the other), both
    # sources, both evidence items and their captures: the fetch and the upload, and the
    # browser capture of the URL recorded as skipped (browser captures are off in tests).
    # (The graph is drawn when the page loads; evidence attached through htmx appears in
    # it on the next load.)
    page.reload()
    state = graph(page, claim_id)
    assert state["nodes"] == {
        "claim": 1,
        "appearance": 2,
        "source": 2,
        "evidence": 2,
        "capture": 3,
    }
    assert state["edges"]["derived_from"] == 1
    assert state["edges"]["made_by"] == 2
    assert len(state["origins"]) == 1  # the first appearance, which derives from nothing
    assert state["origins"][0].startswith("Night Channel")
    assert any(XSS in label for label in state["labels"])  # a label, as text
    nothing_ran(page)
    assert_accessible(page)
    snapshot(page, "02-claim-entered")

    # --- The editor: submit for review, publish from the review workspace. --------------
    desk = other_person()
    log_in(desk, editor)
    desk.goto(f"/claims/{claim_id}/")
    desk.get_by_role("button", name="Submit for review").click()
    expect(desk.locator(".messages")).to_contain_text("Review recorded: in review")
    desk.goto("/claims/review/")
    desk.locator(f'a[href="/claims/review/{claim_id}/"]').first.click()
    desk.wait_for_url(f"**/claims/review/{claim_id}/")
    assert graph(desk, claim_id)["nodes"]["appearance"] == 2
    desk.get_by_label("Verdict").select_option("supported")
    desk.get_by_label("Credibility").select_option("2")
    desk.get_by_label("Comment").fill("Geolocated smoke matches the plant.")
    nothing_ran(desk)
    snapshot(desk, "03-review-workspace")
    desk.get_by_role("button", name="Publish").click()
    expect(desk.locator(".messages")).to_contain_text("Review recorded: published")

    # --- The analyst changes the claim: a third appearance. -----------------------------
    page.goto(f"/claims/{claim_id}/")
    add_appearance(
        page,
        source="Regional Daily",
        kind="outlet",
        stance="repeats",
        published="2024-03-14",
        derived_from="Night Channel",
    )
    expect(page.locator(".timeline .appearance")).to_have_count(3)

    # Until an editor publishes again, the public reads revision 1 without it.
    visitor = other_person()
    visitor.goto(f"/c/{claim_id}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(CLAIM_TEXT)
    expect(visitor.locator("main")).to_contain_text("revision 1")
    expect(visitor.locator("main")).not_to_contain_text("Regional Daily")

    # --- The editor sees the change as unpublished, with the diff, and republishes. ----
    desk.goto(f"/claims/{claim_id}/")
    changed = desk.locator("section.changed")
    expect(changed.get_by_role("heading")).to_have_text("Changed since publication")
    expect(changed.locator("table.diff")).to_contain_text("Appearance by Regional Daily")
    nothing_ran(desk)
    snapshot(desk, "04-changed-since-publication")
    desk.get_by_role("button", name="Publish again").click()
    expect(desk.locator(".messages")).to_contain_text("Review recorded: published")
    expect(desk.locator("section.changed")).to_have_count(0)

    # --- The anonymous visitor: the current revision, and no draft. ---------------------
    visitor.goto(f"/c/{claim_id}/")
    main = visitor.locator("main")
    expect(main).to_contain_text("revision 2")
    expect(main).to_contain_text("Regional Daily")
    expect(main).to_contain_text(f"Fire at the plant {XSS}")
    expect(main).to_contain_text(f"Relay {XSS}")
    nothing_ran(visitor)
    assert_accessible(visitor)
    snapshot(visitor, "05-public-page")
    # The preserved copy of the captured article downloads without a login.
    copy = main.get_by_role("link", name="Preserved copy").first
    download = visitor.request.get(copy.get_attribute("href"))
    assert download.status == 200
    assert download.body() == ARTICLE
    assert download.headers["content-disposition"].startswith("attachment")

    visitor.goto(f"/claims/{claim_id}/")
    assert re.search(r"/accounts/login/\?next=/claims/", visitor.url), visitor.url
    response = visitor.goto(f"/c/{draft.public_id}/")
    assert response.status == 404
    expect(visitor.locator("main")).not_to_contain_text("A draft nobody published")
    response = visitor.goto(f"/c/{claim_id}/history/")
    assert response.status == 404
    allow_page_problems(lambda problem: "404" in problem)  # Chromium logs the 404 loads
