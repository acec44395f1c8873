"""Benchmark fixture: N realistic claims, bulk-inserted (the services are too slow for 10⁵).

Per claim: 1–9 appearances (one claim has 50) by ~2,000 sources with identifiers, quotes in
English and Russian (with translations), derived-from edges, ~2 evidence items with 1–2
captures each, 1–4 tags, review events, and now and then a relation to an earlier claim.
`search_document` and `search_vector` are built as claims.services.claim_refresh_search_document
builds them.
History tables are left empty: no measured request reads them.
"""

import hashlib
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from bench.words import (
    CONTENT_TYPES,
    EN_ACTORS,
    EN_ATTRIBUTIONS,
    EN_PLACES,
    EN_VERBS,
    ERRORS,
    EVIDENCE_KINDS,
    KINDS,
    RU_ACTORS,
    RU_PLACES,
    RU_VERBS,
    STANCES,
    TOPICS,
    VERDICTS,
)
from claims.models import Claim, ClaimRelation, ReviewEvent, Tag
from claimtrail.lib import dates
from claimtrail.roles import ANALYST, EDITOR, VIEWER, ensure_role_groups
from provenance.models import Appearance, AppearanceDerivation, Capture, Evidence, EvidenceClaim
from sources.models import Source, SourceIdentifier

FILL_VERSION = "3"
SOURCES = 2_000
DETAIL_APPEARANCES = 50
CHUNK = 2_000
BATCH = 2_000
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=1000)


@dataclass
class Fill:
    viewer: User
    detail_claim_id: object
    counts: dict = field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{n:,} {name}" for name, n in self.counts.items())


def _meta_get() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
        cursor.execute("SELECT key, value FROM bench_meta")
        return dict(cursor.fetchall())


def _meta_set(values: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_meta")
        for key, value in values.items():
            cursor.execute("INSERT INTO bench_meta VALUES (%s, %s)", [key, str(value)])


def _counts() -> dict:
    models = (Claim, Appearance, Source, Evidence, Capture, AppearanceDerivation, ReviewEvent)
    return {m._meta.verbose_name_plural: m.objects.count() for m in models}


def _users() -> dict[str, User]:
    groups = ensure_role_groups()
    users = {}
    for role in (VIEWER, ANALYST, EDITOR):
        user, _ = User.objects.get_or_create(username=f"bench-{role}")
        user.groups.add(groups[role])
        users[role] = user
    return users


def fill_if_needed(*, claims: int, seed: int, refill: bool) -> Fill:
    """Reuse a fill made with the same parameters, else empty the tables and fill anew."""
    wanted = {"claims": str(claims), "seed": str(seed), "version": FILL_VERSION}
    meta = _meta_get()
    users = _users()
    if not refill and all(meta.get(k) == v for k, v in wanted.items()):
        return Fill(users[VIEWER], meta["detail_claim_id"], _counts())
    _truncate()
    detail_claim_id = _Filler(random.Random(seed), users).run(claims)
    _meta_set({**wanted, "detail_claim_id": detail_claim_id})
    _analyze()
    return Fill(users[VIEWER], detail_claim_id, _counts())


def _truncate() -> None:
    tables = [
        model._meta.db_table
        for app in ("sources", "claims", "provenance")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@contextmanager
def _explicit_timestamps():
    """Let bulk_create keep the created_at/updated_at we give (a spread, not one instant)."""
    fields = [
        f
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _Filler:
    def __init__(self, rng: random.Random, users: dict[str, User]):
        self.rng = rng
        self.analyst = users[ANALYST]
        self.editor = users[EDITOR]
        self.claim_ids: list[int] = []

    def run(self, total: int):
        with _explicit_timestamps():
            self.sources = self._sources()
            self.tags = Tag.objects.bulk_create([Tag(name=t) for t in self._tag_names()])
            detail = None
            for start in range(0, total, CHUNK):
                with transaction.atomic():
                    created = self._claims(start, min(CHUNK, total - start), total)
                detail = detail or created
                print(f"  filled {min(start + CHUNK, total):,} / {total:,} claims", flush=True)
        return detail

    def _tag_names(self) -> list[str]:
        places = [p.removeprefix("the ").lower().replace(" ", "-") for p in EN_PLACES]
        return [*TOPICS, *places, *(f"{t}-{p}" for t in TOPICS[:8] for p in places)]

    def _sources(self) -> list[Source]:
        rng = self.rng
        kinds, weights = zip(*KINDS, strict=True)
        sources = []
        for i in range(SOURCES):
            kind = rng.choices(kinds, weights)[0]
            base = f"{rng.choice(EN_PLACES).removeprefix('the ')} {kind.replace('_', ' ')} {i}"
            sources.append(
                Source(
                    name=base.title(),
                    kind=kind,
                    country=rng.choice(["RU", "UA", "US", "GB", "DE", "BY", ""]),
                    state_affiliated=rng.random() < 0.2,
                    reliability=rng.choice("ABCDEF"),
                    aliases=[f"src{i}"],
                    created_by=self.analyst,
                    created_at=START,
                    updated_at=START,
                )
            )
        Source.objects.bulk_create(sources, batch_size=BATCH)
        identifiers = []
        for i, source in enumerate(sources):
            slug = f"src{i}"
            values = [("domain", f"{slug}.example.com"), ("x_handle", f"{slug}_x")]
            if source.kind == Source.Kind.CHANNEL:
                values.append(("telegram", f"{slug}_channel"))
            for kind, value in values[: 1 + (i % len(values))]:
                identifiers.append(
                    SourceIdentifier(
                        source=source,
                        kind=kind,
                        value=value,
                        normalized_value=value,
                        created_at=START,
                        updated_at=START,
                    )
                )
        SourceIdentifier.objects.bulk_create(identifiers, batch_size=BATCH)
        # A few prolific sources, a long tail: weight ~ 1/rank.
        self.source_weights = [1 / (rank + 1) ** 0.8 for rank in range(SOURCES)]
        return sources

    def _sentence(self, a: int, v: int, p: int) -> tuple[str, str]:
        rng = self.rng
        en = f"{EN_ACTORS[a]} {EN_VERBS[v]} {EN_PLACES[p]}, {rng.choice(EN_ATTRIBUTIONS)}."
        ru = f"{RU_ACTORS[a]} {RU_VERBS[v]} {RU_PLACES[p]}."
        return en, ru

    def _claims(self, start: int, n: int, total: int):
        rng = self.rng
        claims, plans = [], []
        for i in range(start, start + n):
            a, v, p = (rng.randrange(len(x)) for x in (EN_ACTORS, EN_VERBS, EN_PLACES))
            seen = START + SPAN * (i / max(total, 1))
            appearances = DETAIL_APPEARANCES if i == 0 else rng.randint(1, 9)
            quotes = self._quotes(a, v, p, appearances)
            text = f"{EN_ACTORS[a]} {EN_VERBS[v]} {EN_PLACES[p]} on {seen:%-d %B %Y}."
            summary = (
                f"Reported by {appearances} sources; {rng.choice(EN_ATTRIBUTIONS)}."
                if rng.random() < 0.5
                else ""
            )
            state = "published" if i == 0 else self._state()
            verdict = rng.choice(VERDICTS) if state in ("published", "archived") else ""
            reviewed = state != "draft"
            claims.append(
                Claim(
                    text=text,
                    summary=summary,
                    first_seen=seen.date(),
                    verdict=verdict,
                    credibility=rng.randint(1, 6) if verdict else None,
                    review_state=state,
                    created_by=self.analyst,
                    reviewed_by=self.editor if reviewed else None,
                    reviewed_at=seen + timedelta(days=2) if reviewed else None,
                    search_document="\n".join(
                        [text, summary, *(part for q in quotes for part in q[1:3] if part)]
                    ),
                    created_at=seen + timedelta(hours=1),
                    updated_at=seen + timedelta(days=2),
                )
            )
            plans.append(quotes)
        Claim.objects.bulk_create(claims, batch_size=BATCH)
        # search_vector as claim_refresh_search_document stores it.
        Claim.objects.filter(id__in=[c.id for c in claims]).update(
            search_vector=SearchVector("search_document", config="simple")
        )
        self._tags(claims)
        self._appearances(claims, plans)
        self._evidence(claims)
        self._reviews(claims)
        self._relations(claims)
        self.claim_ids.extend(c.id for c in claims)
        return claims[0].public_id if start == 0 else None

    def _state(self) -> str:
        return self.rng.choices(("published", "in_review", "draft", "archived"), (55, 15, 25, 5))[0]

    def _quotes(self, a, v, p, n) -> list[tuple[str, str, str, str]]:
        """(language, quote, translation, stance) per appearance."""
        rng = self.rng
        quotes = []
        for _ in range(n):
            en, ru = self._sentence(a, v, p)
            roll = rng.random()
            stance = rng.choice(STANCES)
            if roll < 0.3:
                quotes.append(("ru", ru, en, stance))
            elif roll < 0.9:
                quotes.append(("en", en, "", stance))
            else:
                quotes.append(("", "", "", stance))
        return quotes

    def _tags(self, claims) -> None:
        through = Claim.tags.through
        rows = [
            through(claim_id=claim.id, tag_id=tag.id)
            for claim in claims
            for tag in self.rng.sample(self.tags, self.rng.randint(1, 4))
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)

    def _appearances(self, claims, plans) -> None:
        rng = self.rng
        rows, per_claim = [], []
        for claim, quotes in zip(claims, plans, strict=True):
            seen = claim.created_at - timedelta(hours=1)
            offsets = sorted(rng.randrange(0, 72 * 60) for _ in quotes)
            sources = rng.choices(self.sources, self.source_weights, k=len(quotes))
            mine = []
            for (language, quote, translation, stance), minutes, source in zip(
                quotes, offsets, sources, strict=True
            ):
                precision = rng.choices(("exact", "day", "month"), (70, 25, 5))[0]
                when = dates.truncate(seen + timedelta(minutes=minutes), precision)
                mine.append(
                    Appearance(
                        claim=claim,
                        source=source,
                        stance=stance,
                        quote=quote,
                        quote_language=language,
                        quote_translation=translation,
                        url=f"https://{source.aliases[0]}.example.com/a/{claim.id}-{minutes}",
                        published_at=when,
                        published_precision=precision,
                        created_by=self.analyst,
                        created_at=claim.created_at + timedelta(minutes=len(mine)),
                        updated_at=claim.created_at + timedelta(minutes=len(mine)),
                    )
                )
            rows.extend(mine)
            per_claim.append(mine)
        Appearance.objects.bulk_create(rows, batch_size=BATCH)
        edges = []
        for mine in per_claim:
            for j in range(1, len(mine)):
                if rng.random() < 0.5:
                    upstream = mine[rng.randrange(j)]
                    if upstream.published_at <= mine[j].published_at:
                        edges.append(
                            AppearanceDerivation(
                                appearance=mine[j],
                                upstream=upstream,
                                created_at=mine[j].created_at,
                            )
                        )
        AppearanceDerivation.objects.bulk_create(edges, batch_size=BATCH)
        self.appearances_by_claim = {m[0].claim_id: m for m in per_claim if m}

    def _evidence(self, claims) -> None:
        rng = self.rng
        items, links = [], []
        for claim in claims:
            count = 4 if claim is claims[0] else rng.choice((0, 1, 2, 2, 3, 4))
            for k in range(count):
                kind = rng.choice(EVIDENCE_KINDS)
                appearance = rng.choice(self.appearances_by_claim[claim.id])
                host = appearance.source.aliases[0]
                item = Evidence(
                    kind=kind,
                    url=f"https://{host}.example.com/{kind}/{claim.id}-{k}",
                    title=f"{kind.replace('_', ' ').capitalize()} {k + 1} for claim {claim.id}",
                    appearance=appearance if rng.random() < 0.5 else None,
                    created_by=self.analyst,
                    created_at=claim.created_at + timedelta(hours=k + 1),
                    updated_at=claim.created_at + timedelta(hours=k + 1),
                )
                items.append(item)
                relation = rng.choices(("context", "supports", "refutes"), (60, 25, 15))[0]
                links.append((item, claim, relation))
        Evidence.objects.bulk_create(items, batch_size=BATCH)
        EvidenceClaim.objects.bulk_create(
            [
                EvidenceClaim(evidence=e, claim=c, relation=r, created_at=e.created_at)
                for e, c, r in links
            ],
            batch_size=BATCH,
        )
        Capture.objects.bulk_create(
            [c for item in items for c in self._captures(item)], batch_size=BATCH
        )

    def _captures(self, item: Evidence) -> list[Capture]:
        rng = self.rng
        captures = []
        for attempt in range(1 if rng.random() < 0.7 else 2):
            at = item.created_at + timedelta(days=30 * attempt, minutes=1)
            status = rng.choices(("succeeded", "failed", "queued"), (80, 12, 8))[0]
            capture = Capture(
                evidence=item,
                status=status,
                attempts=0 if status == "queued" else 1,
                requested_by=self.analyst,
                requested_url=item.url,
                software_version="claimtrail 0.1.0",
                created_at=at,
                updated_at=at,
            )
            if status != "queued":
                capture.started_at = at
                capture.finished_at = at + timedelta(seconds=rng.randint(1, 90))
            if status == "succeeded":
                digest = hashlib.sha256(f"{item.url}#{attempt}".encode()).hexdigest()
                capture.final_url = item.url
                capture.http_status = 200
                capture.content_type = CONTENT_TYPES[item.kind]
                capture.size = rng.randint(20_000, 40_000_000)
                capture.sha256 = digest
                capture.blob = f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
                capture.warc = f"warc/{digest}.warc.gz"
                capture.http_headers = {"content-type": capture.content_type}
                capture.metadata = {"title": item.title}
            elif status == "failed":
                capture.error_code, capture.error_message = rng.choice(ERRORS)
            captures.append(capture)
        return captures

    def _reviews(self, claims) -> None:
        events = []
        for claim in claims:
            at = claim.created_at + timedelta(days=1)
            if claim.review_state != "draft":
                events.append(
                    ReviewEvent(
                        claim=claim,
                        actor=self.analyst,
                        from_state="draft",
                        to_state="in_review",
                        comment="Ready for review.",
                        created_at=at,
                        updated_at=at,
                    )
                )
            if claim.review_state in ("published", "archived"):
                events.append(
                    ReviewEvent(
                        claim=claim,
                        actor=self.editor,
                        from_state="in_review",
                        to_state=claim.review_state,
                        to_verdict=claim.verdict,
                        to_credibility=claim.credibility,
                        comment="Checked against the captures.",
                        created_at=at + timedelta(hours=3),
                        updated_at=at + timedelta(hours=3),
                    )
                )
        ReviewEvent.objects.bulk_create(events, batch_size=BATCH)

    def _relations(self, claims) -> None:
        rng = self.rng
        kinds = ("contradicts", "supports", "part_of")
        pool = self.claim_ids + [c.id for c in claims]
        seen, relations = set(), []
        for claim in claims:
            count = 3 if claim is claims[0] else (1 if rng.random() < 0.08 else 0)
            for _ in range(count):
                key = (claim.id, rng.choice(pool), rng.choice(kinds))
                if key[1] != claim.id and key not in seen:
                    seen.add(key)
                    relations.append(
                        ClaimRelation(
                            from_claim_id=key[0],
                            to_claim_id=key[1],
                            kind=key[2],
                            created_by=self.analyst,
                            created_at=claim.created_at,
                            updated_at=claim.created_at,
                        )
                    )
        ClaimRelation.objects.bulk_create(relations, batch_size=BATCH)
