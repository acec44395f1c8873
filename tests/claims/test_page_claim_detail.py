"""The claim page /claims/<uuid>/ and its live evidence fragment (server side)."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.services import claim_review, claim_update
from provenance.models import Capture
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    UserFactory,
)

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(claim) -> str:
    return reverse("claims:detail", args=[claim.public_id])


def succeed(evidence, **fields) -> Capture:
    capture = evidence.captures.get()
    Capture.objects.filter(pk=capture.pk).update(
        status="succeeded",
        sha256="ab" * 32,
        blob="captures/ab/blob",
        warc="captures/ab/warc.gz",
        content_type="image/jpeg",
        size=3,
        finished_at=timezone.now(),
        **fields,
    )
    return capture


def test_anonymous_visitor_is_sent_to_login(db):
    claim = ClaimFactory()
    response = Client().get(page_url(claim))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_claim_is_404(viewer):
    response = client_for(viewer).get("/claims/7d3c6a9e-0000-4000-8000-000000000000/")
    assert response.status_code == 404


def test_viewer_reads_the_claim_timeline_and_evidence_without_write_controls(viewer):
    claim = ClaimFactory(text="Drones were seen over the plant", tags=["energy"])
    source = SourceFactory(name="Daily Herald", state_affiliated=True, reliability="D")
    first = AppearanceFactory(
        claim=claim,
        source=source,
        published_at=datetime(2023, 5, 1, tzinfo=UTC),
        published_precision="month",
        quote="Дроны над заводом",
        quote_language="ru",
        quote_translation="Drones over the plant",
        url="https://herald.example/story/1",
    )
    AppearanceFactory(
        claim=claim,
        source=SourceFactory(name="Repeater Channel"),
        stance="repeats",
        published_at=datetime(2023, 5, 3, tzinfo=UTC),
        published_precision="day",
        derived_from=[first],
    )
    evidence = EvidenceFactory(claims=[claim], title="The photo", relation="supports")
    succeed(evidence)

    response = client_for(viewer).get(page_url(claim))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Drones were seen over the plant" in html
    assert "energy" in html
    # Month precision reads as a month, day precision as a day; the origin comes first.
    assert html.index("May 2023") < html.index("3 May 2023")
    assert "Daily Herald" in html and "State-affiliated" in html and "Reliability D" in html
    assert 'lang="ru"' in html and "Drones over the plant" in html
    assert "Derived from:" in html and f'href="#appearance-{first.public_id}"' in html
    assert "The photo" in html and 'class="badge capture-succeeded"' in html
    assert "ab" * 32 in html
    capture = evidence.captures.get()
    assert reverse("capture-warc", args=[capture.public_id]) in html
    assert reverse("capture-blob", args=[capture.public_id]) in html
    # The credibility scale is explained; exports and history are linked.
    assert "Admiralty" in html and "truth cannot be judged" in html
    assert reverse("claim-prov", args=[claim.public_id]) + "?format=ttl" in html
    assert reverse("claims:history", args=[claim.public_id]) in html
    # Read-only: no form to write with, and the cards do not poll once captured.
    assert "Attach evidence" not in html and "Add appearance" not in html
    assert "Relate another claim" not in html
    assert 'hx-trigger="every 2s"' not in html


def test_analyst_gets_the_entering_controls(analyst):
    claim = ClaimFactory()
    html = client_for(analyst).get(page_url(claim)).content.decode()
    assert "Add appearance" in html
    assert reverse("claims:appearance-new", args=[claim.public_id]) in html
    assert "Attach evidence" in html and 'enctype="multipart/form-data"' in html
    assert "Relate another claim" in html


def test_user_text_is_escaped(viewer):
    claim = ClaimFactory(text=XSS, tags=["t"])
    AppearanceFactory(claim=claim, source=SourceFactory(name=XSS), quote=XSS)
    EvidenceFactory(claims=[claim], title=XSS)
    html = client_for(viewer).get(page_url(claim)).content.decode()
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html


def test_pending_capture_makes_the_cards_poll_until_it_finishes(viewer):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim])
    client = client_for(viewer)
    fragment = reverse("claims:evidence-cards", args=[claim.public_id])

    html = client.get(page_url(claim)).content.decode()
    assert f'hx-get="{fragment}" hx-trigger="every 2s"' in html
    assert 'class="badge capture-queued"' in html

    succeed(evidence)
    response = client.get(fragment)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="badge capture-succeeded"' in body
    assert "every 2s" not in body
    assert "<html" not in body  # the fragment only


def test_derived_from_an_appearance_of_another_claim_names_it(viewer):
    other = ClaimFactory(text="The earlier claim")
    upstream = AppearanceFactory(claim=other, source=SourceFactory(name="Origin Outlet"))
    claim = ClaimFactory()
    AppearanceFactory(
        claim=claim,
        derived_from=[upstream],
        published_at=datetime(2023, 6, 1, tzinfo=UTC),
    )
    html = client_for(viewer).get(page_url(claim)).content.decode()
    assert "Origin Outlet" in html and "The earlier claim" in html
    assert (
        reverse("claims:detail", args=[other.public_id]) + f"#appearance-{upstream.public_id}"
        in html
    )


def test_changed_since_publication_shows_the_diff(editor):
    claim = PublishedClaimFactory(text="Published wording")
    claim_update(claim=claim, actor=editor, text="Edited wording")
    html = client_for(editor).get(page_url(claim)).content.decode()
    assert "Changed since publication" in html
    assert "Published wording" in html and "Edited wording" in html


def test_changes_since_publication_read_in_words_not_paths(editor):
    from provenance.services import appearance_delete, appearance_update, evidence_update

    claim = PublishedClaimFactory(text="Published wording")
    ria = AppearanceFactory(
        claim=claim,
        source=SourceFactory(name="RIA Novosti"),
        quote="First wording",
        published_at=datetime(2023, 5, 3, tzinfo=UTC),
        published_precision="day",
    )
    gone = AppearanceFactory(claim=claim, source=SourceFactory(name="Deleted Daily"))
    photo = EvidenceFactory(claims=[claim], title="The photo", relation="supports")
    claim_review(claim=claim, actor=editor, to_state="published")
    appearance_update(appearance=ria, actor=editor, quote="Second wording", stance="repeats")
    appearance_delete(actor=editor, appearance=gone)
    AppearanceFactory(claim=claim, source=SourceFactory(name="Newcomer"), quote="New words")
    evidence_update(evidence=photo, actor=editor, claim_links=[(claim, "refutes")])

    response = client_for(editor).get(page_url(claim))

    rows = {row["what"]: (row["published"], row["now"]) for row in response.context["changes"]}
    assert rows["Appearance by RIA Novosti (3 May 2023): quote"] == (
        "First wording",
        "Second wording",
    )
    assert rows["Appearance by RIA Novosti (3 May 2023): stance"] == ("Asserts", "Repeats")
    assert rows["Evidence “The photo”: relation"] == ("Supports", "Refutes")
    removed = next(what for what in rows if "Deleted Daily" in what)
    assert rows[removed][1] is None and rows[removed][0]
    added = next(what for what in rows if "Newcomer" in what)
    assert rows[added][0] is None and "“New words”" in rows[added][1]
    html = response.content.decode()
    assert "appearances[" not in html.replace('title="appearances[', "")
    assert "Appearance by RIA Novosti (3 May 2023): quote</th>" in html


def test_changed_dates_read_as_dates_as_precisely_as_known(editor):
    from provenance.services import appearance_update

    claim = PublishedClaimFactory(first_seen=date(2023, 5, 2))
    appearance = AppearanceFactory(
        claim=claim,
        source=SourceFactory(name="TASS"),
        published_at=datetime(2023, 5, 3, 14, 5, tzinfo=UTC),
        published_precision="exact",
    )
    claim_review(claim=claim, actor=editor, to_state="published")
    claim_update(claim=claim, actor=editor, first_seen=date(2023, 5, 3))
    appearance_update(appearance=appearance, actor=editor, published_precision="month")

    response = client_for(editor).get(page_url(claim))

    rows = {row["what"]: (row["published"], row["now"]) for row in response.context["changes"]}
    assert rows["First seen"] == ("2 May 2023", "3 May 2023")
    assert rows["Appearance by TASS (May 2023): date"] == ("3 May 2023, 14:05 UTC", "May 2023")
    assert rows["Appearance by TASS (May 2023): date precision"] == ("Exact time", "Month")


def test_published_claim_shows_review_history(viewer):
    claim = PublishedClaimFactory()
    html = client_for(viewer).get(page_url(claim)).content.decode()
    assert "Review history" in html and "factory_editor" in html
    assert "Changed since publication" not in html


def browser_capture(evidence, **fields) -> Capture:
    """The browser capture beside `evidence`'s HTTP capture, as the worker leaves it."""
    values = {
        "status": "succeeded",
        "sha256": "cd" * 32,
        "warc": "captures/cd/warc.gz",
        "screenshot": "captures/cd/shot.png",
        "dom": "captures/cd/dom.html",
        "finished_at": timezone.now(),
        **fields,
    }
    return Capture.objects.create(
        evidence=evidence, method="browser", requested_url=evidence.url, **values
    )


def _claim_with(children: int):
    claim = ClaimFactory(tags=["a", "b"])
    other = ClaimFactory()
    upstream = AppearanceFactory(claim=other, published_at=datetime(2023, 1, 1, tzinfo=UTC))
    for n in range(children):
        AppearanceFactory(claim=claim, derived_from=[upstream] if n % 2 else [])
        evidence = EvidenceFactory(claims=[claim])
        if n % 2:
            succeed(evidence)
            browser_capture(evidence, status="failed", error_code="timeout", screenshot="")
            browser_capture(evidence)  # a later recapture: the one shown
    return claim


@pytest.mark.parametrize("children", [2, 30])
def test_claim_page_queries_do_not_grow_with_the_claim(
    analyst, children, django_assert_max_num_queries
):
    claim = _claim_with(children)
    client = client_for(analyst)
    # session, user, roles, the claim row (for the included panels), the detail's five
    # (claim + tags, appearances, evidence + latest capture, relations, review events),
    # appearances of other claims named as upstreams, the latest captures' stored files.
    with django_assert_max_num_queries(11):
        response = client.get(page_url(claim))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="card appearance"') == children
    assert html.count('class="browser-capture small" data-status="succeeded"') == children // 2


@pytest.mark.parametrize("children", [2, 30])
def test_evidence_fragment_queries_do_not_grow(viewer, children, django_assert_max_num_queries):
    claim = _claim_with(children)
    client = client_for(viewer)
    # session, user, roles, claim, evidence rows, capture files.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("claims:evidence-cards", args=[claim.public_id]))
    html = response.content.decode()
    assert html.count('class="card evidence"') == children
    assert html.count(">Rendered DOM</a>") == children // 2


@pytest.mark.parametrize("children", [2, 30])
def test_published_then_edited_claim_page_queries_do_not_grow(
    editor, children, django_assert_max_num_queries
):
    claim = _claim_with(children)
    claim_review(
        claim=claim, actor=editor, to_state="published", verdict="unverifiable", credibility=6
    )
    AppearanceFactory(claim=claim)  # changed since
    client = client_for(editor)
    # As above, plus the current revision with its payload, and (for the diff) whether
    # the upstreams of other claims are public (claims.revisions.working_diff).
    with django_assert_max_num_queries(13):
        response = client.get(page_url(claim))
    assert "Changed since publication" in response.content.decode()


@pytest.fixture
def no_role(db):
    from tests.factories import UserFactory

    return UserFactory(username="nora_norole")


def test_account_without_a_role_reads_the_public_page_instead(no_role):
    claim = PublishedClaimFactory()
    response = client_for(no_role).get(page_url(claim))
    assert response.status_code == 302
    assert response["Location"] == f"/c/{claim.public_id}/"


def test_account_without_a_role_cannot_poll_the_working_evidence(no_role):
    claim = PublishedClaimFactory()
    EvidenceFactory(claims=[claim], title="Added after publication")
    response = client_for(no_role).get(reverse("claims:evidence-cards", args=[claim.public_id]))
    assert response.status_code == 404
    assert b"Added after publication" not in response.content


def test_review_history_names_the_captures_relied_on(viewer):
    claim = ClaimFactory()
    capture = succeed(EvidenceFactory(claims=[claim]))
    claim_review(
        claim=claim,
        actor=UserFactory(roles=["editor"]),
        to_state="published",
        verdict="refuted",
        credibility=5,
        comment="The photo is from 2019",
    )
    html = client_for(viewer).get(page_url(claim)).content.decode()
    reviews = html[html.index("Review history") :]
    assert "The photo is from 2019" in reviews
    assert reverse("capture-detail", args=[capture.public_id]) in reviews
    assert "ab" * 32 in reviews


def test_thumbnail_is_shown_and_offered_as_a_download(viewer):
    claim = ClaimFactory()
    capture = succeed(EvidenceFactory(claims=[claim]), thumbnail="captures/ab/thumb.jpg")
    html = client_for(viewer).get(page_url(claim)).content.decode()
    thumbnail = reverse("capture-thumbnail", args=[capture.public_id])
    assert f'<a class="preview" href="{thumbnail}" download><img src="{thumbnail}"' in html
    assert reverse("capture-screenshot", args=[capture.public_id]) not in html


@pytest.mark.django_db
def test_vocabulary_shows_as_labels_not_stored_values(viewer, editor):
    from claims.services import claim_relation_create

    claim = ClaimFactory(text="Drones over the Kremlin")
    other = ClaimFactory(text="A wider campaign")
    claim_relation_create(actor=editor, from_claim=claim, to_claim=other, kind="part_of")
    AppearanceFactory(
        claim=claim, source=SourceFactory(name="Kremlin", kind="government_body"), stance="asserts"
    )
    EvidenceFactory(claims=[claim], kind="web_page", relation="context")

    html = client_for(viewer).get(page_url(claim)).content.decode()

    assert "<strong>part of</strong>" in html
    assert "Government body" in html and "Web page" in html and "Asserts" in html
    assert "partof" not in html and "governmentbody" not in html


def test_browser_capture_shows_what_a_reader_saw(viewer):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim], url="https://news.example/story")
    succeed(evidence)
    older = browser_capture(evidence, screenshot="captures/cd/old.png")
    browser = browser_capture(evidence)

    html = client_for(viewer).get(page_url(claim)).content.decode()

    screenshot = reverse("capture-screenshot", args=[browser.public_id])
    assert f'<a class="preview" href="{screenshot}" download><img src="{screenshot}"' in html
    assert reverse("capture-dom", args=[browser.public_id]) in html
    assert reverse("capture-warc", args=[browser.public_id]) in html
    assert reverse("capture-detail", args=[browser.public_id]) in html
    assert reverse("capture-screenshot", args=[older.public_id]) not in html
    assert 'data-status="succeeded"' in html and "partial" not in html


def test_browser_capture_that_never_finished_loading_is_marked_partial(viewer):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim], url="https://slow.example/")
    succeed(evidence)
    reason = "The page had not finished loading after 30 s: 3 requests still open"
    browser_capture(evidence, metadata={"partial": True, "partial_reason": reason})

    html = client_for(viewer).get(page_url(claim)).content.decode()

    assert '<span class="badge capture-partial">partial</span>' in html
    assert reason in html


def test_skipped_browser_capture_says_why_and_how_to_turn_it_on(viewer, settings, tmp_path):
    settings.CAPTURE_BROWSER_ENABLED = False
    settings.CAPTURE_BROWSER_PATH = str(tmp_path / "no-chromium")
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim], url="https://news.example/story", kind="web_page")
    assert evidence.captures.filter(method="browser", error_code="browser_off").exists()

    html = client_for(viewer).get(page_url(claim)).content.decode()

    card = html[html.index('class="browser-capture small"') :]
    assert card.startswith('class="browser-capture small" data-status="skipped"')
    assert '<span class="badge capture-skipped">not made</span>' in card
    assert "Chromium is not installed" in card and "apt-get install chromium" in card


def test_pending_browser_capture_keeps_the_cards_polling(viewer):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim])
    succeed(evidence)
    browser = browser_capture(evidence, status="fetching", screenshot="", dom="", warc="")
    client = client_for(viewer)
    fragment = reverse("claims:evidence-cards", args=[claim.public_id])

    html = client.get(fragment).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'data-status="fetching"' in html

    Capture.objects.filter(pk=browser.pk).update(
        status="failed", error_code="timeout", error_message="Chromium gave up after 60 s"
    )
    html = client.get(fragment).content.decode()
    assert 'hx-trigger="every 2s"' not in html
    assert "Chromium gave up after 60 s" in html


def test_an_appearance_known_only_to_the_year_shows_the_year(viewer):
    claim = ClaimFactory()
    AppearanceFactory(
        claim=claim,
        published_at=datetime(2023, 1, 1, tzinfo=UTC),
        published_precision="year",
    )
    html = client_for(viewer).get(page_url(claim)).content.decode()
    assert 'title="Precision: year">2023</time>' in html
    assert "1 January 2023" not in html
