"""Identifier normalization: one handle, one stored spelling."""

import pytest

from claimtrail.lib.normalize import IdentifierError, normalize_identifier


@pytest.mark.parametrize(
    "value",
    [
        "maxseddon",
        "MaxSeddon",
        "@MaxSeddon",
        " @maxseddon ",
        "https://x.com/maxseddon",
        "https://twitter.com/MaxSeddon",
        "http://www.twitter.com/maxseddon/",
        "x.com/maxseddon",
        "https://mobile.twitter.com/maxseddon/status/1653703458357362689",
        "https://x.com/MaxSeddon?ref_src=twsrc",
    ],
)
def test_x_handle_spellings_collapse(value):
    assert normalize_identifier("x_handle", value) == "maxseddon"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "max seddon",
            "“max seddon” is not an X/Twitter handle (1–15 letters, digits or underscores).",
        ),
        ("@a_handle_that_is_too_long", "is not an X/Twitter handle"),
        ("https://facebook.com/maxseddon", "is not an X/Twitter profile address."),
        ("https://x.com/", "is not an X/Twitter profile address."),
        ("", "An identifier needs a value."),
        ("   ", "An identifier needs a value."),
    ],
)
def test_x_handle_rejects(value, message):
    with pytest.raises(IdentifierError) as exc:
        normalize_identifier("x_handle", value)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "value",
    [
        "rian_ru",
        "@rian_ru",
        "RIAN_RU",
        "t.me/rian_ru",
        "https://t.me/s/rian_ru",
        "telegram.me/rian_ru",
    ],
)
def test_telegram_spellings_collapse(value):
    assert normalize_identifier("telegram", value) == "rian_ru"


@pytest.mark.parametrize("value", ["abc", "https://example.org/rian_ru", "t.me/"])
def test_telegram_rejects(value):
    with pytest.raises(IdentifierError):
        normalize_identifier("telegram", value)


@pytest.mark.parametrize(
    "value",
    [
        "kremlin.ru",
        "KREMLIN.RU",
        "www.kremlin.ru",
        "kremlin.ru.",
        "http://kremlin.ru/events/president/news/71054",
        "https://www.Kremlin.ru/",
    ],
)
def test_domain_spellings_collapse(value):
    assert normalize_identifier("domain", value) == "kremlin.ru"


def test_domain_keeps_subdomains_other_than_www():
    assert normalize_identifier("domain", "en.kremlin.ru") == "en.kremlin.ru"


@pytest.mark.parametrize(
    "value", ["кремль.рф", "КРЕМЛЬ.РФ", "https://www.кремль.рф/", "xn--e1ajeds9e.xn--p1ai"]
)
def test_domain_internationalized_names_collapse_to_punycode(value):
    assert normalize_identifier("domain", value) == "xn--e1ajeds9e.xn--p1ai"


@pytest.mark.parametrize("value", ["localhost", "not a domain", "-bad-.com", "a..b"])
def test_domain_rejects(value):
    with pytest.raises(IdentifierError) as exc:
        normalize_identifier("domain", value)
    assert "is not a valid domain name." in str(exc.value)


@pytest.mark.parametrize(
    "value",
    [
        "Q7747",
        "q7747",
        " Q7747 ",
        "https://www.wikidata.org/wiki/Q7747",
        "wikidata.org/entity/Q7747",
    ],
)
def test_wikidata_spellings_collapse(value):
    assert normalize_identifier("wikidata", value) == "Q7747"


@pytest.mark.parametrize("value", ["Q0", "P31", "7747", "Qabc"])
def test_wikidata_rejects(value):
    with pytest.raises(IdentifierError) as exc:
        normalize_identifier("wikidata", value)
    assert "is not a Wikidata item id such as Q7747." in str(exc.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.ft.com/stream/abc/", "https://www.ft.com/stream/abc"),
        ("HTTPS://WWW.FT.COM/stream/abc", "https://www.ft.com/stream/abc"),
        ("https://www.ft.com:443/stream/abc#top", "https://www.ft.com/stream/abc"),
        ("http://example.org:8080/a?b=1", "http://example.org:8080/a?b=1"),
        ("https://example.org/", "https://example.org"),
    ],
)
def test_url_normalization(value, expected):
    assert normalize_identifier("url", value) == expected


@pytest.mark.parametrize("value", ["ftp://example.org/file", "example.org/page", "https://"])
def test_url_rejects_non_http(value):
    with pytest.raises(IdentifierError) as exc:
        normalize_identifier("url", value)
    assert "is not an http(s) address." in str(exc.value)


def test_unknown_kind_is_refused():
    with pytest.raises(IdentifierError) as exc:
        normalize_identifier("myspace", "tom")
    assert str(exc.value) == "Unknown identifier kind “myspace”."


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("url", "https://example.com:99999/page"),
        ("url", "http://[::1/page"),
        ("domain", "http://[example.com"),
        ("x_handle", "https://[x.com/maxseddon"),
        ("telegram", "https://[t.me/rian_ru"),
        ("wikidata", "https://[wikidata.org/wiki/Q7747"),
    ],
)
def test_malformed_addresses_are_identifier_errors(kind, value):
    # urlsplit and SplitResult.port raise a bare ValueError, which callers did not catch.
    with pytest.raises(IdentifierError) as exc:
        normalize_identifier(kind, value)
    assert str(exc.value).startswith(f"“{value}” is not a valid {kind} (")
