"""Provenance graph benchmark: the recursive walk against an in-memory floor and a naive walk.

Fills a PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
claimtrail_bench_graph, created if missing) with --appearances appearances (1,000,000)
over one tenth as many claims and one fiftieth as many sources, all generated in the
server with INSERT … SELECT generate_series. Besides a background of short random
derivations, the fill holds:

  - a claim whose provenance subgraph is 1,000 appearances (20 origins → 100 relays →
    the claim's 200 appearances → 400 → 280 downstream, across 33 claims);
  - 20 derived-from chains 51 appearances long (50 hops);
  - one origin reaching 5,000 appearances (100 relays, each relayed 49 times);
  - one evidence item with two captures per claim of these structures, and relations.

Measures (medians; as a viewer):

  subgraph_1000        provenance.graph.claim_graph of that claim; floor: the same walk
                       (up and down, nodes with claim and source, edges among them) over
                       dicts already loaded in memory. Target: value < 50 ms.
  subgraph_1000_cpu    the same as CPU time (this process and its PostgreSQL backend,
                       mean of 5 × --repeat): what the wall clock shows without other
                       work queueing for the cores.
  subgraph_1000_naive  a one-query-per-node ORM walk; floor: claim_graph. Target: ratio ≥ 20.
  trace_depth50        provenance.graph.appearance_trace upstream from a chain's end;
                       floor: the same walk in memory.
  trace_depth50_naive  the naive walk of the same; floor: appearance_trace.
  fanout_5000          claim_graph of the origin's claim (5,001 appearances); floor: memory.
  graph_endpoint_1000  GET /api/claims/<id>/graph/ (payload, origin, spread, timeline);
                       floor: claim_graph.
  subgraph_1000_scale  subgraph_1000 here; floor: the same in a 10,000-appearance fill
                       (database <name>_10k, by a child run). Target: ratio ≤ 1.5.

The last line printed is JSON: {"<measure>": {"value", "floor", "ratio", "unit"}, ...}.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrail_bench_graph \\
        .venv/bin/python bench/graph.py --appearances 10000

A fill is reused by the next run with the same --appearances (--refill forces a new one).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._database import ensure_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/claimtrail_bench_graph"
FILL_VERSION = "1"
SMALL = 10_000
TARGET_MS = 50.0
TARGET_SPEEDUP = 20.0
TARGET_SCALE = 1.5

# Appearance id ranges of the structures (ids are given explicitly by the fill).
ORIGINS = range(1, 21)
RELAYS = range(21, 121)
FOCUS = range(121, 321)
DOWN_1 = range(321, 721)
DOWN_2 = range(721, 1001)
CHAINS, CHAIN_LENGTH = 20, 51
CHAIN_START = 1001
FAN_ORIGIN = CHAIN_START + CHAINS * CHAIN_LENGTH
FAN_1 = range(FAN_ORIGIN + 1, FAN_ORIGIN + 101)
FAN_2 = range(FAN_1.stop, FAN_1.stop + 4900)
BACKGROUND = FAN_2.stop
# Claim ids: 1 the 1,000-node claim, 2–39 its neighbours, 40–89 the chains, 100–160 the
# fan-out; background claims from 200 on.
FOCUS_CLAIM = 1
FAN_CLAIM = 100
BACKGROUND_CLAIMS = 200


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--appearances", type=int, default=1_000_000, help="appearances to fill (1,000,000)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per measure")
    parser.add_argument("--naive-repeat", type=int, default=3, help="timed naive walks")
    parser.add_argument("--refill", action="store_true", help="refill even if a fill matches")
    parser.add_argument(
        "--no-scale", action="store_true", help="skip the 10,000-appearance comparison run"
    )
    parser.add_argument("--only-subgraph", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.appearances < SMALL:
        parser.error(f"--appearances must be at least {SMALL:,} (the structures need ~7,000)")
    return args


def _prepare_environment() -> str:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtrail.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    return os.environ["DATABASE_URL"]


# --- Fill ----------------------------------------------------------------------------------

# Values for NOT NULL columns the fill does not name, by type: the fill keeps working when
# a model gains a column.
_TYPE_DEFAULTS = {
    "uuid": "gen_random_uuid()",
    "timestamp with time zone": "'2024-01-01T00:00:00Z'::timestamptz",
    "jsonb": "'{}'::jsonb",
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
}


def _insert(cursor, table: str, rows: str, values: dict[str, str]) -> None:
    """INSERT INTO table SELECT … FROM `rows` (a FROM clause giving `n`), with `values`
    per column and type defaults for the other NOT NULL columns."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    for column, data_type in cursor.fetchall():
        if column not in values and column != "id":
            values[column] = _TYPE_DEFAULTS.get(data_type, "''")
    columns = ", ".join(values)
    expressions = ", ".join(values.values())
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {expressions} FROM {rows}")


def _appearance_rule(*, claims: int, sources: int) -> tuple[str, str, str]:
    """SQL for each appearance id n: its claim, its source (given S sources) and its upstream
    (null for none). Upstreams always have lower ids, so ids order time."""
    claim = f"""CASE
        WHEN n <= {ORIGINS.stop - 1} THEN 2 + n % 5
        WHEN n <= {RELAYS.stop - 1} THEN 7 + n % 5
        WHEN n <= {FOCUS.stop - 1} THEN {FOCUS_CLAIM}
        WHEN n <= {DOWN_1.stop - 1} THEN 12 + n % 10
        WHEN n <= {DOWN_2.stop - 1} THEN 22 + n % 10
        WHEN n < {FAN_ORIGIN} THEN 40 + (n - {CHAIN_START}) / {CHAIN_LENGTH} * 2 + n % 2
        WHEN n = {FAN_ORIGIN} THEN {FAN_CLAIM}
        WHEN n < {FAN_1.stop} THEN 101 + n % 10
        WHEN n < {FAN_2.stop} THEN 111 + n % 50
        ELSE {BACKGROUND_CLAIMS} + (n * 7919) % ({claims} - {BACKGROUND_CLAIMS})
    END"""
    upstream = f"""CASE
        WHEN n <= {ORIGINS.stop - 1} THEN NULL
        WHEN n <= {RELAYS.stop - 1} THEN 1 + (n - {RELAYS.start}) % 20
        WHEN n <= {FOCUS.stop - 1} THEN {RELAYS.start} + (n - {FOCUS.start}) % 100
        WHEN n <= {DOWN_1.stop - 1} THEN {FOCUS.start} + (n - {DOWN_1.start}) % 200
        WHEN n <= {DOWN_2.stop - 1} THEN {DOWN_1.start} + (n - {DOWN_2.start}) % 400
        WHEN n < {FAN_ORIGIN} THEN
            CASE WHEN (n - {CHAIN_START}) % {CHAIN_LENGTH} = 0 THEN NULL ELSE n - 1 END
        WHEN n = {FAN_ORIGIN} THEN NULL
        WHEN n < {FAN_1.stop} THEN {FAN_ORIGIN}
        WHEN n < {FAN_2.stop} THEN {FAN_1.start} + (n - {FAN_2.start}) % 100
        WHEN n % 3 = 0 AND n - 1 - (n * 31) % 500 >= {BACKGROUND}
            THEN n - 1 - (n * 31) % 500
        ELSE NULL
    END"""
    source = f"1 + (n * 104729) % {sources}"
    return claim, source, upstream


def _fill(cursor, appearances: int) -> None:
    claims, sources = max(1_000, appearances // 10), max(200, appearances // 50)
    tables = [
        "claims_claimrelation",
        "provenance_capture",
        "provenance_evidenceclaim",
        "provenance_evidence",
        "provenance_appearancederivation",
        "provenance_appearance",
        "claims_claim",
        "sources_source",
    ]
    cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    kinds = "(ARRAY['outlet','person','government_body','social_account','organization'])"
    countries = "(ARRAY['RU','US','GB','UA','DE','FR'])"
    _insert(
        cursor,
        "sources_source",
        f"generate_series(1, {sources}) AS n",
        {
            "id": "n",
            "name": "'Source ' || n",
            "kind": f"{kinds}[1 + n % 5]",
            "country": f"{countries}[1 + n % 6]",
            "state_affiliated": "n % 7 = 0",
            "reliability": "'C'",
            "aliases": "'[]'::jsonb",
            # Groups of ten under one parent: a correspondent for an outlet.
            "parent_id": "CASE WHEN n % 10 = 1 THEN NULL ELSE n - (n - 1) % 10 END",
        },
    )
    verdicts = "(ARRAY['supported','refuted','disputed','misleading','unverifiable'])"
    _insert(
        cursor,
        "claims_claim",
        f"generate_series(1, {claims}) AS n",
        {
            "id": "n",
            "text": "'Claim ' || n || ' about a drone over the Kremlin'",
            "verdict": f"{verdicts}[1 + n % 5]",
            "review_state": "'published'",
            "credibility": "3",
        },
    )
    claim, source, upstream = _appearance_rule(claims=claims, sources=sources)
    cursor.execute(
        "CREATE TEMP TABLE bench_rule AS SELECT n, "
        f"({claim}) AS claim_id, ({source}) AS source_id, ({upstream}) AS upstream_id "
        f"FROM generate_series(1::bigint, {appearances}) AS n"
    )
    _insert(
        cursor,
        "provenance_appearance",
        "bench_rule",
        {
            "id": "n",
            "claim_id": "claim_id",
            "source_id": "source_id",
            "stance": "(ARRAY['asserts','repeats','reports','quotes'])[1 + n % 4]",
            "quote": "'Quote ' || n",
            "quote_language": "'en'",
            "published_at": "'2023-01-01T00:00:00Z'::timestamptz + n * interval '1 minute'",
            "published_precision": "'exact'",
        },
    )
    _insert(
        cursor,
        "provenance_appearancederivation",
        "bench_rule WHERE upstream_id IS NOT NULL",
        {"appearance_id": "n", "upstream_id": "upstream_id"},
    )
    cursor.execute("DROP TABLE bench_rule")
    structure_claims = f"generate_series(1, {BACKGROUND_CLAIMS - 1}) AS n"
    _insert(
        cursor,
        "provenance_evidence",
        structure_claims,
        {"id": "n", "kind": "'video'", "url": "'https://example.org/v/' || n", "title": "'V'"},
    )
    _insert(
        cursor,
        "provenance_evidenceclaim",
        structure_claims,
        {"evidence_id": "n", "claim_id": "n", "relation": "'supports'"},
    )
    _insert(
        cursor,
        "provenance_capture",
        f"generate_series(1, {2 * (BACKGROUND_CLAIMS - 1)}) AS n",
        {
            "evidence_id": f"1 + (n - 1) % {BACKGROUND_CLAIMS - 1}",
            "status": "'succeeded'",
            "method": "'fetch'",
            "sha256": "md5(n::text) || md5(n::text)",
            "redirect_chain": "'[]'::jsonb",
        },
    )
    _insert(
        cursor,
        "claims_claimrelation",
        f"generate_series(1, {BACKGROUND_CLAIMS - 2}) AS n",
        {"from_claim_id": "n", "to_claim_id": "n + 1", "kind": "'supports'"},
    )
    for table in ("sources_source", "claims_claim", "provenance_appearance"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def fill_if_needed(*, appearances: int, refill: bool) -> None:
    from django.db import connection, transaction

    wanted = {"appearances": str(appearances), "version": FILL_VERSION}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
        cursor.execute("SELECT key, value FROM bench_meta")
        if not refill and dict(cursor.fetchall()) == wanted:
            return
        with transaction.atomic():
            _fill(cursor, appearances)
            cursor.execute("DELETE FROM bench_meta")
            for key, value in wanted.items():
                cursor.execute("INSERT INTO bench_meta VALUES (%s, %s)", [key, value])
        cursor.execute("VACUUM ANALYZE")


# --- The floor: the same walk over dicts already in memory -----------------------------------


class Memory:
    """Every appearance, claim, source and derived-from edge, loaded before timing."""

    def __init__(self):
        from django.db import connection

        self.up, self.down = defaultdict(list), defaultdict(list)
        self.by_claim = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute("SELECT appearance_id, upstream_id FROM provenance_appearancederivation")
            for appearance, upstream in cursor.fetchall():
                self.up[appearance].append(upstream)
                self.down[upstream].append(appearance)
            cursor.execute(
                "SELECT id, public_id, stance, url, published_at, published_precision,"
                " created_at, claim_id, source_id FROM provenance_appearance"
            )
            self.appearances = {row[0]: row for row in cursor.fetchall()}
            cursor.execute("SELECT id, public_id, text, review_state, verdict FROM claims_claim")
            self.claims = {row[0]: row for row in cursor.fetchall()}
            cursor.execute(
                "SELECT id, public_id, name, kind, country, state_affiliated, reliability"
                " FROM sources_source"
            )
            self.sources = {row[0]: row for row in cursor.fetchall()}
        for row in self.appearances.values():
            self.by_claim[row[7]].append(row[0])

    def _walk(self, seeds, links, depth: int) -> dict[int, int]:
        reached = dict.fromkeys(seeds, 0)
        queue = deque(seeds)
        while queue:
            current = queue.popleft()
            if reached[current] == depth:
                continue
            for other in links.get(current, ()):
                if other not in reached:
                    reached[other] = reached[current] + 1
                    queue.append(other)
        return reached

    def graph(self, seeds, *, up: bool, down: bool, depth: int = 100) -> dict:
        nodes = {}
        if up:
            nodes.update(self._walk(seeds, self.up, depth))
        if down:
            nodes.update(self._walk(seeds, self.down, depth))
        rows = {a: self.appearances[a] for a in nodes}
        claims = {row[7]: self.claims[row[7]] for row in rows.values()}
        sources = {row[8]: self.sources[row[8]] for row in rows.values()}
        edges = [(a, u) for a in nodes for u in self.up.get(a, ()) if u in nodes]
        return {"appearances": rows, "claims": claims, "sources": sources, "edges": edges}


# --- The naive walk: one ORM query per node ---------------------------------------------------


def naive_graph(seeds, *, up: bool, down: bool) -> dict:
    """What a first attempt looks like: load each appearance and ask for its neighbours."""
    from provenance.models import Appearance, AppearanceDerivation

    nodes = {}
    edges = set()
    for walk_up in [d for d, wanted in ((True, up), (False, down)) if wanted]:
        queue, seen = deque(seeds), set(seeds)
        while queue:
            current = queue.popleft()
            nodes[current] = Appearance.objects.select_related("claim", "source").get(pk=current)
            if walk_up:
                others = AppearanceDerivation.objects.filter(appearance_id=current)
                others = others.values_list("upstream_id", flat=True)
            else:
                others = AppearanceDerivation.objects.filter(upstream_id=current)
                others = others.values_list("appearance_id", flat=True)
            for other in others:
                edges.add((current, other) if walk_up else (other, current))
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
    return {"appearances": nodes, "edges": edges}


# --- Measuring ----------------------------------------------------------------------------


def median_ms(fn, repeat: int, warm: int = 2) -> float:
    for _ in range(warm):
        fn()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _backend_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend so far (same machine only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms(fn, repeat: int) -> float | None:
    """Mean CPU time of a call, this process and its database backend together.

    On a machine other work keeps busy, wall-clock medians measure the queue for a core as
    much as the code; CPU time does not (ticks are 10 ms, so it is a mean over `repeat`).
    """
    fn()
    backend_before, before = _backend_cpu_seconds(), time.process_time()
    for _ in range(repeat):
        fn()
    own = time.process_time() - before
    backend_after = _backend_cpu_seconds()
    if backend_before is None or backend_after is None:
        return None
    return (own + backend_after - backend_before) * 1000 / repeat


def _figure(value: float, floor: float, unit: str = "ms") -> dict:
    return {
        "value": round(value, 2),
        "floor": round(floor, 2),
        "ratio": round(value / floor, 2) if floor else None,
        "unit": unit,
    }


def _same(name: str, expected: int, *sizes: int) -> None:
    if any(size != expected for size in sizes):
        raise SystemExit(f"{name}: the walks disagree on the node count: {expected}, {sizes}.")


def measure_subgraph(repeat: int, viewer) -> float:
    from claims.models import Claim
    from provenance.graph import claim_graph

    public_id = Claim.objects.get(pk=FOCUS_CLAIM).public_id
    graph = claim_graph(public_id=public_id, actor=viewer)
    _same("subgraph_1000", 1000, len(graph.appearances))
    return median_ms(lambda: claim_graph(public_id=public_id, actor=viewer), repeat)


def measure(*, repeat: int, naive_repeat: int, viewer) -> dict:
    from rest_framework.test import APIClient

    from claims.models import Claim
    from provenance.graph import appearance_trace, claim_graph

    started = time.perf_counter()
    memory = Memory()
    print(f"Loaded the graph into memory for the floors in {time.perf_counter() - started:.1f} s.")
    focus = Claim.objects.get(pk=FOCUS_CLAIM).public_id
    fan = Claim.objects.get(pk=FAN_CLAIM).public_id
    chain_end = CHAIN_START + CHAIN_LENGTH - 1
    figures = {}

    subgraph = median_ms(lambda: claim_graph(public_id=focus, actor=viewer), repeat)
    seeds = memory.by_claim[FOCUS_CLAIM]
    _same(
        "subgraph_1000",
        1000,
        len(claim_graph(public_id=focus, actor=viewer).appearances),
        len(memory.graph(seeds, up=True, down=True)["appearances"]),
        len(naive_graph(seeds, up=True, down=True)["appearances"]),
    )
    floor = median_ms(lambda: memory.graph(seeds, up=True, down=True), repeat)
    figures["subgraph_1000"] = _figure(subgraph, floor)
    cpu = cpu_ms(lambda: claim_graph(public_id=focus, actor=viewer), 5 * repeat)
    floor_cpu = cpu_ms(lambda: memory.graph(seeds, up=True, down=True), 5 * repeat)
    if cpu is not None:
        figures["subgraph_1000_cpu"] = _figure(cpu, floor_cpu, "ms cpu")
    naive = median_ms(lambda: naive_graph(seeds, up=True, down=True), naive_repeat, warm=1)
    figures["subgraph_1000_naive"] = _figure(naive, subgraph)

    def trace():
        return appearance_trace(appearance_id=chain_end, actor=viewer)

    _same(
        "trace_depth50",
        CHAIN_LENGTH,
        len(trace()),
        len(memory.graph([chain_end], up=True, down=False)["appearances"]),
        len(naive_graph([chain_end], up=True, down=False)["appearances"]),
    )
    traced = median_ms(trace, repeat)
    floor = median_ms(lambda: memory.graph([chain_end], up=True, down=False), repeat)
    figures["trace_depth50"] = _figure(traced, floor)
    naive = median_ms(lambda: naive_graph([chain_end], up=True, down=False), naive_repeat, warm=1)
    figures["trace_depth50_naive"] = _figure(naive, traced)

    fan_seeds = memory.by_claim[FAN_CLAIM]
    _same(
        "fanout_5000",
        5001,
        len(claim_graph(public_id=fan, actor=viewer).appearances),
        len(memory.graph(fan_seeds, up=True, down=True)["appearances"]),
    )
    fanned = median_ms(lambda: claim_graph(public_id=fan, actor=viewer), repeat)
    floor = median_ms(lambda: memory.graph(fan_seeds, up=True, down=True), repeat)
    figures["fanout_5000"] = _figure(fanned, floor)

    client = APIClient()
    client.force_authenticate(viewer)

    def endpoint():
        response = client.get(f"/api/claims/{focus}/graph/", HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise SystemExit(f"The graph endpoint answered {response.status_code}.")
        return response.content

    figures["graph_endpoint_1000"] = _figure(median_ms(endpoint, repeat), subgraph)
    return figures


def _scale_figure(subgraph_ms: float, database_url: str, repeat: int) -> dict:
    """subgraph_1000 measured by a child run on a 10,000-appearance fill."""
    parts = urlsplit(database_url)
    small_url = urlunsplit(parts._replace(path=parts.path + "_10k"))
    environment = {**os.environ, "DATABASE_URL": small_url}
    command = [sys.executable, __file__, "--appearances", str(SMALL), "--only-subgraph"]
    command += ["--repeat", str(repeat)]
    print(f"Measuring the same subgraph in a {SMALL:,}-appearance fill ({small_url}) …")
    output = subprocess.run(  # noqa: S603 (this very script, with our own arguments)
        command, env=environment, check=True, capture_output=True, text=True
    ).stdout
    small_ms = json.loads(output.strip().splitlines()[-1])["subgraph_1000"]["value"]
    return _figure(subgraph_ms, small_ms)


def print_table(figures: dict, *, appearances: int, repeat: int) -> None:
    targets = {
        "subgraph_1000": lambda f: f["value"] < TARGET_MS,
        "subgraph_1000_cpu": lambda f: f["value"] < TARGET_MS,
        "subgraph_1000_naive": lambda f: f["ratio"] >= TARGET_SPEEDUP,
        "trace_depth50_naive": lambda f: f["ratio"] >= TARGET_SPEEDUP,
        "subgraph_1000_scale": lambda f: f["ratio"] <= TARGET_SCALE,
    }
    print(f"\nMedians of {repeat} runs, {appearances:,} appearances")
    print(f"{'measure':<22}{'value ms':>10}{'floor ms':>10}{'ratio':>9}  target")
    for name, f in figures.items():
        check = targets.get(name)
        verdict = "" if check is None else ("ok" if check(f) else "MISSED")
        print(f"{name:<22}{f['value']:>10.2f}{f['floor']:>10.2f}{f['ratio']:>8.2f}×  {verdict}")


def main() -> None:
    args = _parse_args()
    database_url = _prepare_environment()
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/graph.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(database_url)

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from claimtrail.roles import VIEWER, ensure_role_groups

    call_command("migrate", verbosity=0, interactive=False)
    viewer, _ = User.objects.get_or_create(username="bench-viewer")
    viewer.groups.add(ensure_role_groups()[VIEWER])
    started = time.perf_counter()
    fill_if_needed(appearances=args.appearances, refill=args.refill)
    print(
        f"Fill ready in {time.perf_counter() - started:.1f} s ({args.appearances:,} appearances)."
    )
    if args.only_subgraph:
        print(json.dumps({"subgraph_1000": _figure(measure_subgraph(args.repeat, viewer), 0)}))
        return
    figures = measure(repeat=args.repeat, naive_repeat=args.naive_repeat, viewer=viewer)
    if not args.no_scale and args.appearances > SMALL:
        figures["subgraph_1000_scale"] = _scale_figure(
            figures["subgraph_1000"]["value"], database_url, args.repeat
        )
    print_table(figures, appearances=args.appearances, repeat=args.repeat)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
