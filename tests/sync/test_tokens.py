"""Access tokens: one fetch per registration and scope set, shared storage, refresh after 401."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest

from lti_tool.core.cache import DatabaseCache
from sync.tokens import PlatformRef, TokenError, TokenProvider, cache_key

from .helpers import make_tool_key

SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/score",
          "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"]
A = PlatformRef(1, "https://moodle.example", "client-a", "https://moodle.example/mod/lti/token.php", None)
B = PlatformRef(2, "https://moodle.example", "client-b", "https://moodle.example/mod/lti/token.php", None)


class FakeResponse:
    def __init__(self, status, body):
        self.status_code, self._body, self.content = status, body, str(body).encode()

    def json(self):
        return self._body


class FakeTokenEndpoint:
    """Counts token requests and hands out numbered tokens."""

    def __init__(self, status=200):
        self.requests, self.status, self.lock = [], status, threading.Lock()

    def request(self, method, url, *, allowed_hosts, form, headers):
        assert method == "POST"
        data = form
        with self.lock:
            self.requests.append(data)
            n = len(self.requests)
        if self.status != 200:
            return FakeResponse(self.status, {"error": "invalid_scope", "error_description": "no scope left"})
        return FakeResponse(200, {"access_token": f"tok-{data['client_assertion'][-6:]}-{n}", "expires_in": 3600})


@pytest.fixture
def key(sessions):
    with sessions.begin() as s:
        k = make_tool_key(s)
        return k.kid, k.public_jwk


def provider(sessions, endpoint):
    return TokenProvider(sessions, DatabaseCache(sessions.kw["bind"]), endpoint)


def test_many_requests_from_many_threads_fetch_one_token(sessions, key):
    endpoint = FakeTokenEndpoint()
    tokens = provider(sessions, endpoint)
    with ThreadPoolExecutor(8) as pool:
        got = set(pool.map(lambda _: tokens.token(A, SCOPES), range(200)))
    assert len(endpoint.requests) == 1 and len(got) == 1


def test_key_includes_client_id_and_sorted_scopes(sessions, key):
    endpoint = FakeTokenEndpoint()
    tokens = provider(sessions, endpoint)
    ta, tb = tokens.token(A, SCOPES), tokens.token(B, SCOPES)
    assert ta != tb and len(endpoint.requests) == 2
    assert tokens.token(A, list(reversed(SCOPES))) == ta  # same set, other order: same token
    assert cache_key(A, SCOPES) != cache_key(B, SCOPES)
    tokens.token(A, SCOPES[:1])
    assert len(endpoint.requests) == 3


def test_token_is_shared_through_storage_with_another_process(sessions, key):
    endpoint = FakeTokenEndpoint()
    first = provider(sessions, endpoint).token(A, SCOPES)
    assert provider(sessions, endpoint).token(A, SCOPES) == first  # a new provider: no memo, reads storage
    assert len(endpoint.requests) == 1


def test_invalidate_after_401_fetches_once_more(sessions, key):
    endpoint = FakeTokenEndpoint()
    tokens = provider(sessions, endpoint)
    stale = tokens.token(A, SCOPES)
    tokens.invalidate(A, SCOPES, stale)
    fresh = tokens.token(A, SCOPES)
    assert fresh != stale and len(endpoint.requests) == 2
    tokens.invalidate(A, SCOPES, stale)  # a late 401 for the old token keeps the fresh one
    assert tokens.token(A, SCOPES) == fresh and len(endpoint.requests) == 2


def test_client_assertion_claims(sessions, key):
    kid, jwk = key
    endpoint = FakeTokenEndpoint()
    tokens = provider(sessions, endpoint)
    tokens.token(A, SCOPES)
    tokens.invalidate(A, SCOPES, tokens.token(A, SCOPES))
    tokens.token(A, SCOPES)
    form = endpoint.requests[0]
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert form["scope"] == " ".join(sorted(SCOPES))
    public = jwt.PyJWK(jwk).key
    claims = jwt.decode(form["client_assertion"], public, algorithms=["RS256"], audience=A.token_url)
    assert claims["iss"] == claims["sub"] == "client-a" and claims["exp"] > claims["iat"]
    assert jwt.get_unverified_header(form["client_assertion"])["kid"] == kid
    second = jwt.decode(endpoint.requests[1]["client_assertion"], public, algorithms=["RS256"], audience=A.token_url)
    assert second["jti"] != claims["jti"]


def test_declared_audience_is_used(sessions, key):
    endpoint = FakeTokenEndpoint()
    platform = PlatformRef(3, "https://d2l.example", "c", "https://auth.example/token", "https://api.example/auth")
    provider(sessions, endpoint).token(platform, SCOPES)
    assert jwt.decode(endpoint.requests[0]["client_assertion"], options={"verify_signature": False})["aud"] == \
        "https://api.example/auth"


def test_refusal_carries_the_platform_message(sessions, key):
    with pytest.raises(TokenError, match="no scope left") as err:
        provider(sessions, FakeTokenEndpoint(status=400)).token(A, SCOPES)
    assert err.value.status == 400


def test_lease_is_released_only_by_its_holder(sessions):
    from sync.locks import acquire, release

    cache = DatabaseCache(sessions.kw["bind"])
    owner = acquire(cache, "sync:test", 30)
    assert owner and acquire(cache, "sync:test", 30) is None
    release(cache, "sync:test", "someone else")
    assert acquire(cache, "sync:test", 30) is None
    release(cache, "sync:test", owner)
    assert acquire(cache, "sync:test", 30) is not None
