"""API latency benchmark: claim list, claim detail and search, each beside a floor.

Fills a PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
claimtrail_bench, created if missing) with --claims claims and their appearances, sources,
evidence, captures and tags, then measures the median latency of three API requests made
in-process through Django's test client, as a viewer:

  claim_list_100   GET /api/claims/?page_size=100
  claim_detail_50  GET /api/claims/<id>/ for a claim with 50 appearances
  search_q         GET /api/claims/?q=Kremlin&page_size=100

Each has a floor measured in the same run: the same rows read with one raw SQL query on a
plain psycopg2 connection and serialized with the json module. Target: each ≤ 3× its floor.
The last line printed is JSON: {"<measure>": {"value", "floor", "ratio", "unit"}, ...}.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrail_bench \
        .venv/bin/python bench/api.py --claims 10000

A fill is reused by the next run with the same --claims and --seed (--refill forces a new one).
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._database import ensure_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/claimtrail_bench"
TARGET_RATIO = 3.0
SEARCH_TERM = "Kremlin"
PAGE = 100


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=10_000, help="claims to fill (10,000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per measure")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the fill")
    parser.add_argument("--refill", action="store_true", help="refill even if a fill matches")
    return parser.parse_args()


def _prepare_environment() -> str:
    """Production-like settings for an in-process client; returns the database URL."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrail.settings")
    # DEBUG off: no query log, no debug toolbar-like overhead; no HTTPS redirect in-process.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    return os.environ["DATABASE_URL"]


# --- Floors: one raw query each, serialized with json ---------------------------------

LIST_COLUMNS = (
    "id",
    "text",
    "summary",
    "tags",
    "first_seen",
    "verdict",
    "credibility",
    "review_state",
    "created_by",
    "created_at",
    "updated_at",
    "reviewed_at",
    "appearance_count",
    "evidence_count",
)
_LIST_SELECT = """
SELECT c.public_id, c.text, c.summary,
       ARRAY(SELECT t.name FROM claims_claim_tags ct JOIN claims_tag t ON t.id = ct.tag_id
             WHERE ct.claim_id = c.id ORDER BY t.name),
       c.first_seen, c.verdict, c.credibility, c.review_state, u.username,
       c.created_at, c.updated_at, c.reviewed_at,
       (SELECT count(*) FROM provenance_appearance a WHERE a.claim_id = c.id),
       (SELECT count(*) FROM provenance_evidenceclaim ec WHERE ec.claim_id = c.id)
"""
LIST_SQL = (
    _LIST_SELECT
    + """
FROM claims_claim c LEFT JOIN auth_user u ON u.id = c.created_by_id
ORDER BY c.created_at DESC, c.id DESC LIMIT %s
"""
)
# The API's search: the stored vector, GIN-indexed, and the tsquery claims.filters builds.
SEARCH_SQL = (
    _LIST_SELECT
    + """, ts_rank(c.search_vector, q)::float8
FROM claims_claim c LEFT JOIN auth_user u ON u.id = c.created_by_id,
     to_tsquery('simple'::regconfig, %s) q
WHERE c.search_vector @@ q
ORDER BY 15 DESC, c.id DESC LIMIT %s
"""
)
DETAIL_SQL = """
SELECT c.public_id, c.text, c.summary,
  ARRAY(SELECT t.name FROM claims_claim_tags ct JOIN claims_tag t ON t.id = ct.tag_id
        WHERE ct.claim_id = c.id ORDER BY t.name),
  c.first_seen, c.verdict, c.credibility, c.review_state, cu.username, c.created_at,
  c.updated_at, ru.username, c.reviewed_at,
  (SELECT COALESCE(json_agg(json_build_object(
      'id', a.public_id,
      'source', json_build_object('id', s.public_id, 'name', s.name, 'kind', s.kind,
                                  'reliability', s.reliability,
                                  'state_affiliated', s.state_affiliated),
      'stance', a.stance, 'quote', a.quote, 'quote_language', a.quote_language,
      'quote_translation', a.quote_translation, 'url', a.url, 'published_at', a.published_at,
      'published_precision', a.published_precision,
      'derived_from', ARRAY(SELECT up.public_id FROM provenance_appearancederivation d
                            JOIN provenance_appearance up ON up.id = d.upstream_id
                            WHERE d.appearance_id = a.id))
    ORDER BY a.published_at, a.created_at, a.id), '[]')
   FROM provenance_appearance a JOIN sources_source s ON s.id = a.source_id
   WHERE a.claim_id = c.id),
  (SELECT COALESCE(json_agg(json_build_object(
      'id', e.public_id, 'kind', e.kind, 'url', e.url, 'title', e.title,
      'relation', ec.relation,
      'latest_capture', (SELECT json_build_object('id', cp.public_id, 'status', cp.status,
                                 'sha256', cp.sha256, 'finished_at', cp.finished_at,
                                 'error_code', cp.error_code)
                         FROM provenance_capture cp
                         WHERE cp.evidence_id = e.id AND cp.parent_id IS NULL
                           AND cp.method <> 'browser'
                         ORDER BY cp.created_at DESC, cp.id DESC LIMIT 1))
    ORDER BY ec.created_at, ec.id), '[]')
   FROM provenance_evidenceclaim ec JOIN provenance_evidence e ON e.id = ec.evidence_id
   WHERE ec.claim_id = c.id),
  (SELECT COALESCE(json_agg(json_build_object(
      'id', r.public_id, 'kind', r.kind, 'direction', r.direction,
      'claim', json_build_object('id', o.public_id, 'text', o.text,
                                 'review_state', o.review_state))), '[]')
   FROM (SELECT public_id, kind, 'out' AS direction, to_claim_id AS other_id
         FROM claims_claimrelation WHERE from_claim_id = c.id
         UNION ALL
         SELECT public_id, kind, 'in', from_claim_id
         FROM claims_claimrelation WHERE to_claim_id = c.id) r
   JOIN claims_claim o ON o.id = r.other_id),
  (SELECT COALESCE(json_agg(json_build_object(
      'id', ev.public_id, 'actor', au.username, 'from_state', ev.from_state,
      'to_state', ev.to_state, 'from_verdict', ev.from_verdict, 'to_verdict', ev.to_verdict,
      'from_credibility', ev.from_credibility, 'to_credibility', ev.to_credibility,
      'comment', ev.comment, 'created_at', ev.created_at,
      'captures', (SELECT COALESCE(json_agg(json_build_object('id', cp.public_id,
                                                              'sha256', l.sha256)), '[]')
                   FROM claims_revieweventcapture l
                   LEFT JOIN provenance_capture cp ON cp.id = l.capture_id
                   WHERE l.review_event_id = ev.id))
    ORDER BY ev.created_at, ev.id), '[]')
   FROM claims_reviewevent ev LEFT JOIN auth_user au ON au.id = ev.actor_id
   WHERE ev.claim_id = c.id)
FROM claims_claim c
LEFT JOIN auth_user cu ON cu.id = c.created_by_id
LEFT JOIN auth_user ru ON ru.id = c.reviewed_by_id
WHERE c.public_id = %s
"""
DETAIL_COLUMNS = (
    "id",
    "text",
    "summary",
    "tags",
    "first_seen",
    "verdict",
    "credibility",
    "review_state",
    "created_by",
    "created_at",
    "updated_at",
    "reviewed_by",
    "reviewed_at",
    "appearances",
    "evidence",
    "related_claims",
    "review_events",
)


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def floor_list(cursor) -> bytes:
    cursor.execute(LIST_SQL, [PAGE])
    results = [dict(zip(LIST_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    page = {"next": None, "previous": None, "results": results}
    return json.dumps(page, default=_json_default).encode()


def floor_search(cursor) -> bytes:
    from claims.filters import search_tsquery

    cursor.execute(SEARCH_SQL, [search_tsquery(SEARCH_TERM), PAGE])
    results = [dict(zip(LIST_COLUMNS, row[:-1], strict=True)) for row in cursor.fetchall()]
    page = {"next": None, "previous": None, "results": results}
    return json.dumps(page, default=_json_default).encode()


def floor_detail(cursor, public_id: uuid.UUID) -> bytes:
    cursor.execute(DETAIL_SQL, [str(public_id)])
    detail = dict(zip(DETAIL_COLUMNS, cursor.fetchone(), strict=True))
    return json.dumps(detail, default=_json_default).encode()


# --- Measuring ---------------------------------------------------------------------------


def median_ms(fn, repeat: int) -> float:
    for _ in range(3):  # warm caches, connections and lazy imports
        fn()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _api_get(client, url: str) -> bytes:
    response = client.get(url, HTTP_ACCEPT="application/json")
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:500]!r}")
    return response.content


def _check_same_rows(name: str, api_body: bytes, floor_body: bytes) -> None:
    """The floor must read the rows the API returns, or the comparison means nothing."""
    api, floor = json.loads(api_body), json.loads(floor_body)
    if "results" in api:
        api_ids = [row["id"] for row in api["results"]]
        floor_ids = [row["id"] for row in floor["results"]]
    else:
        # The latest capture too: its rule (provenance.selectors.latest_captures) is the
        # detail's costliest join.
        api_ids = [
            api["id"],
            *(a["id"] for a in api["appearances"]),
            *((e["id"], (e["latest_capture"] or {}).get("id")) for e in api["evidence"]),
        ]
        floor_ids = [
            floor["id"],
            *(a["id"] for a in floor["appearances"]),
            *((e["id"], (e["latest_capture"] or {}).get("id")) for e in floor["evidence"]),
        ]
    if api_ids != floor_ids:
        raise SystemExit(f"{name}: the floor query returns other rows than the API.")


def measure(*, repeat: int, viewer, detail_id: uuid.UUID, database_url: str) -> dict:
    import psycopg2
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(viewer)
    raw = psycopg2.connect(database_url)
    raw.autocommit = True
    cursor = raw.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cases = {
        "claim_list_100": (
            lambda: _api_get(client, f"/api/claims/?page_size={PAGE}"),
            lambda: floor_list(cursor),
        ),
        "claim_detail_50": (
            lambda: _api_get(client, f"/api/claims/{detail_id}/"),
            lambda: floor_detail(cursor, detail_id),
        ),
        "search_q": (
            lambda: _api_get(client, f"/api/claims/?q={SEARCH_TERM}&page_size={PAGE}"),
            lambda: floor_search(cursor),
        ),
    }
    figures = {}
    for name, (api_call, floor_call) in cases.items():
        _check_same_rows(name, api_call(), floor_call())
        value = median_ms(api_call, repeat)
        floor = median_ms(floor_call, repeat)
        figures[name] = {
            "value": round(value, 2),
            "floor": round(floor, 2),
            "ratio": round(value / floor, 2),
            "unit": "ms",
        }
    raw.close()
    return figures


def print_table(figures: dict, *, claims: int, repeat: int) -> None:
    print(f"\nMedian of {repeat} requests, {claims:,} claims (target: ≤ {TARGET_RATIO:g}× floor)")
    print(f"{'measure':<18}{'value ms':>10}{'floor ms':>10}{'ratio':>8}  verdict")
    for name, f in figures.items():
        verdict = "ok" if f["ratio"] <= TARGET_RATIO else "OVER TARGET"
        print(f"{name:<18}{f['value']:>10.2f}{f['floor']:>10.2f}{f['ratio']:>7.2f}×  {verdict}")


def main() -> None:
    args = _parse_args()
    database_url = _prepare_environment()
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/api.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command

    from bench.fill import fill_if_needed

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    fill = fill_if_needed(claims=args.claims, seed=args.seed, refill=args.refill)
    print(f"Fill ready in {time.perf_counter() - started:.1f} s: {fill.describe()}")
    figures = measure(
        repeat=args.repeat,
        viewer=fill.viewer,
        detail_id=fill.detail_claim_id,
        database_url=database_url,
    )
    print_table(figures, claims=args.claims, repeat=args.repeat)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
