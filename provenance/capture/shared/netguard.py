"""Decide whether a capture may fetch a URL, before any socket opens.

Analysts type the URLs and remote servers choose the redirects, so without this guard a worker
could be sent to its own network: cloud metadata, databases, admin panels. `resolve_url` checks
scheme, credentials and host spelling, resolves the name once, refuses unless every address is
public, and returns the address the fetcher must connect to (no second lookup).

`CAPTURE_ALLOWED_NETWORKS` is a testing aid: it lets listed networks through the address rules
(never cloud metadata or the unspecified address); every other rule still applies.
"""

import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES
from urllib3.util.connection import allowed_gai_family

from provenance.capture.shared.fetch_errors import CaptureRefused, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PUBLIC_ONLY = "Captures fetch public internet addresses only."
# For the refusals CAPTURE_ALLOWED_NETWORKS can lift, so a tester knows where to look.
PUBLIC_ONLY_OR_ALLOWED = (
    "Captures fetch public internet addresses only; "
    "to allow a test network, list it in the CAPTURE_ALLOWED_NETWORKS setting."
)


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to `ip`, present `host` in Host and SNI."""

    scheme: str
    host: str
    port: int
    ip: str
    dns_ms: float | None


# Never let through, allowlist or not: instance credentials live here, and 0.0.0.0 / :: reach
# the local machine on Linux.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "169.254.169.253",  # AWS VPC resolver
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd20:ce::254",  # GCP metadata over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
        "168.63.129.16",  # Azure WireServer: a public-looking address
    )
)

# First match names the reason; requests-hardened's list (kept upstream) is checked as well.
_NAMED_RANGES = [
    (ipaddress.ip_network(net), label)
    for net, label in (
        ("0.0.0.0/8", "'this network' range"),
        ("10.0.0.0/8", "private network"),
        ("172.16.0.0/12", "private network"),
        ("192.168.0.0/16", "private network"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation range"),
        ("198.51.100.0/24", "documentation range"),
        ("203.0.113.0/24", "documentation range"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("198.18.0.0/15", "benchmarking range"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
        ("::1/128", "loopback"),
        ("::/96", "deprecated IPv4-compatible form"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("2001::/32", "Teredo tunnel"),
        ("2001:db8::/32", "documentation range"),
        ("3fff::/20", "documentation range"),
        ("2001::/23", "IETF protocol assignments"),
        ("2002::/16", "6to4 tunnel"),
        ("5f00::/16", "segment routing"),
        ("fc00::/7", "unique local (private network)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
] + [(net, "special-purpose range") for net in EXTRA_BLOCKED_NET_RANGES]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
# Labels of a DNS name; a numeric last label would make WHATWG and inet_aton read an address.
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


def resolve_url(url: str) -> Target:
    """Check `url` and its host's addresses; return the one address to connect to."""
    scheme, host, port = check_url(url)
    ip, dns_ms = _resolve(host, port)
    return Target(scheme=scheme, host=host, port=port, ip=str(ip), dns_ms=dns_ms)


def check_url(url: str) -> tuple[str, str, int]:
    """Refuse what the URL text alone shows: scheme, credentials, malformed or odd hosts."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise CaptureRefused("invalid_url", "The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError as exc:
        raise CaptureRefused("invalid_url", f"The URL cannot be read ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise CaptureRefused(
            "refused_scheme", f"Only http and https URLs can be captured, not {shown}."
        )
    if parts.username is not None or parts.password is not None:
        raise CaptureRefused(
            "refused_credentials",
            "The URL contains a user name or password; remove them, captures never send "
            "credentials.",
        )
    if not hostname:
        raise CaptureRefused("invalid_url", "The URL has no host name.")
    if port == 0:
        raise CaptureRefused("invalid_url", "Port 0 cannot be fetched.")
    return scheme, _canonical_host(hostname), port or (443 if scheme == "https" else 80)


def check_address(ip: IPAddress, *, host: str) -> None:
    """Raise `CaptureRefused` unless `ip` is public or allowlisted (see module docstring)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # the socket reaches the IPv4 host itself
    explain = PUBLIC_ONLY
    if ip in METADATA_ADDRESSES:
        label = "cloud metadata service"
    elif ip.is_unspecified:
        label = "unspecified address"
    elif any(ip in net for net in allowed_networks()):
        return
    else:
        label = _refusal_label(ip)
        if label is None:
            return
        explain = PUBLIC_ONLY_OR_ALLOWED
    shown = host if _is_literal(host) else f"{host}: it resolves to {ip}"
    raise CaptureRefused("refused_address", f"Refused {shown} ({label}). {explain}")


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse CAPTURE_ALLOWED_NETWORKS at call time, so tests and settings changes apply."""
    value = settings.CAPTURE_ALLOWED_NETWORKS
    entries = value.split(",") if isinstance(value, str) else value
    try:
        return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"CAPTURE_ALLOWED_NETWORKS must list addresses or CIDR ranges: {exc}"
        ) from exc


def _refusal_label(ip: IPAddress) -> str | None:
    if ip in _NAT64:  # well-known NAT64 reaches the embedded IPv4 host
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        inner = _refusal_label(embedded) or (
            "cloud metadata service" if embedded in METADATA_ADDRESSES else None
        )
        return f"NAT64 form of {embedded}, {inner}" if inner else None
    for net, label in _NAMED_RANGES:
        if ip.version == net.version and ip in net:
            if ip.version == 6 and ip.sixtofour is not None:
                return f"{label} embedding {ip.sixtofour}"
            return label
    if ip.version == 6 and ip not in _GLOBAL_UNICAST_V6:
        return "reserved"
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return "special-purpose range"
    return None


def _canonical_host(hostname: str) -> str:
    """Return the host as requests will send it, refusing spellings that hide an address."""
    if ":" in hostname:
        if "%" in hostname:
            raise CaptureRefused("invalid_url", "IPv6 zone identifiers are not allowed.")
        try:
            ipaddress.IPv6Address(hostname)
        except ValueError as exc:
            raise CaptureRefused("invalid_url", f"{hostname} is not an IPv6 address.") from exc
        return hostname
    try:
        host = hostname if hostname.isascii() else idna.encode(hostname, uts46=True).decode()
    except UnicodeError as exc:  # idna.IDNAError included
        raise CaptureRefused("invalid_url", f"{hostname} is not a valid host name.") from exc
    labels = host.rstrip(".").split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        return _dotted_quad(host)
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise CaptureRefused("invalid_url", f"{hostname} is not a valid host name.")
    return host


def _dotted_quad(host: str) -> str:
    try:
        ip = ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError as exc:
        raise CaptureRefused(
            "invalid_url", f"{host} is neither an IPv4 address nor a host name."
        ) from exc
    if host != str(ip):
        # getaddrinfo would accept 127.1, 2130706433, 0x7f000001 or 0177.0.0.1 as 127.0.0.1.
        raise CaptureRefused(
            "refused_address",
            f"Refused {host}: an unusual spelling of the address {ip}. Write IPv4 addresses "
            "as four decimal numbers (a.b.c.d).",
        )
    return host


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int) -> tuple[IPAddress, float | None]:
    if _is_literal(host):
        literal = ipaddress.ip_address(host)
        check_address(literal, host=host)
        return literal, None
    started = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(
            "dns_failed",
            f"The name {host} could not be resolved ({exc.strerror}); check the address.",
            retryable=exc.errno == socket.EAI_AGAIN,
        ) from exc
    dns_ms = (time.monotonic() - started) * 1000
    addresses = [
        ipaddress.ip_address(sockaddr[0])
        for family, _, _, _, sockaddr in infos
        if family in (socket.AF_INET, socket.AF_INET6)
    ]
    if not addresses:
        raise FetchError("dns_failed", f"The name {host} has no IPv4 or IPv6 address.")
    for address in addresses:  # all of them: a later connect retry must not reach a bad one
        check_address(address, host=host)
    return addresses[0], dns_ms
