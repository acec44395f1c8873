"""Web application benchmark: the claim page and its provenance graph at 500 appearances.

Needs PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
claimtrail_bench_ui, created if missing and migrated; **emptied** at the start of every
run) and Debian's Chromium at /usr/bin/chromium (driven by Playwright). From a fresh clone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrail_bench_ui \\
        .venv/bin/python bench/ui.py                     # 500 appearances
    .venv/bin/python bench/ui.py --appearances 50 --repeat 5 --browser-repeat 3   # quick

The data is built through the services an analyst's requests go through (source_create,
claim_create, appearance_create with derived_from, evidence_create): one claim with
--appearances appearances from --appearances/5 sources, about half of them derived from
an earlier one (a tenth of those from a second claim's appearances), and 10 evidence
items. Capture tasks are not sent; their rows are then marked finished, as a worker would
leave them, so the page has nothing to poll for.

Measures, as an analyst:

  claim_page      GET /claims/<id>/ rendered server-side through Django's test client
                  (median of --repeat). Floor: GET /api/claims/<id>/, the JSON detail the
                  page is built from, in the same run. Target: value < 300 ms.
  graph_layout    Cytoscape + dagre laying the graph out in headless Chromium, read from
                  window.claimtrailGraphs[<id>].layoutMs (median of --browser-repeat page
                  loads from a live server on 127.0.0.1). Target: value < 1,000 ms.
  graph_ready     from navigation start to the panel's data-ready="true" (page, scripts,
                  the graph request, layout and the list under the graph).
  Floor of both graph figures: the graph request's duration as the browser saw it
  (GET /api/claims/<id>/graph/, Resource Timing) on the same page loads; the in-process
  time of the same endpoint is printed too (graph_endpoint).

Runs with DEBUG=false and the static files collected (into a temporary STATIC_ROOT
removed at exit; production's manifest storage) and served by WhiteNoise, like
production; HTTPS redirects and secure cookies off, as the live server speaks plain HTTP
on loopback.
The last line printed is JSON: {"<measure>": {"value", "floor", "ratio", "unit"}, ...}.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._database import ensure_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/claimtrail_bench_ui"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 900}
TARGET_PAGE_MS = 300.0
TARGET_LAYOUT_MS = 1000.0
EVIDENCE_ITEMS = 10
UPSTREAM_CLAIM_APPEARANCES = 20

# Records when the graph panel reports ready, relative to navigation start (performance.now()).
_READY_PROBE = """
document.addEventListener("graph:ready", () => { window.__benchReadyMs = performance.now(); });
"""


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appearances", type=int, default=500, help="appearances (500)")
    parser.add_argument("--repeat", type=int, default=20, help="timed server-side requests")
    parser.add_argument("--browser-repeat", type=int, default=10, help="timed page loads")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data")
    args = parser.parse_args()
    if args.appearances < 10:
        parser.error("--appearances must be at least 10")
    return args


def _prepare_environment(static_root: str) -> str:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrail.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
    os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ["STATIC_ROOT"] = static_root
    # The Playwright sync API keeps an event loop in this thread; the ORM calls made beside
    # it (building the session) really are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return os.environ["DATABASE_URL"]


# --- Data ---------------------------------------------------------------------------------


def build(*, appearances: int, seed: int):
    """The claim to measure, built through the services; returns (claim, analyst)."""
    from unittest import mock

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from claims.services import claim_create
    from claimtrail.roles import ANALYST, ensure_role_groups
    from provenance.models import Capture, CaptureStatus
    from provenance.services import appearance_create, evidence_create
    from sources.services import source_create

    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(seed)
    analyst = User.objects.create_user(username="bench-analyst")
    analyst.groups.add(ensure_role_groups()[ANALYST])
    started = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
    # No capture task is sent (no broker, no worker); the rows are finished below.
    with (
        mock.patch("provenance.capture.services._enqueue_on_commit"),
        transaction.atomic(),
    ):
        sources = [
            source_create(actor=analyst, name=f"Bench outlet {n}", kind="outlet")
            for n in range(max(2, appearances // 5))
        ]
        upstream_claim = claim_create(actor=analyst, text="An earlier version of the story")
        earlier = [
            appearance_create(
                actor=analyst,
                claim=upstream_claim,
                source=rng.choice(sources),
                stance="repeats",
                quote=f"Earlier report number {n}",
                published_at=started - timedelta(hours=UPSTREAM_CLAIM_APPEARANCES - n),
            )
            for n in range(UPSTREAM_CLAIM_APPEARANCES)
        ]
        claim = claim_create(
            actor=analyst,
            text="A drone struck the Kremlin dome overnight",
            tags=["drones", "moscow"],
        )
        made = []
        for n in range(appearances):
            upstreams = []
            if made and n % 2 == 1:
                pool = earlier if rng.random() < 0.1 else made
                upstreams = [rng.choice(pool)]
            made.append(
                appearance_create(
                    actor=analyst,
                    claim=claim,
                    source=rng.choice(sources),
                    stance=rng.choice(["repeats", "repeats", "reports", "quotes", "denies"]),
                    quote=f"Report {n}: the dome was hit by a drone, witnesses say.",
                    url=f"https://news{n % 40}.example/story/{n}",
                    published_at=started + timedelta(minutes=n),
                    derived_from=upstreams,
                )
            )
        for n in range(EVIDENCE_ITEMS):
            evidence_create(
                actor=analyst,
                kind="image",
                url=f"https://media.example/photo-{n}.jpg",
                title=f"Photo {n} of the dome",
                claim_links=[(claim, rng.choice(["supports", "refutes", "context"]))],
            )
    now = timezone.now()
    Capture.objects.update(
        status=CaptureStatus.SUCCEEDED,
        started_at=now,
        finished_at=now,
        http_status=200,
        content_type="image/jpeg",
        size=123_456,
        sha256="0" * 64,
    )
    return claim, analyst


# --- Measuring ----------------------------------------------------------------------------


def median_ms(fn, repeat: int, warm: int = 3) -> float:
    for _ in range(warm):
        fn()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _figure(value: float, floor: float, unit: str = "ms") -> dict:
    return {
        "value": round(value, 2),
        "floor": round(floor, 2),
        "ratio": round(value / floor, 2) if floor else None,
        "unit": unit,
    }


def _getter(client, url: str, *, expect: bytes):
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}.")
        body = response.content
        if expect not in body:
            raise SystemExit(f"GET {url} does not show {expect!r}.")
        return body

    return get


def measure_server(claim, analyst, *, repeat: int, appearances: int) -> dict:
    """The server-rendered page and the API detail it is built from, in-process."""
    from django.test import Client
    from rest_framework.test import APIClient

    page_client, api_client = Client(), APIClient()
    page_client.force_login(analyst)
    api_client.force_authenticate(analyst)
    last_quote = f"Report {appearances - 1}:".encode()
    page = _getter(page_client, f"/claims/{claim.public_id}/", expect=last_quote)
    detail = _getter(api_client, f"/api/claims/{claim.public_id}/", expect=last_quote)
    graph = _getter(api_client, f"/api/claims/{claim.public_id}/graph/", expect=b'"nodes"')
    shown = len(json.loads(detail())["appearances"])
    if shown != appearances:
        raise SystemExit(f"The API detail shows {shown} appearances, not {appearances}.")
    print(f"Claim page: {len(page()) / 1024:.0f} KiB of HTML.")
    figures = {"claim_page": _figure(median_ms(page, repeat), median_ms(detail, repeat))}
    return figures, median_ms(graph, repeat)


def _session_cookie(analyst, url: str) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(analyst.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = analyst.get_session_auth_hash()
    session.save()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


class LiveServer:
    """Django's live server thread (the one pytest-django's live_server uses) on 127.0.0.1."""

    def __enter__(self):
        from django.test.testcases import LiveServerThread

        self.thread = LiveServerThread("127.0.0.1", lambda handler: handler)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://127.0.0.1:{self.thread.port}"
        return self

    def __exit__(self, *exc):
        self.thread.terminate()


_PAGE_FIGURES = """(id) => {
  const g = window.claimtrailGraphs[id];
  const graph = performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/graph/")).pop();
  return {layout: g.layoutMs, ready: window.__benchReadyMs,
          fetch: graph ? graph.responseEnd - graph.startTime : null,
          nodes: g.cy.nodes().length, visible: g.visibleNodeCount(),
          edges: g.cy.edges().length};
}"""


def measure_browser(claim, analyst, *, repeat: int) -> tuple[dict, dict]:
    """Page loads in headless Chromium: layout time, time to ready, the graph request."""
    from playwright.sync_api import sync_playwright

    problems = []
    runs = []
    with LiveServer() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
            context.add_init_script(_READY_PROBE)
            context.add_cookies([_session_cookie(analyst, server.url)])
            context.set_default_timeout(60_000)
            page = context.new_page()
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type == "error" else None,
            )
            for n in range(repeat + 1):  # the first load warms caches and is not counted
                page.goto(f"/claims/{claim.public_id}/")
                page.wait_for_selector(".graph-panel[data-ready='true']", state="attached")
                run = page.evaluate(_PAGE_FIGURES, str(claim.public_id))
                if n:
                    runs.append(run)
        finally:
            browser.close()
    if problems:
        raise SystemExit("The page reported errors: " + "; ".join(problems[:5]))
    fetch = statistics.median(run["fetch"] for run in runs)
    figures = {
        "graph_layout": _figure(statistics.median(run["layout"] for run in runs), fetch),
        "graph_ready": _figure(statistics.median(run["ready"] for run in runs), fetch),
    }
    return figures, runs[-1]


def print_table(figures: dict, *, appearances: int, repeat: int, browser_repeat: int) -> None:
    targets = {
        "claim_page": lambda f: f["value"] < TARGET_PAGE_MS,
        "graph_layout": lambda f: f["value"] < TARGET_LAYOUT_MS,
    }
    print(
        f"\n{appearances:,} appearances; medians of {repeat} requests (server) and "
        f"{browser_repeat} page loads (browser); load average "
        + " ".join(f"{load:.1f}" for load in os.getloadavg())
        + f" on {os.cpu_count()} cores"
    )
    print(f"{'measure':<16}{'value ms':>10}{'floor ms':>10}{'ratio':>9}  target")
    for name, f in figures.items():
        check = targets.get(name)
        verdict = "" if check is None else ("ok" if check(f) else "MISSED")
        ratio = f"{f['ratio']:>8.2f}×" if f["ratio"] is not None else f"{'':>9}"
        floor = f"{f['floor']:>10.2f}" if f["floor"] else f"{'':>10}"
        print(f"{name:<16}{f['value']:>10.2f}{floor}{ratio}  {verdict}")


def main() -> None:
    args = _parse_args()
    static_root = tempfile.mkdtemp(prefix="claimtrail-bench-ui-static-")
    try:
        run(args, static_root)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def run(args: argparse.Namespace, static_root: str) -> None:
    database_url = _prepare_environment(static_root)
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/ui.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"bench/ui.py needs Chromium at {CHROMIUM}.")
    ensure_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    started = time.perf_counter()
    call_command("collectstatic", verbosity=0, interactive=False)
    print(f"Static files collected in {time.perf_counter() - started:.1f} s.")
    started = time.perf_counter()
    claim, analyst = build(appearances=args.appearances, seed=args.seed)
    print(
        f"Built a claim with {args.appearances:,} appearances through the services in "
        f"{time.perf_counter() - started:.1f} s."
    )
    figures, endpoint_ms = measure_server(
        claim, analyst, repeat=args.repeat, appearances=args.appearances
    )
    browser, last = measure_browser(claim, analyst, repeat=args.browser_repeat)
    figures.update(browser)
    figures["graph_endpoint"] = _figure(endpoint_ms, 0)
    print(
        f"Graph: {last['nodes']} nodes ({last['visible']} shown; captures hidden), "
        f"{last['edges']} edges."
    )
    print_table(
        figures,
        appearances=args.appearances,
        repeat=args.repeat,
        browser_repeat=args.browser_repeat,
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
