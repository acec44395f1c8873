"""The public-address guard: hostile URLs are refused before any socket connects.

Names resolve through a fake resolver and every connect is recorded (non-loopback ones are
blocked), so these tests prove refusals of private and public ranges without a packet leaving
the machine.
"""

import socket

import pytest
from django.core.exceptions import ImproperlyConfigured

from provenance.capture.fetch.fetcher import CaptureRefused, FetchError, fetch
from provenance.capture.shared import netguard
from tests.provenance.capture.loopback import (  # noqa: F401 (fixtures)
    ConnectRecorder,
    FakeResolver,
    LocalServer,
    connects_fixture,
    respond,
)

DNS = {
    "example.com": ["93.184.216.34"],
    "intranet.example": ["10.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.216.34", "10.0.0.1"],
    "ula.example": ["fd12:3456::1"],
    "mapped.example": ["::ffff:192.168.0.1"],
    "xn--bcher-kva.example": ["93.184.216.34"],
    "busy.example": socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
}


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    return FakeResolver(DNS).install(monkeypatch)


ADDRESS = "refused_address"
HOSTILE = [
    # schemes and credentials
    ("ftp://example.com/file", "refused_scheme"),
    ("file:///etc/passwd", "refused_scheme"),
    ("gopher://127.0.0.1:6379/_INFO", "refused_scheme"),
    ("javascript:alert(1)", "refused_scheme"),
    ("//example.com/", "refused_scheme"),
    ("http://user:secret@example.com/", "refused_credentials"),
    ("http://token@example.com/", "refused_credentials"),
    ("http://127.0.0.1\\@example.com/", "refused_credentials"),
    # loopback and its spellings
    ("http://127.0.0.1/", ADDRESS),
    ("http://127.8.9.10:8000/", ADDRESS),
    ("http://localhost/", ADDRESS),
    ("http://LOCALHOST./admin", ADDRESS),
    ("http://127.1/", ADDRESS),
    ("http://2130706433/", ADDRESS),
    ("http://0x7f000001/", ADDRESS),
    ("http://0177.0.0.1/", ADDRESS),
    ("http://0x7f.1/", ADDRESS),
    ("http://127.000.000.001/", ADDRESS),
    ("http://127.0.0.1./", ADDRESS),
    ("http://0/", ADDRESS),
    ("http://0.0.0.0:8000/", ADDRESS),
    # IPv4 special-purpose ranges
    ("http://10.1.2.3/", ADDRESS),
    ("http://172.16.5.4/", ADDRESS),
    ("http://192.168.1.1/", ADDRESS),
    ("http://100.64.0.1/", ADDRESS),
    ("http://169.254.1.1/", ADDRESS),
    ("http://169.254.169.254/latest/meta-data/", ADDRESS),
    ("http://100.100.100.200/latest/meta-data/", ADDRESS),
    ("http://168.63.129.16/machine?comp=goalstate", ADDRESS),
    ("http://192.0.0.192/", ADDRESS),
    ("http://192.0.2.10/", ADDRESS),
    ("http://198.51.100.7/", ADDRESS),
    ("http://203.0.113.9/", ADDRESS),
    ("http://198.18.0.1/", ADDRESS),
    ("http://224.0.0.1/", ADDRESS),
    ("http://239.255.255.250:1900/", ADDRESS),
    ("http://240.0.0.1/", ADDRESS),
    ("http://255.255.255.255/", ADDRESS),
    # IPv6 and IPv4 embedded in IPv6
    ("http://[::1]/", ADDRESS),
    ("http://[::]/", ADDRESS),
    ("http://[::ffff:127.0.0.1]/", ADDRESS),
    ("http://[::ffff:a9fe:a9fe]/", ADDRESS),
    ("http://[::ffff:10.0.0.1]/", ADDRESS),
    ("http://[::127.0.0.1]/", ADDRESS),
    ("http://[::ffff:0:7f00:1]/", ADDRESS),
    ("http://[fd00:ec2::254]/latest/meta-data/", ADDRESS),
    ("http://[fc00::1]/", ADDRESS),
    ("http://[fe80::1]/", ADDRESS),
    ("http://[fec0::1]/", ADDRESS),
    ("http://[ff02::1]/", ADDRESS),
    ("http://[2002:a00:1::]/", ADDRESS),
    ("http://[2002:7f00:1::1]/", ADDRESS),
    ("http://[64:ff9b::a00:1]/", ADDRESS),
    ("http://[64:ff9b::7f00:1]/", ADDRESS),
    ("http://[64:ff9b::a9fe:a9fe]/", ADDRESS),
    ("http://[64:ff9b:1::a00:1]/", ADDRESS),
    ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", ADDRESS),
    ("http://[2001:db8::1]/", ADDRESS),
    # names resolving to refused addresses
    ("http://intranet.example/", ADDRESS),
    ("http://metadata.example/", ADDRESS),
    ("http://mixed.example/", ADDRESS),
    ("http://ula.example/", ADDRESS),
    ("http://mapped.example/", ADDRESS),
    # malformed hosts that could be read as addresses
    ("http://[fe80::1%25eth0]/", "invalid_url"),
    ("http://%31%32%37.0.0.1/", "invalid_url"),
    ("http://1.2.3.4.5/", "invalid_url"),
    ("http://intranet.0x7f/", "invalid_url"),
    ("http://[::1/", "invalid_url"),
    ("http:///etc/passwd", "invalid_url"),
    ("http://127.0.0.1 /", "invalid_url"),
    ("http://example.com:0/", "invalid_url"),
    ("http://example.com:70000/", "invalid_url"),
]


@pytest.mark.parametrize(("url", "code"), HOSTILE, ids=[u for u, _ in HOSTILE])
def test_fetch_refuses_hostile_url_before_connecting(url, code, tmp_path, connects):
    with pytest.raises(CaptureRefused) as refused:
        fetch(url, workdir=tmp_path)

    assert refused.value.code == code
    assert refused.value.retryable is False
    assert connects.attempts == []
    assert list(tmp_path.iterdir()) == []


def test_name_resolving_to_private_address_is_refused_after_one_lookup(dns, connects):
    with pytest.raises(CaptureRefused) as refused:
        netguard.resolve_url("http://intranet.example/")

    assert refused.value.message == (
        "Refused intranet.example: it resolves to 10.0.0.1 (private network). "
        "Captures fetch public internet addresses only; "
        "to allow a test network, list it in the CAPTURE_ALLOWED_NETWORKS setting."
    )
    assert dns.calls == ["intranet.example"]
    assert connects.attempts == []


def test_metadata_refusal_does_not_point_to_the_allowlist(dns, connects, settings):
    settings.CAPTURE_ALLOWED_NETWORKS = ["169.254.0.0/16"]

    with pytest.raises(CaptureRefused) as refused:
        netguard.resolve_url("http://metadata.example/")

    assert refused.value.message == (
        "Refused metadata.example: it resolves to 169.254.169.254 (cloud metadata service). "
        "Captures fetch public internet addresses only."
    )
    assert connects.attempts == []


def test_every_resolved_address_must_be_public():
    with pytest.raises(CaptureRefused) as refused:
        netguard.resolve_url("http://mixed.example/")

    assert "it resolves to 10.0.0.1 (private network)" in refused.value.message


def test_odd_spelling_is_refused_with_the_address_it_means():
    with pytest.raises(CaptureRefused) as refused:
        netguard.resolve_url("http://0x7f000001/")

    assert refused.value.message == (
        "Refused 0x7f000001: an unusual spelling of the address 127.0.0.1. "
        "Write IPv4 addresses as four decimal numbers (a.b.c.d)."
    )


def test_embedded_ipv4_is_named_in_the_refusal():
    with pytest.raises(CaptureRefused) as refused:
        netguard.resolve_url("http://[64:ff9b::a9fe:a9fe]/")

    assert "NAT64 form of 169.254.169.254" in refused.value.message


@pytest.mark.parametrize(
    ("url", "ip"),
    [
        ("http://93.184.216.34/", "93.184.216.34"),
        ("https://example.com/page", "93.184.216.34"),
        ("http://bücher.example/", "93.184.216.34"),
        ("https://[2606:4700:4700::1111]/", "2606:4700:4700::1111"),
        ("http://[64:ff9b::5db8:d822]/", "64:ff9b::5db8:d822"),
    ],
)
def test_public_destinations_pass_without_connecting(url, ip, connects):
    target = netguard.resolve_url(url)

    assert target.ip == ip
    assert connects.attempts == []


def test_unknown_name_fails_dns_without_retry():
    with pytest.raises(FetchError) as failed:
        netguard.resolve_url("http://no-such-host.example/")

    assert failed.value.code == "dns_failed"
    assert failed.value.retryable is False


def test_temporary_dns_failure_is_retryable():
    with pytest.raises(FetchError) as failed:
        netguard.resolve_url("http://busy.example/")

    assert (failed.value.code, failed.value.retryable) == ("dns_failed", True)


def test_default_settings_block_loopback(settings, tmp_path, connects, monkeypatch):
    monkeypatch.delenv("CAPTURE_ALLOWED_NETWORKS", raising=False)
    from claimtrail.settings import env

    assert env.list("CAPTURE_ALLOWED_NETWORKS", default=[]) == []  # the shipped default
    settings.CAPTURE_ALLOWED_NETWORKS = env.list("CAPTURE_ALLOWED_NETWORKS", default=[])
    server = LocalServer()
    server.routes["/"] = lambda h: respond(h, 200, b"local secret")
    try:
        with pytest.raises(CaptureRefused) as refused:
            fetch(server.url("/"), workdir=tmp_path)
    finally:
        server.close()

    assert refused.value.code == "refused_address"
    assert refused.value.message == (
        "Refused 127.0.0.1 (loopback). Captures fetch public internet addresses only; "
        "to allow a test network, list it in the CAPTURE_ALLOWED_NETWORKS setting."
    )
    assert connects.attempts == []
    assert server.received == []


def test_allowlist_lets_only_listed_networks_through(settings):
    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    assert netguard.resolve_url("http://127.0.0.1:8000/").ip == "127.0.0.1"
    assert netguard.resolve_url("http://localhost:8000/").ip == "127.0.0.1"
    for url in ("http://127.0.0.2/", "http://10.0.0.1/", "http://[::1]/"):
        with pytest.raises(CaptureRefused):
            netguard.resolve_url(url)


@pytest.mark.parametrize(
    ("url", "allowed", "code"),
    [
        ("http://user:pw@127.0.0.1/", ["127.0.0.1/32"], "refused_credentials"),
        ("ftp://127.0.0.1/", ["127.0.0.1/32"], "refused_scheme"),
        ("http://127.1/", ["127.0.0.0/8"], "refused_address"),
        ("http://169.254.169.254/", ["169.254.0.0/16"], "refused_address"),
        ("http://[fd00:ec2::254]/", ["fd00::/8"], "refused_address"),
        ("http://0.0.0.0/", ["0.0.0.0/0"], "refused_address"),
    ],
)
def test_allowlist_keeps_every_other_rule(settings, connects, url, allowed, code):
    settings.CAPTURE_ALLOWED_NETWORKS = allowed

    with pytest.raises(CaptureRefused) as refused:
        netguard.resolve_url(url)

    assert refused.value.code == code
    assert connects.attempts == []


def test_allowlist_accepts_a_comma_separated_value(settings):
    settings.CAPTURE_ALLOWED_NETWORKS = "127.0.0.1/32, ::1"

    assert netguard.resolve_url("http://[::1]:8000/").ip == "::1"
    assert netguard.resolve_url("http://127.0.0.1/").ip == "127.0.0.1"


def test_malformed_allowlist_fails_loudly(settings):
    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/33"]

    with pytest.raises(ImproperlyConfigured, match="CAPTURE_ALLOWED_NETWORKS"):
        netguard.resolve_url("http://example.com/")
