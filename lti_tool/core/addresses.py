"""Which URLs and network addresses the tool may reach when it fetches a URL a platform handed it.

A platform (or anyone pretending to be one) chooses the URLs the tool fetches: the OpenID
configuration of a dynamic registration, key sets, token endpoints, NRPS and AGS service URLs.
Without these rules the tool would read its own private network for them (SSRF): the cloud
metadata service, an admin panel on loopback, a database on a private address. Pure functions,
no I/O: `lti_tool.core.outbound` applies them to every address a host name resolves to.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests.utils import requote_uri

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services answer credentials to anyone who asks from the instance. Named apart so
# that no operator setting (trusted networks) can ever open them.
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Yandex Cloud, VK Cloud
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
    "192.0.0.192",  # Oracle Cloud
))

# Ranges that are never a platform on the internet, with the reason shown in refusals. Python's
# `is_global` is the backstop for whatever this list misses (its tables change between versions).
_BLOCKED = [(ipaddress.ip_network(net), reason) for net, reason in (
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared"),  # carrier-grade NAT (RFC 6598)
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link_local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.2.0/24", "reserved"),
    ("192.88.99.0/24", "reserved"),  # 6to4 relay anycast
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),
    ("198.51.100.0/24", "reserved"),
    ("203.0.113.0/24", "reserved"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # includes 255.255.255.255
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "reserved"),  # deprecated IPv4-compatible addresses
    ("64:ff9b:1::/48", "private"),  # local-use NAT64 (RFC 8215)
    ("100::/64", "reserved"),  # discard-only
    ("2001::/23", "reserved"),  # IETF protocol assignments, Teredo among them
    ("2001:db8::/32", "reserved"),
    ("fc00::/7", "private"),  # unique local
    ("fe80::/10", "link_local"),
    ("fec0::/10", "reserved"),  # deprecated site-local
    ("ff00::/8", "multicast"),
)]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Reasons no setting can lift: the operator's trusted networks open private ranges, never these.
_ALWAYS_REFUSED = ("metadata", "unspecified", "multicast")


def parse_address(text: str) -> IPAddress:
    """An IP address from a resolver answer or a URL host (an IPv6 zone id is dropped)."""
    return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries when the network translates it to IPv4
    (IPv4-mapped, NAT64 well-known prefix, 6to4): the connection really goes there."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def refusal(ip: IPAddress, *, allow_loopback: bool = False,
            trusted: tuple[IPNetwork, ...] = ()) -> str | None:
    """None when the tool may connect to `ip`, else why not ('private', 'loopback', 'metadata' …).

    `allow_loopback`: development (TUTORNET_DEV) runs the LMS on the same machine.
    `trusted`: networks the operator declared safe (an LMS inside the institution's network).
    """
    inner = embedded_ipv4(ip)
    if inner is not None:
        return refusal(inner, allow_loopback=allow_loopback, trusted=trusted)
    reason = _classify(ip)
    if reason is None or reason in _ALWAYS_REFUSED:
        return reason
    if reason == "loopback" and allow_loopback:
        return None
    if any(ip.version == net.version and ip in net for net in trusted):
        return None
    return reason


def _classify(ip: IPAddress) -> str | None:
    if ip in METADATA:
        return "metadata"
    for net, reason in _BLOCKED:
        if ip.version == net.version and ip in net:
            return reason
    if ip.is_multicast:
        return "multicast"
    return None if ip.is_global else "reserved"


def parse_networks(text: str | None) -> tuple[IPNetwork, ...]:
    """Networks from a comma- or space-separated setting ('10.20.0.0/16, 192.168.5.7'); ValueError on junk."""
    items = (text or "").replace(",", " ").split()
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


class UrlProblem(ValueError):
    """A URL the tool refuses before any network access; `reason` is a stable code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A checked URL split the way a connection needs it."""

    scheme: str  # "https" or "http"
    host: str  # lower case, IDNA-encoded, no trailing dot, IPv6 without brackets
    port: int
    path: str  # the request target: path and query, percent-encoded

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port

    @property
    def ip_literal(self) -> IPAddress | None:
        try:
            return parse_address(self.host)
        except ValueError:
            return None


def normalise_host(host: str) -> str:
    """A host name as the guard compares it: lower case, IDNA (punycode), no trailing dot."""
    host = host.strip().rstrip(".").lower()
    try:
        parse_address(host)
        return host.strip("[]")
    except ValueError:
        pass
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise UrlProblem("bad_url", "the host name is not valid") from exc


def parse_target(url: str) -> Target:
    """Split and check `url`: http(s), a host, no user name or password, no whitespace or control
    characters (they would let the URL smuggle a second request). Raises UrlProblem."""
    if not isinstance(url, str) or not url or len(url) > 4096:
        raise UrlProblem("bad_url", "the address is empty or too long")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise UrlProblem("bad_url", "the address contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlProblem("bad_url", "the address is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise UrlProblem("bad_url", "only https addresses are fetched")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise UrlProblem("bad_url", "the address has no host, or carries a user name or password")
    host = normalise_host(parts.hostname)
    path = requote_uri(parts.path or "/") + (f"?{requote_uri(parts.query)}" if parts.query else "")
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def hosts_of(*urls: str | None) -> frozenset[str]:
    """The normalised hosts of `urls` (empty or unusable ones are skipped): an allow-list."""
    hosts = set()
    for url in urls:
        if not url:
            continue
        try:
            hosts.add(parse_target(url).host)
        except UrlProblem:
            continue
    return frozenset(hosts)
