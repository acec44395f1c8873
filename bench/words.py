"""Vocabulary of the benchmark fill: claim wording in English and Russian, kinds, errors."""

from sources.models import Source

# Parallel lists: index i of the Russian list translates index i of the English one.
EN_ACTORS = (
    "Ukraine",
    "Russia",
    "The Kremlin",
    "Kyiv",
    "Russian forces",
    "The Ukrainian army",
    "NATO",
    "Belarus",
    "The Wagner Group",
    "The Russian Defence Ministry",
    "Ukrainian partisans",
    "Moscow",
)
RU_ACTORS = (
    "Украина",
    "Россия",
    "Кремль",
    "Киев",
    "Российские войска",
    "Украинская армия",
    "НАТО",
    "Белоруссия",
    "Группа Вагнера",
    "Министерство обороны России",
    "Украинские партизаны",
    "Москва",
)
EN_VERBS = (
    "launched a drone attack on",
    "shelled",
    "struck an ammunition depot near",
    "mined the approaches to",
    "shot down a missile over",
    "staged a provocation in",
    "evacuated civilians from",
    "deployed additional troops to",
    "sabotaged a power line near",
    "captured",
)
RU_VERBS = (
    "атаковала беспилотниками",
    "обстреляла",
    "нанесла удар по складу боеприпасов у",
    "заминировала подступы к",
    "сбила ракету над",
    "устроила провокацию в",
    "эвакуировала мирных жителей из",
    "перебросила дополнительные войска в",
    "повредила линию электропередачи у",
    "захватила",
)
EN_PLACES = (
    "Bakhmut",
    "Kherson",
    "the Zaporizhzhia nuclear plant",
    "Belgorod",
    "Crimea",
    "Odesa",
    "the Kremlin",
    "Kharkiv",
    "Donetsk",
    "Avdiivka",
    "Mariupol",
    "Moscow",
    "Sevastopol",
    "Kyiv",
    "the Kerch bridge",
    "Lviv",
)
RU_PLACES = (
    "Бахмут",
    "Херсон",
    "Запорожскую АЭС",
    "Белгород",
    "Крым",
    "Одессу",
    "Кремль",
    "Харьков",
    "Донецк",
    "Авдеевку",
    "Мариуполь",
    "Москву",
    "Севастополь",
    "Киев",
    "Крымский мост",
    "Львов",
)
EN_ATTRIBUTIONS = (
    "officials said",
    "according to a statement",
    "a spokesman told reporters",
    "local residents reported",
    "footage circulating online appears to show",
    "the ministry said in a briefing",
)
TOPICS = (
    "drones",
    "shelling",
    "nuclear-safety",
    "evacuation",
    "sabotage",
    "disinformation",
    "false-flag",
    "air-defence",
    "energy",
    "mobilization",
    "casualties",
    "war-crimes",
)
KINDS = (
    (Source.Kind.OUTLET, 35),
    (Source.Kind.PERSON, 20),
    (Source.Kind.SOCIAL_ACCOUNT, 15),
    (Source.Kind.CHANNEL, 10),
    (Source.Kind.GOVERNMENT_BODY, 8),
    (Source.Kind.ORGANIZATION, 8),
    (Source.Kind.UNKNOWN, 4),
)
STANCES = ("asserts", "repeats", "reports", "quotes", "denies", "questions")
VERDICTS = ("unverified", "disputed", "supported", "refuted", "misleading", "unverifiable")
EVIDENCE_KINDS = ("video", "image", "social_post", "web_page", "document")
CONTENT_TYPES = {
    "video": "video/mp4",
    "image": "image/jpeg",
    "social_post": "text/html; charset=utf-8",
    "web_page": "text/html; charset=utf-8",
    "document": "application/pdf",
}
ERRORS = (
    ("dns", "The host name does not resolve."),
    ("timeout", "No response within 30 seconds."),
    ("http_status", "The server answered 404 Not Found."),
    ("refused_address", "The address is not public: 10.0.0.8."),
)
