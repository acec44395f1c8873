"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test opens is watched: a console error, an uncaught exception or a Content
Security Policy violation fails the test at teardown (the policy allows no inline script,
so a page that needs one is broken in production too). The `login` fixture signs a user in
by session cookie; `assert_accessible(page)` runs axe-core and fails on serious or
critical violations.
"""

import os

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Reports CSP violations to the console, where the page fixture collects them. Init
# scripts run through the DevTools protocol, so the policy itself does not block this one.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def pytest_collection_modifyitems(config, items):
    if os.access(CHROMIUM, os.X_OK):
        return
    skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM}")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Playwright's sync API keeps an event loop running in
    the test's thread while it is open, and Django's ORM refuses to run beside one unless
    told the calls really are synchronous (they are); the flag is set only meanwhile, so it
    never reaches other tests or the subprocesses they start (`check --deploy` rejects it).
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_problems():
    """Console errors, page errors and CSP violations seen by the test's pages."""
    return []


def _new_context(browser, base_url: str):
    """A browser context on the live server that reports CSP violations to the console."""
    context = browser.new_context(base_url=base_url, viewport=LAPTOP)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    context.set_default_timeout(10_000)
    return context


def _watched_page(context, problems: list):
    """A new page whose console errors and uncaught exceptions land in `problems`."""
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return page


@pytest.fixture
def browser_context(browser, live_server, page_problems):
    context = _new_context(browser, live_server.url)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, page_problems):
    page = _watched_page(browser_context, page_problems)
    yield page
    assert page_problems == [], "the page reported problems"


@pytest.fixture
def other_person(browser, live_server, page, page_problems):
    """`other_person()`: a page in a new browser context (its own cookies: another user,
    or a visitor), watched like `page`'s: its problems fail the test too."""
    contexts = []

    def open_page():
        contexts.append(_new_context(browser, live_server.url))
        return _watched_page(contexts[-1], page_problems)

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def allow_page_problems(page_problems):
    """For a test that provokes an error on purpose (a 404 page logs the failed load)."""

    def allow(predicate):
        page_problems[:] = [problem for problem in page_problems if not predicate(problem)]

    return allow


@pytest.fixture
def login(browser_context, live_server):
    """`login(user)` signs `user` in by giving the browser a session cookie (no form)."""

    def sign_in(user) -> None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key}
        browser_context.add_cookies([{**cookie, "url": live_server.url}])

    return sign_in


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"accessibility violations on {page.url}"
