"""Every main page, opened by the persona who uses it over the demo case (load_demo), has
no serious or critical axe-core violation, at laptop and at phone width; and screenshots.

`SCREENSHOTS=var/screenshots pytest tests/browser/test_accessibility.py` also saves each
page at LAPTOP and PHONE width as <page>-laptop.png / <page>-phone.png in that folder
(not committed). Pages other helpers build (claim page, history, review queue) are
included whatever state they are in: the sweep is re-run once everything is merged.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.demo import demo_main_claim
from claims.models import Claim
from provenance.capture import services as capture_services
from provenance.models import Capture
from sources.models import Source
from tests.browser.conftest import LAPTOP, PHONE, assert_accessible

# (name, persona, address); the persona is a role name or None for an anonymous visitor.
PAGES = [
    ("login", None, lambda demo: "/accounts/login/"),
    ("dashboard", "analyst", lambda demo: "/"),
    ("claim-list", "analyst", lambda demo: "/claims/?q=drone"),
    ("claim", "analyst", lambda demo: f"/claims/{demo['claim']}/"),
    ("history", "editor", lambda demo: f"/claims/{demo['claim']}/history/"),
    ("source-list", "analyst", lambda demo: "/sources/"),
    ("source", "analyst", lambda demo: f"/sources/{demo['source']}/"),
    ("review-queue", "editor", lambda demo: "/claims/review/"),
    ("public", None, lambda demo: f"/c/{demo['claim']}/"),
    ("not-found", "viewer", lambda demo: "/no-such-page/"),
]


@pytest.fixture
def demo(monkeypatch):
    """The Kremlin drone case, its captures never sent to a worker: one still queued, one
    failed with its reason, as a morning's dashboard shows them."""
    monkeypatch.setattr(capture_services, "_send", lambda capture_id, **_: None)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    failed = Capture.objects.order_by("id").first()
    Capture.objects.filter(pk=failed.pk).update(
        status=Capture.Status.FAILED,
        error_code="dns",
        error_message="The host name could not be resolved.",
        finished_at=timezone.now(),
    )
    claim = demo_main_claim()
    source = Source.objects.filter(appearances__claim=claim).order_by("id").first()
    return {"claim": claim.public_id, "source": source.public_id, "count": Claim.objects.count()}


@pytest.fixture
def personas(viewer, analyst, editor):
    return {"viewer": viewer, "analyst": analyst, "editor": editor}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "persona", "address"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_accessible_at_laptop_and_phone_width(
    page, login, allow_page_problems, demo, personas, name, persona, address
):
    if persona:
        login(personas[persona])
    screenshots = os.environ.get("SCREENSHOTS")
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        response = page.goto(address(demo))
        assert response.status == (404 if name == "not-found" else 200), page.url
        assert_accessible(page)
        if screenshots:
            folder = Path(screenshots)
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)
    if name == "not-found":  # Chromium logs the failed load of a 404 document
        allow_page_problems(lambda problem: "404" in problem)
