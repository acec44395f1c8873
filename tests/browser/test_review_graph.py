"""The review workspace in a real browser: the provenance graph, the review queue's htmx
workspace, the editor's review actions, and markup in user text never running."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from claims.services import claim_review
from provenance.services import appearance_set_derived_from
from tests.browser.conftest import PHONE, assert_accessible
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)
XSS = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"


def _claim_with_chain(editor, *, text="Drone over the Kremlin"):
    """A claim in review: three appearances by three sources (b and c derive from a), one
    evidence item; so 1 claim + 3 appearances + 3 sources + 1 evidence (+ its capture)."""
    claim = ClaimFactory(text=text)
    a, b, c = (
        AppearanceFactory(
            claim=claim,
            source=SourceFactory(name=f"Source {name}"),
            published_at=datetime(2023, 5, 3, 6, n, tzinfo=UTC),
        )
        for n, name in enumerate("ABC")
    )
    appearance_set_derived_from(actor=editor, appearance=b, upstreams=[a])
    appearance_set_derived_from(actor=editor, appearance=c, upstreams=[b])
    EvidenceFactory(claims=[claim], title="Footage", relation="supports")
    claim_review(claim=claim, actor=editor, to_state="in_review")
    return claim, a


def _graph_state(page, claim):
    page.wait_for_selector(".graph-panel[data-ready='true']")
    return page.evaluate(
        """(id) => { const g = window.claimtrailGraphs[id];
            return {nodes: g.cy.nodes().length, visible: g.visibleNodeCount(),
                    types: g.visibleTypes(), origins: g.origins}; }""",
        str(claim.public_id),
    )


def test_graph_draws_the_claims_nodes_shows_details_and_filters_types(page, login, editor):
    claim, origin = _claim_with_chain(editor)
    login(editor)
    page.goto(f"/claims/review/{claim.public_id}/")

    state = _graph_state(page, claim)
    # claim, 3 appearances, 3 sources, 1 evidence, 1 capture (captures hidden at first)
    assert state["nodes"] == 9
    assert state["visible"] == 8
    assert state["types"] == ["appearance", "claim", "evidence", "source"]
    assert state["origins"] == [str(origin.public_id)]

    # Clicking a node (through Cytoscape's rendered position) shows its details.
    page.locator(".graph-canvas").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # Cytoscape re-reads its offset on scroll, debounced
    position = page.evaluate(
        """(id) => { const g = window.claimtrailGraphs[id.claim];
            const p = g.cy.getElementById(id.origin).renderedPosition();
            const box = g.cy.container().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y}; }""",
        {"claim": str(claim.public_id), "origin": str(origin.public_id)},
    )
    page.mouse.move(position["x"], position["y"])
    page.mouse.down()
    page.mouse.up()
    details = page.locator(".graph-details")
    expect(details).to_contain_text("Appearance (origin)")
    expect(details).to_contain_text("Source A")
    expect(details.get_by_role("link", name="Open its claim")).to_have_attribute(
        "href", f"/claims/{claim.public_id}/"
    )

    # Filters are real checkboxes: hiding sources hides their nodes and list items.
    page.get_by_label("Sources").uncheck()
    state = _graph_state(page, claim)
    assert state["visible"] == 5
    assert "source" not in state["types"]
    page.get_by_label("Captures").check()
    assert _graph_state(page, claim)["visible"] == 6

    # The text alternative lists the nodes and selects one from the keyboard.
    page.get_by_text("Show the graph as a list").click()
    items = page.locator(".graph-list-items li:not([hidden])")
    expect(items).to_have_count(6)
    button = page.get_by_role("button", name="Evidence: Footage")
    button.focus()
    page.keyboard.press("Enter")
    expect(details).to_contain_text("Footage")
    page.get_by_role("button", name="Fit").click()
    page.get_by_role("button", name="Re-layout").click()
    assert_accessible(page)


def test_graph_lays_out_a_few_hundred_nodes(page, login, editor):
    claim = ClaimFactory(text="A widely relayed claim")
    sources = SourceFactory.create_batch(20)
    start = datetime(2023, 5, 3, tzinfo=UTC)
    appearances = []
    for n in range(150):  # a binary tree of relays: n derives from (n - 1) // 2
        appearance = AppearanceFactory(
            claim=claim, source=sources[n % 20], published_at=start + timedelta(minutes=n)
        )
        if appearances:
            upstream = appearances[(n - 1) // 2]
            appearance_set_derived_from(actor=editor, appearance=appearance, upstreams=[upstream])
        appearances.append(appearance)
    claim_review(claim=claim, actor=editor, to_state="in_review")
    login(editor)
    page.goto(f"/claims/review/{claim.public_id}/")
    state = _graph_state(page, claim)
    assert state["nodes"] == 171
    layout_ms = page.evaluate("(id) => window.claimtrailGraphs[id].layoutMs", str(claim.public_id))
    assert layout_ms > 0  # laid out; how fast is bench/ui.py's graph_layout figure
    # A big graph is laid out along the wide canvas, so its nodes stay visible when fitted.
    panel = page.locator(".graph-panel")
    expect(panel).to_have_attribute("data-rank-dir", "BT")
    zoom = page.evaluate("(id) => window.claimtrailGraphs[id].cy.zoom()", str(claim.public_id))
    assert zoom > 0.2
    page.get_by_label("Layout").select_option("LR")
    expect(panel).to_have_attribute("data-rank-dir", "LR")


def test_editor_opens_a_claim_from_the_queue_and_publishes_it(
    page, login, editor, allow_page_problems
):
    claim, _ = _claim_with_chain(editor, text="Claim waiting for an editor")
    login(editor)
    page.goto("/claims/review/")
    assert_accessible(page)

    page.get_by_role("link", name="Claim waiting for an editor").click()
    # htmx brought the workspace into the queue page and pushed its address.
    page.wait_for_url(f"**/claims/review/{claim.public_id}/")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    _graph_state(page, claim)

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".errorlist")).to_contain_text("Set a verdict to publish.")
    page.get_by_label("Verdict").select_option("refuted")
    page.get_by_label("Credibility").select_option("5")
    page.get_by_label("Comment").fill("Geolocated: filmed elsewhere.")
    page.get_by_role("button", name="Publish").click()

    expect(page.locator(".messages")).to_contain_text("Review recorded: published, refuted.")
    # Back where the editor was: the workspace's own address.
    assert page.url.endswith(f"/claims/review/{claim.public_id}/")
    claim.refresh_from_db()
    assert (claim.review_state, claim.verdict, claim.credibility) == ("published", "refuted", 5)
    # The refused publication is a 400 page (the browser logs its status).
    allow_page_problems(lambda problem: "status of 400" in problem)


def test_analyst_sees_the_workspace_without_review_actions(page, login, analyst, editor):
    claim, _ = _claim_with_chain(editor)
    login(analyst)
    page.goto(f"/claims/review/{claim.public_id}/")
    _graph_state(page, claim)
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)


def test_markup_in_claims_and_sources_shows_as_text_in_queue_graph_and_history(page, login, editor):
    claim = ClaimFactory(text=XSS)
    AppearanceFactory(claim=claim, source=SourceFactory(name=XSS))
    claim_review(claim=claim, actor=editor, to_state="in_review")
    login(editor)
    page.goto("/claims/review/")
    expect(page.get_by_role("link", name="<script>window.__pwned=1")).to_be_visible()
    page.goto(f"/claims/review/{claim.public_id}/")
    _graph_state(page, claim)
    page.get_by_text("Show the graph as a list").click()
    page.get_by_role("button", name="Source: <script>").click()
    expect(page.locator(".graph-details")).to_contain_text("<script>window.__pwned=1</script>")
    page.goto(f"/claims/{claim.public_id}/history/")
    expect(page.locator("main")).to_contain_text("<script>window.__pwned=1</script>")
    assert page.evaluate("window.__pwned") is None


def test_history_and_merge_pages_are_accessible_on_a_phone(page, login, editor):
    claim, _ = _claim_with_chain(editor)
    target = ClaimFactory(text="Drone over the Kremlin, original report")
    login(editor)
    page.set_viewport_size(PHONE)
    page.goto(f"/claims/{claim.public_id}/history/")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/claims/{claim.public_id}/merge/")
    page.get_by_label("Find the claim to keep").fill("original report")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Preview merging into").click()
    expect(page.locator('[data-count="appearances"]')).to_have_text("3")
    assert_accessible(page)
    page.get_by_role("button", name="Merge and archive the duplicate").click()
    page.wait_for_url(f"**/claims/review/{target.public_id}/")
    expect(page.locator(".messages")).to_contain_text("Merged")


def test_claim_page_draws_the_graph_for_a_viewer(page, login, editor, viewer):
    """The claim page (not only the review workspace) loads the graph's scripts."""
    claim, origin = _claim_with_chain(editor)
    login(viewer)
    page.goto(f"/claims/{claim.public_id}/")

    state = _graph_state(page, claim)
    assert state["nodes"] == 9
    assert state["origins"] == [str(origin.public_id)]
    assert_accessible(page)


def test_graph_is_fitted_again_when_the_window_narrows(page, login, editor):
    claim, _ = _claim_with_chain(editor)
    login(editor)
    page.goto(f"/claims/{claim.public_id}/")
    _graph_state(page, claim)

    page.set_viewport_size(PHONE)

    inside = """(id) => {
        const cy = window.claimtrailGraphs[id].cy;
        const box = cy.elements().not(".type-hidden").renderedBoundingBox();
        const canvas = cy.container();
        return box.x1 >= 0 && box.y1 >= 0
            && box.x2 <= canvas.clientWidth && box.y2 <= canvas.clientHeight;
    }"""
    page.wait_for_function(inside, arg=str(claim.public_id), timeout=5_000)
