"""The Kremlin drone case of 3 May 2023, as data: sources, claims, appearances, evidence.

Taken from ../shared/seed/kremlin-drone-2023-05-03.txt; claims.demo builds it through the
services. Keys (`"main"`, `"kremlin_main"`…) only link the entries to each other here.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from claims.models import ClaimRelation
from provenance.models import Appearance, Evidence
from sources.models import Source

DEMO_TAG = "kremlin-drone-2023"
DEMO_ANALYST = "demo-analyst"
DEMO_EDITOR = "demo-editor"
DAY = datetime(2023, 5, 3, tzinfo=UTC)  # the seed gives dates only: precision "day"

S, A, E = Source.Kind, Appearance.Stance, Evidence.Kind


@dataclass(frozen=True)
class SourceSpec:
    key: str
    name: str
    kind: str
    reliability: str
    country: str = ""
    parent: str | None = None
    state_affiliated: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ClaimSpec:
    key: str
    text: str
    summary: str = ""
    tags: tuple[str, ...] = ()
    part_of: str | None = None


@dataclass(frozen=True)
class AppearanceSpec:
    key: str
    claim: str
    source: str
    stance: str
    quote: str = ""
    language: str = ""
    translation: str = ""
    derived_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceSpec:
    url: str
    kind: str
    title: str
    description: str
    appearance: str
    claims: tuple[tuple[str, str], ...] = ()


SOURCES = (
    SourceSpec(
        "presidency",
        "Office of the President of Russia",
        S.GOVERNMENT_BODY,
        "D",
        country="RU",
        state_affiliated=True,
        description="The Presidential Executive Office of the Russian Federation.",
        aliases=("Russian presidency", "Presidential Executive Office", "the Kremlin"),
        identifiers=(("domain", "kremlin.ru"),),
    ),
    SourceSpec(
        "kremlin",
        "Kremlin press service",
        S.GOVERNMENT_BODY,
        "D",
        country="RU",
        parent="presidency",
        state_affiliated=True,
        description="Press service of the President of Russia; publishes statements on kremlin.ru.",
        aliases=("Press service of the President of Russia", "пресс-служба Кремля"),
    ),
    SourceSpec(
        "ria",
        "RIA Novosti",
        S.OUTLET,
        "D",
        country="RU",
        state_affiliated=True,
        description="Russian state news agency (Rossiya Segodnya); the seed's “state news”.",
        aliases=("РИА Новости",),
        identifiers=(("domain", "ria.ru"), ("telegram", "rian_ru")),
    ),
    SourceSpec(
        "nbc",
        "NBC News",
        S.OUTLET,
        "B",
        country="US",
        identifiers=(("domain", "nbcnews.com"),),
    ),
    SourceSpec(
        "ft",
        "Financial Times",
        S.OUTLET,
        "B",
        country="GB",
        aliases=("FT",),
        identifiers=(("domain", "ft.com"),),
    ),
    SourceSpec(
        "seddon",
        "Max Seddon",
        S.PERSON,
        "B",
        parent="ft",
        description="Moscow bureau chief of the Financial Times.",
        identifiers=(("x_handle", "maxseddon"),),
    ),
    SourceSpec(
        "telegram",
        "Telegram channels (unnamed)",
        S.CHANNEL,
        "F",
        description="Channels circulating footage of the night in Russia; not named in reports.",
    ),
    SourceSpec(
        "skeptics",
        "Skeptics (unnamed commentators)",
        S.UNKNOWN,
        "F",
        description="Commentators cited without names as doubting the Kremlin's account.",
    ),
    SourceSpec(
        "usintel",
        "U.S. intelligence",
        S.GOVERNMENT_BODY,
        "C",
        country="US",
        state_affiliated=True,
        description="United States intelligence community findings, as reported.",
    ),
    SourceSpec(
        "locals",
        "Locals near the Kremlin",
        S.UNKNOWN,
        "F",
        country="RU",
        description="Moscow residents who posted video of the night; not named.",
    ),
)

_TAGS = (DEMO_TAG, "kremlin", "drones", "russia-ukraine-war")
MAIN = "main"
CLAIMS = (
    ClaimSpec(
        MAIN,
        "Ukraine launched a drone attack on the Kremlin on the night of 2–3 May 2023 "
        "in an attempt to assassinate Vladimir Putin.",
        summary=(
            "Russian government agencies and state media said on 3 May 2023 that two "
            "Ukrainian drones targeting the Kremlin were disabled overnight, calling it an "
            "attempt on Putin's life. Footage shows a small drone and a small explosion near "
            "a flagpole; who launched it cannot be established from open sources."
        ),
        tags=_TAGS,
    ),
    ClaimSpec(
        "drones_disabled",
        "Russian military and special services disabled two drones targeting the Kremlin "
        "on the night of 2–3 May 2023.",
        tags=_TAGS,
        part_of=MAIN,
    ),
    ClaimSpec(
        "no_one_hurt",
        "No one was hurt by debris from the drones that fell on the Kremlin on 3 May 2023.",
        tags=_TAGS,
        part_of=MAIN,
    ),
    ClaimSpec(
        "putin_absent",
        "Vladimir Putin was not in the Kremlin building when the drones struck on 3 May 2023.",
        tags=_TAGS,
        part_of=MAIN,
    ),
    ClaimSpec(
        "kyiv_blamed",
        "Kyiv is to blame for the drone attack on the Kremlin on 3 May 2023.",
        tags=_TAGS,
        part_of=MAIN,
    ),
    ClaimSpec(
        "terrorist_act",
        "The drone attack on the Kremlin was a planned terrorist act and an attempt on the "
        "president's life on the eve of Victory Day.",
        tags=_TAGS,
        part_of=MAIN,
    ),
    ClaimSpec(
        "retaliation",
        "Russia reserves the right to retaliate for the drone attack on the Kremlin where "
        "and when it sees fit.",
        tags=_TAGS,
        part_of=MAIN,
    ),
    ClaimSpec(
        "false_flag",
        "The drone attack on the Kremlin on 3 May 2023 may have been a false flag "
        "operation staged by Russia.",
        tags=(*_TAGS, "false-flag"),
    ),
    ClaimSpec(
        "false_flag_record",
        "Russia planned false flag attacks during its invasion of Ukraine.",
        tags=(DEMO_TAG, "false-flag", "russia-ukraine-war"),
    ),
)
# (from, kind, to) besides the part_of edges declared on the claims above.
RELATIONS = (
    ("false_flag", ClaimRelation.Kind.CONTRADICTS, MAIN),
    ("false_flag_record", ClaimRelation.Kind.SUPPORTS, "false_flag"),
)

# The Kremlin's statement of 3 May 2023, sentence by sentence, in the wording published on
# kremlin.ru and reproduced by Russian media; English translations ours.
RU_ATTACK = (
    "Сегодня ночью киевским режимом была совершена попытка нанесения удара беспилотными "
    "летательными аппаратами по кремлёвской резиденции Президента Российской Федерации."
)
EN_ATTACK = (
    "Last night the Kyiv regime attempted to strike the Kremlin residence of the President "
    "of the Russian Federation with unmanned aerial vehicles."
)
RU_DRONES = (
    "Два беспилотных летательных аппарата были нацелены на Кремль. В результате "
    "предпринятых военными и специальными службами своевременных действий с применением "
    "систем радиолокационной борьбы аппараты были выведены из строя."
)
EN_DRONES = (
    "Two unmanned aerial vehicles were aimed at the Kremlin. As a result of timely action "
    "by the military and special services using radar warfare systems, the vehicles were "
    "disabled."
)
RU_DEBRIS = (
    "Вследствие их падения и разлёта осколков на территории Кремля пострадавших "
    "и материального ущерба нет."
)
EN_DEBRIS = (
    "Their fall and the scattering of fragments on the territory of the Kremlin caused "
    "no casualties and no material damage."
)
RU_TERROR = (
    "Расцениваем эти действия как спланированную террористическую акцию и покушение на "
    "Президента, проведённые накануне Дня Победы, Парада 9 мая, на котором планируется "
    "присутствие и иностранных гостей."
)
EN_TERROR = (
    "We regard these actions as a planned terrorist act and an attempt on the life of the "
    "President, carried out on the eve of Victory Day, the 9 May Parade, which foreign "
    "guests are also expected to attend."
)
RU_RETALIATE = (
    "Российская сторона оставляет за собой право принять ответные меры там и тогда, "
    "где и когда посчитает нужным."
)
EN_RETALIATE = (
    "The Russian side reserves the right to take retaliatory measures where and when it sees fit."
)
NBC_TERROR = (
    "We regard these actions as a planned terrorist act and an attempt on the life of the "
    "president, carried out on the eve of Victory Day,"
)
NBC_RETALIATE = (
    "The Russian side reserves the right to take retaliatory measures where and when it sees fit."
)
TWEET_1 = (
    "Russia says Ukraine tried to assassinate Vladimir Putin overnight in a drone attack on "
    "the Kremlin. Putin was unharmed and is working as normal. It's not clear when or "
    "whether this happened, but Telegram channels are posting what looks like anti-aircraft "
    "fire over the Kremlin."
)
TWEET_2 = (
    'The Kremlin says its military and secret services "acted timely" to shoot down the '
    'drones. "Russia reserves the right to take retaliatory measures when and where it sees '
    'fit," it added. Locals nearby posted video overnight of the apparent aftermath.'
)
TWEET_3 = (
    "Incredible footage of what Russia says was Ukraine's attempt to kill Putin in a drone "
    "strike last night"
)
SKEPTICS = "any claim from the Kremlin should be taken with an enormous grain of salt"


def _ru(key, claim, source, stance, quote, translation, derived_from=()):
    return AppearanceSpec(key, claim, source, stance, quote, "ru", translation, derived_from)


def _en(key, claim, source, stance, quote="", derived_from=()):
    language = "en" if quote else ""
    return AppearanceSpec(key, claim, source, stance, quote, language, "", derived_from)


# In creation order: an appearance's upstreams come before it. The statement travels
# Kremlin → RIA Novosti (state news carrying it) → NBC News (quoting it). Max Seddon's tweets
# say "The Kremlin says" and translate the Russian themselves ("when and where", not NBC's
# "where and when"), so they derive from the statement and the footage they relay.
APPEARANCES = (
    _ru("kremlin_main", MAIN, "kremlin", A.ASSERTS, RU_TERROR, EN_TERROR),
    _ru("ria_main", MAIN, "ria", A.REPEATS, RU_TERROR, EN_TERROR, ("kremlin_main",)),
    _en("nbc_main", MAIN, "nbc", A.QUOTES, NBC_TERROR, ("ria_main",)),
    _en("telegram_main", MAIN, "telegram", A.REPEATS),
    _en("seddon_main_1", MAIN, "seddon", A.REPORTS, TWEET_1, ("kremlin_main", "telegram_main")),
    _en("seddon_main_3", MAIN, "seddon", A.REPORTS, TWEET_3, ("kremlin_main", "telegram_main")),
    _en("skeptics_main", MAIN, "skeptics", A.QUESTIONS, SKEPTICS),
    _ru("kremlin_drones", "drones_disabled", "kremlin", A.ASSERTS, RU_DRONES, EN_DRONES),
    _en("locals_drones", "drones_disabled", "locals", A.REPORTS),
    _en(
        "seddon_drones",
        "drones_disabled",
        "seddon",
        A.REPORTS,
        TWEET_2,
        ("kremlin_drones", "locals_drones"),
    ),
    _ru("kremlin_debris", "no_one_hurt", "kremlin", A.ASSERTS, RU_DEBRIS, EN_DEBRIS),
    # The seed reports the statement said so; no verbatim wording is given.
    _en("kremlin_absent", "putin_absent", "kremlin", A.ASSERTS),
    _ru("kremlin_kyiv", "kyiv_blamed", "kremlin", A.ASSERTS, RU_ATTACK, EN_ATTACK),
    _ru("kremlin_terror", "terrorist_act", "kremlin", A.ASSERTS, RU_TERROR, EN_TERROR),
    _ru("kremlin_retaliate", "retaliation", "kremlin", A.ASSERTS, RU_RETALIATE, EN_RETALIATE),
    _en("nbc_retaliate", "retaliation", "nbc", A.QUOTES, NBC_RETALIATE, ("kremlin_retaliate",)),
    _en("seddon_retaliate", "retaliation", "seddon", A.REPORTS, TWEET_2, ("kremlin_retaliate",)),
    _en("skeptics_false_flag", "false_flag", "skeptics", A.ASSERTS),
    _en("usintel_record", "false_flag_record", "usintel", A.ASSERTS),
)

EVIDENCE = (
    EvidenceSpec(
        "https://pic.twitter.com/Bw6Bp4OwFk",
        E.VIDEO,
        "Apparent anti-aircraft fire over the Kremlin, as posted by Telegram channels",
        "Video attached to Max Seddon's first tweet of 3 May 2023.",
        "seddon_main_1",
        ((MAIN, "context"), ("drones_disabled", "context")),
    ),
    EvidenceSpec(
        "https://pic.twitter.com/AkUTbYYeiH",
        E.VIDEO,
        "Video of the apparent aftermath, posted overnight by locals nearby",
        "Video attached to Max Seddon's second tweet of 3 May 2023.",
        "seddon_drones",
        (("drones_disabled", "context"), (MAIN, "context")),
    ),
    EvidenceSpec(
        "https://pic.twitter.com/1XiwCbC4lI",
        E.VIDEO,
        "Drone video: a small quadcopter flies toward the Kremlin, then a small explosion "
        "near a flagpole",
        "The footage circulated in Russia as proof of the attack, attached to Max Seddon's "
        "third tweet of 3 May 2023. Who launched the drone is not visible.",
        "seddon_main_3",
        ((MAIN, "context"), ("false_flag", "context")),
    ),
)

PUBLISH_COMMENT = (
    "The only account of who launched the drones is the Kremlin's; the footage shows a small "
    "drone and an explosion but not its origin. Published as unverifiable."
)
SUBMIT_COMMENT = "Entered from the seed; ready for an editor."
FALSE_FLAG_COMMENT = "Raised by skeptics; no evidence either way yet. Needs an editor's call."
