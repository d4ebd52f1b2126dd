"""The guard in front of every URL that arrives from outside."""
from __future__ import annotations

import socket

import pytest

from lti_tool.admin.fetch import FetchError, Policy, check_url, fetch, fetch_json

DEV = Policy(dev=True, timeout=2.0)
PROD = Policy(dev=False, timeout=2.0)


def _reason(call) -> str:
    with pytest.raises(FetchError) as info:
        call()
    return info.value.reason


def test_plain_http_refused_outside_development(platform):
    assert _reason(lambda: check_url(platform.config_url, PROD)) == "not_https"


def test_plain_http_refused_for_a_public_host_even_in_development():
    assert _reason(lambda: check_url("http://example.org/x", DEV)) == "not_https"


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3/x", "https://192.168.0.10/x",
    "https://169.254.169.254/latest/meta-data", "https://[::1]/x", "https://[fd00::1]/x",
    "https://0.0.0.0/x", "https://[::ffff:10.0.0.1]/x",
])
def test_private_and_loopback_addresses_refused_outside_development(url):
    assert _reason(lambda: check_url(url, PROD)) == "private_address"


def test_a_name_resolving_to_any_private_address_is_refused(monkeypatch):
    """Every address of the name is checked, not only the first."""
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    assert _reason(lambda: check_url("https://lms.example.org/x", PROD)) == "private_address"


def test_public_address_accepted(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))])
    assert check_url("https://lms.example.org/x", PROD) == ("lms.example.org", 443, "93.184.216.34")


def test_credentials_in_url_and_other_schemes_refused():
    assert _reason(lambda: check_url("https://user:pw@lms.example.org/", PROD)) == "bad_url"
    assert _reason(lambda: check_url("file:///etc/passwd", DEV)) == "bad_url"
    assert _reason(lambda: check_url("gopher://127.0.0.1/", DEV)) == "bad_url"


def test_loopback_fetch_in_development(platform):
    status, data = fetch_json(platform.config_url, DEV)
    assert status == 200 and data["issuer"] == platform.url


def test_oversize_body_refused(platform):
    assert _reason(lambda: fetch(f"{platform.url}/big.json", DEV)) == "too_large"


def test_redirect_to_another_host_refused(platform):
    assert _reason(lambda: fetch(f"{platform.url}/redirect-away", DEV)) == "redirect"


def test_redirect_within_the_same_origin_followed(platform):
    status, data = fetch_json(f"{platform.url}/redirect-here", DEV)
    assert status == 200 and data["keys"][0]["kid"] == "p1"


def test_slow_answer_times_out(platform):
    platform.behaviour.config_delay = 1.5
    assert _reason(lambda: fetch(platform.config_url, Policy(dev=True, timeout=0.5))) == "timeout"


def test_closed_port_is_unreachable(platform):
    url = platform.url
    platform.stop()
    assert _reason(lambda: fetch(url + "/x", DEV)) == "unreachable"


def test_connection_goes_to_the_checked_address(platform, monkeypatch):
    """No second DNS lookup: a name re-resolved to another address (rebinding) is not used."""
    import lti_tool.admin.fetch as fetch_module

    port = int(platform.url.rsplit(":", 1)[1])
    calls = []
    real = socket.getaddrinfo

    def counting(host, *args, **kwargs):
        calls.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", counting)
    status, _data = fetch_json(f"http://localhost:{port}/mod/lti/certs.php", DEV)
    assert status == 200
    assert calls.count("localhost") == 1
