"""The guard in front of every platform URL (lti_tool/core/outbound.py), against real servers.

Servers listen on 127.0.0.1. Production rules are shown with `trusted_networks` opening loopback
(so a TLS server on this machine stands in for an LMS on the internet) or with a resolver that
answers what a hostile DNS zone would: the resolver is the guard's own seam, nothing is mocked.
"""
from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from lti_tool.core import addresses
from lti_tool.core.outbound import (AddressRefused, ConnectFailed, DeadlineExceeded, HttpStatusError,
                                    OutboundClient, Policy, RedirectRefused, ResolutionFailed, TlsFailed, TooLarge,
                                    UnexpectedContent, UrlRefused, hosts_of)

from .outbound_servers import Server, make_ca_and_certificate

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
DEV = Policy(dev=True, total_timeout=3.0)


@pytest.fixture(scope="module")
def http_server():
    server = Server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A TLS server whose certificate (from a private CA) names lms.test only."""
    ca_file, context = make_ca_and_certificate(tmp_path_factory.mktemp("tls"), "lms.test")
    server = Server(context)
    server.ca_file = str(ca_file)
    yield server
    server.stop()


class Dns:
    """A resolver with fixed answers that counts its lookups (the guard's resolver seam)."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers, self.lookups = answers, 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups += 1
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.answers[host])


def production(tls_server, dns: Dns | None = None, **policy) -> OutboundClient:
    """Production rules, with loopback trusted so that the local TLS server plays a public LMS."""
    return OutboundClient(Policy(trusted_networks=LOOPBACK, total_timeout=3.0, **policy),
                          resolver=dns or Dns({"lms.test": ["127.0.0.1"]}), ca_certs=tls_server.ca_file)


def refused(exc_type, call):
    with pytest.raises(exc_type) as info:
        call()
    return info.value


# --- schemes and URLs ---

def test_plain_http_is_refused_in_production_before_any_connection(http_server):
    before = http_server.recorder.connections
    url = http_server.url("/json")
    client = OutboundClient(Policy(trusted_networks=LOOPBACK))
    assert refused(UrlRefused, lambda: client.get_json(url, allowed_hosts=hosts_of(url))).reason == "not_https"
    assert http_server.recorder.connections == before


def test_plain_http_in_development_reaches_loopback_only(http_server):
    url = http_server.url("/json")
    assert OutboundClient(DEV).get_json(url, allowed_hosts=hosts_of(url))["ok"] is True
    # A trusted private range is no excuse for plain http: it is for loopback development only.
    client = OutboundClient(Policy(dev=True, trusted_networks=(ipaddress.ip_network("10.0.0.0/8"),)),
                            resolver=Dns({"intranet.test": ["10.1.2.3"]}))
    error = refused(UrlRefused, lambda: client.get_json("http://intranet.test/x", allowed_hosts={"intranet.test"}))
    assert error.reason == "not_https"


@pytest.mark.parametrize("url", [
    "ftp://lms.test/x", "file:///etc/passwd", "gopher://lms.test/", "https://user:pw@lms.test/",
    "https://lms.test/a b", "https://lms.test/x\r\nX-Injected: 1", "https:///nohost", "", "https://lms.test:99999/",
])
def test_malformed_urls_are_refused(url):
    client = OutboundClient(DEV, resolver=Dns({"lms.test": ["127.0.0.1"]}))
    assert refused(UrlRefused, lambda: client.request("GET", url, allowed_hosts={"lms.test"})).reason == "bad_url"


def test_a_host_outside_the_allow_list_is_refused_without_a_lookup_or_connection(http_server):
    dns = Dns({"evil.test": ["127.0.0.1"]})
    before = http_server.recorder.connections
    client = OutboundClient(DEV, resolver=dns)
    url = f"http://evil.test:{http_server.port}/json"
    error = refused(UrlRefused, lambda: client.get_json(url, allowed_hosts={"lms.test"}))
    assert error.reason == "host_not_allowed" and dns.lookups == 0
    assert http_server.recorder.connections == before


# --- addresses ---

@pytest.mark.parametrize("address", [
    "10.0.0.5", "172.16.3.4", "192.168.1.1", "127.0.0.1", "127.8.9.10", "169.254.169.254", "169.254.1.1",
    "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "255.255.255.255", "192.0.2.10", "198.18.0.1", "::1", "::", "fe80::1", "fd00:ec2::254", "fc00::1",
    "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1",
    "64:ff9b::7f00:1", "2002:a00:1::1", "2002:a9fe:a9fe::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "::10.0.0.1", "2001:db8::1", "64:ff9b:1::1",
])
def test_every_non_public_address_is_refused(address):
    dns = Dns({"lms.test": [address]})
    client = OutboundClient(Policy(), resolver=dns)
    error = refused(AddressRefused, lambda: client.get_json("https://lms.test/x", allowed_hosts={"lms.test"}))
    assert error.reason == "private_address" and dns.lookups == 1


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    dns = Dns({"lms.test": ["93.184.216.34", "2606:2800:220:1::1", "10.0.0.5"]})
    client = OutboundClient(Policy(), resolver=dns)
    refused(AddressRefused, lambda: client.get_json("https://lms.test/x", allowed_hosts={"lms.test"}))


@pytest.mark.parametrize("literal", ["https://127.0.0.1/x", "https://[::ffff:7f00:1]/x", "https://169.254.169.254/",
                                     "https://[fd00:ec2::254]/", "https://0x7f.1/x", "https://2130706433/x"])
def test_address_literals_in_urls_are_checked_too(literal):
    """Literals skip the resolver; decimal and hex forms go through the system resolver, which
    turns them into 127.0.0.1: refused either way."""
    client = OutboundClient(Policy())
    refused(AddressRefused, lambda: client.request("GET", literal, allowed_hosts=hosts_of(literal)))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "::ffff:93.184.216.34",
                                     "64:ff9b::5db8:d822", "2002:5db8:d822::1", "100.63.255.255", "100.128.0.1"])
def test_public_addresses_and_their_translated_forms_are_allowed(address):
    assert addresses.refusal(addresses.parse_address(address)) is None


def test_trusted_networks_open_a_private_range_but_never_metadata_or_multicast():
    trusted = addresses.parse_networks("10.20.0.0/16, 169.254.0.0/16 224.0.0.0/4")
    ip = addresses.parse_address
    assert addresses.refusal(ip("10.20.1.2"), trusted=trusted) is None
    assert addresses.refusal(ip("10.21.1.2"), trusted=trusted) == "private"
    assert addresses.refusal(ip("169.254.169.254"), trusted=trusted) == "metadata"
    assert addresses.refusal(ip("224.0.0.1"), trusted=trusted) == "multicast"
    assert addresses.refusal(ip("127.0.0.1"), allow_loopback=True) is None
    assert addresses.refusal(ip("10.0.0.1"), allow_loopback=True) == "private"


def test_a_resolver_that_fails_or_hangs_is_a_resolution_failure():
    client = OutboundClient(Policy(), resolver=Dns({}))
    assert refused(ResolutionFailed, lambda: client.request("GET", "https://nx.test/", allowed_hosts={"nx.test"})).transient

    def slow(host, port):
        time.sleep(2.0)
        return ["93.184.216.34"]

    client = OutboundClient(Policy(total_timeout=0.3), resolver=slow)
    refused(ResolutionFailed, lambda: client.request("GET", "https://slow.test/", allowed_hosts={"slow.test"}))


# --- pinning, TLS names, reuse ---

def test_the_connection_goes_to_the_checked_address_and_tls_uses_the_host_name(tls):
    dns = Dns({"lms.test": ["127.0.0.1"]})
    client = production(tls, dns)
    url = f"https://lms.test:{tls.port}/json"
    assert client.get_json(url, allowed_hosts={"lms.test"}) == {"ok": True, "host": f"lms.test:{tls.port}"}
    assert tls.recorder.server_names[-1] == "lms.test"  # SNI carries the name, not the address


def test_the_certificate_must_name_the_host_even_when_the_address_is_right(tls):
    client = production(tls, Dns({"other.test": ["127.0.0.1"]}))
    refused(TlsFailed, lambda: client.get_json(f"https://other.test:{tls.port}/json", allowed_hosts={"other.test"}))
    # The address itself is not a name on the certificate either.
    refused(TlsFailed, lambda: client.get_json(tls.url("/json"), allowed_hosts={"127.0.0.1"}))


def test_an_unknown_certificate_authority_is_refused(tls):
    client = OutboundClient(Policy(trusted_networks=LOOPBACK), resolver=Dns({"lms.test": ["127.0.0.1"]}))
    refused(TlsFailed, lambda: client.get_json(f"https://lms.test:{tls.port}/json", allowed_hosts={"lms.test"}))


def test_one_lookup_and_one_connection_serve_many_requests(tls):
    dns = Dns({"lms.test": ["127.0.0.1"]})
    client = production(tls, dns)
    before = tls.recorder.connections
    for _ in range(5):
        client.request("POST", f"https://lms.test:{tls.port}/json", allowed_hosts={"lms.test"}, json={"score": 1})
    assert dns.lookups == 1 and tls.recorder.connections - before == 1


def test_a_name_is_checked_again_after_the_interval_and_a_rebound_answer_is_refused(http_server):
    now = [1000.0]
    dns = Dns({"lms.test": ["127.0.0.1"]})
    client = OutboundClient(Policy(dev=True, reresolve_seconds=60), resolver=dns, clock=lambda: now[0])
    url = f"http://lms.test:{http_server.port}/json"
    client.get_json(url, allowed_hosts={"lms.test"})
    dns.answers["lms.test"] = ["10.0.0.7"]  # the zone now points at the internal network
    now[0] += 30
    client.get_json(url, allowed_hosts={"lms.test"})  # still the pinned, checked address
    assert dns.lookups == 1
    now[0] += 31
    refused(AddressRefused, lambda: client.get_json(url, allowed_hosts={"lms.test"}))
    assert dns.lookups == 2


def test_a_dropped_keepalive_connection_is_replaced_once_for_repeatable_requests(http_server):
    client = OutboundClient(DEV)
    url = http_server.url("/drop-second")
    hosts = hosts_of(url)
    client.request("POST", url, allowed_hosts=hosts, body=b"{}")
    refused(ConnectFailed, lambda: client.request("POST", url, allowed_hosts=hosts, body=b"{}"))
    client.request("POST", url, allowed_hosts=hosts, body=b"{}")
    assert client.request("POST", url, allowed_hosts=hosts, body=b"{}", repeatable=True).status_code == 200


# --- redirects ---

def test_a_redirect_within_the_origin_is_followed(http_server):
    url = http_server.url("/redirect-here")
    assert OutboundClient(DEV).get_json(url, allowed_hosts=hosts_of(url))["ok"] is True


@pytest.mark.parametrize("path", ["/redirect-other-host", "/redirect-metadata", "/redirect-loop"])
def test_redirects_elsewhere_or_without_end_are_refused(http_server, path):
    url = http_server.url(path)
    # localhost is even allowed as a host here: a redirect must stay on its origin regardless.
    client = OutboundClient(DEV)
    refused(RedirectRefused, lambda: client.get_json(url, allowed_hosts={"127.0.0.1", "localhost", "169.254.169.254"}))


def test_a_post_is_never_redirected(http_server):
    before = len(http_server.recorder.requests)
    url = http_server.url("/redirect-here")
    response = OutboundClient(DEV).request("POST", url, allowed_hosts=hosts_of(url), json={})
    assert response.status_code == 302 and len(http_server.recorder.requests) == before + 1


# --- deadline, size, content ---

@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_the_total_deadline_holds_against_a_peer_that_drips_bytes(http_server, path):
    """Each byte comes well within the read timeout (0.25 s apart, timeout 2 s): only a total
    deadline stops the request before the ten seconds the peer would take."""
    client = OutboundClient(Policy(dev=True, total_timeout=1.0, read_timeout=2.0))
    url = http_server.url(path)
    ended, finished = http_server.recorder.drips_ended, http_server.recorder.drips_finished
    refused(DeadlineExceeded, lambda: client.request("GET", url, allowed_hosts=hosts_of(url)))
    # The client hung up: the peer's next writes fail and it stops before its last byte.
    deadline = time.monotonic() + 15
    while http_server.recorder.drips_ended == ended and time.monotonic() < deadline:
        time.sleep(0.05)
    assert http_server.recorder.drips_ended == ended + 1
    assert http_server.recorder.drips_finished == finished


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_answers_over_the_size_limit_are_refused(http_server, path):
    url = http_server.url(path)
    client = OutboundClient(Policy(dev=True, max_bytes=64 * 1024))
    refused(TooLarge, lambda: client.request("GET", url, allowed_hosts=hosts_of(url)))
    assert client.request("GET", url, allowed_hosts=hosts_of(url), max_bytes=400_000).status_code == 200


def test_compressed_answers_are_refused_as_they_could_inflate_past_the_limit(http_server):
    url = http_server.url("/gzip")
    error = refused(UnexpectedContent, lambda: OutboundClient(DEV).request("GET", url, allowed_hosts=hosts_of(url)))
    assert error.reason == "encoding"
    assert http_server.recorder.requests[-1][2].get("Accept-Encoding") == "identity"


def test_json_is_required_when_asked_and_structured_json_types_count(http_server):
    client = OutboundClient(DEV)
    url = http_server.url("/html")
    error = refused(UnexpectedContent, lambda: client.get_json(url, allowed_hosts=hosts_of(url)))
    assert error.reason == "content_type" and "secret" not in str(error)
    assert client.get_json(http_server.url("/jwks"), allowed_hosts=hosts_of(url)) == {"keys": []}
    assert client.request("GET", url, allowed_hosts=hosts_of(url)).status_code == 200  # not asked: not checked


def test_errors_never_carry_the_peers_body(http_server):
    client = OutboundClient(DEV)
    bad = http_server.url("/bad-json")
    error = refused(UnexpectedContent, lambda: client.get_json(bad, allowed_hosts=hosts_of(bad)))
    assert error.reason == "invalid_json" and "secret" not in str(error)
    url = http_server.url("/error")
    error = refused(HttpStatusError, lambda: client.get_json(url, allowed_hosts=hosts_of(url)))
    assert error.status == 500 and error.transient and "hunter2" not in str(error)
    assert str(error) == "127.0.0.1 answered HTTP 500"
