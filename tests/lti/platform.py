"""A test LTI platform: its own RSA key, a JWKS (static or served over loopback HTTP), id_tokens
signed exactly as a platform signs them, and `LtiActions`, which drives the real
/lti/login → platform → /lti/launch round trip through the Flask test client.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from functools import lru_cache
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
DROP = object()  # a claim value meaning "leave this claim out"
TOOL = "https://tool.test"


@lru_cache(maxsize=8)
def rsa_key(n: int = 0):
    """A test RSA key (cached: generation is slow); `n` picks a distinct one."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private_key, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


class JwksServer:
    """A tiny threaded HTTP server on 127.0.0.1 serving the platform JWKS (or failing)."""

    def __init__(self, platform: TestPlatform):
        self.platform = platform
        self.fail = False
        self.hits = 0
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/jwks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @Request.application
    def _app(self, request: Request) -> Response:
        self.hits += 1
        if self.fail:
            return Response("unavailable", status=503)
        return Response(json.dumps(self.platform.jwks()), content_type="application/json")

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class TestPlatform:
    """An LTI 1.3 platform as the tool sees it: issuer, client id, deployment, signing keys."""

    __test__ = False  # not a pytest class

    def __init__(self, issuer: str = "https://lms.test", client_id: str = "tutornet-client",
                 deployment_id: str = "dep-1", key_index: int = 0):
        self.issuer, self.client_id, self.deployment_id = issuer, client_id, deployment_id
        self.keys = [(f"platform-key-{key_index}", rsa_key(key_index))]
        self.server: JwksServer | None = None

    @property
    def kid(self) -> str:
        return self.keys[-1][0]

    @property
    def private_key(self):
        return self.keys[-1][1]

    def jwks(self) -> dict:
        return {"keys": [public_jwk(key, kid) for kid, key in self.keys]}

    def rotate(self, key_index: int) -> None:
        """Add a new signing key (the old one stays published, as platforms do)."""
        self.keys.append((f"platform-key-{key_index}", rsa_key(key_index)))

    def serve_jwks(self) -> str:
        self.server = JwksServer(self)
        return self.server.url

    def registration(self, network_id: int, *, served: bool = False) -> dict:
        """`create_platform` arguments for this platform."""
        return dict(
            network_id=network_id, issuer=self.issuer, client_id=self.client_id,
            auth_login_url=f"{self.issuer}/auth", auth_token_url=f"{self.issuer}/token",
            key_set_url=self.serve_jwks() if served else None, key_set=None if served else self.jwks(),
            deployment_ids=[self.deployment_id], name="Test LMS",
        )

    def claims(self, *, nonce: str, role: str | list | None = "Learner", message_type: str = "LtiResourceLinkRequest",
               sub: str = "user-1", link_id: str = "link-1", context_id: str = "course-1", **overrides) -> dict:
        """Claims of a launch as a platform builds them; `overrides` replace (DROP removes) claims."""
        now = int(time.time())
        roles = [] if role is None else [role] if isinstance(role, str) else list(role)
        roles = [r if ("#" in r or "/" in r or not r) else ROLE + r for r in roles]
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 60, "nonce": nonce,
            "name": "Иванова Мария Петровна", "given_name": "Мария", "family_name": "Иванова",
            "email": f"{sub if isinstance(sub, str) else 'nobody'}@school.test",
            CLAIM + "version": "1.3.0", CLAIM + "message_type": message_type,
            CLAIM + "deployment_id": self.deployment_id, CLAIM + "target_link_uri": f"{TOOL}/lti/launch",
            CLAIM + "roles": roles,
            CLAIM + "context": {"id": context_id, "label": "ИПОМ-1", "title": "Курс тьюторов",
                                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            CLAIM + "launch_presentation": {"locale": "ru-RU", "document_target": "iframe"},
            CLAIM + "tool_platform": {"guid": "lms-guid", "product_family_code": "moodle", "version": "4.5"},
            NRPS_CLAIM: {"context_memberships_url": f"{self.issuer}/nrps/{context_id}", "service_versions": ["2.0"]},
            AGS_CLAIM: {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                                  "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                        "lineitems": f"{self.issuer}/ags/{context_id}/lineitems"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[CLAIM + "resource_link"] = {"id": link_id, "title": "Анкета педагога"}
        elif message_type == "LtiDeepLinkingRequest":
            claims[DL_CLAIM + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "accept_multiple": True,
                "data": "opaque-data-42",
            }
        if sub is DROP:
            del claims["sub"]
        for name, value in overrides.items():
            name = name if name.startswith(("http", "iss", "aud", "sub", "iat", "exp", "nonce", "azp", "name",
                                            "given_name", "family_name", "email")) else CLAIM + name
            if value is DROP:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def sign(self, claims: dict, *, kid: str | None | object = None, key=None, alg: str = "RS256") -> str:
        """A JWT as the platform signs it; kid=DROP leaves the kid out of the header."""
        headers = {} if kid is DROP else {"kid": kid or self.kid}
        return jwt.encode(claims, key or self.private_key, algorithm=alg, headers=headers)


class LtiActions:
    """Like flaskr's AuthActions: a real login + launch of the test platform through the client."""

    def __init__(self, app, client, platform: TestPlatform):
        self.app, self.client, self.platform = app, client, platform

    def login(self, client=None, **params) -> dict:
        """POST /lti/login (through the cookie check page); returns the auth request's parameters."""
        client = client or self.client
        data = {"iss": self.platform.issuer, "login_hint": "hint-1", "target_link_uri": f"{TOOL}/lti/launch",
                "client_id": self.platform.client_id, "lti_deployment_id": self.platform.deployment_id, **params}
        response = client.post("/lti/login", data=data)
        if response.status_code == 200 and b"data-lti-cookie-check" in response.data:
            # What lti.js does once the probe cookie is readable: continue in the same frame.
            response = client.post("/lti/login", data={**data, "lti1p3_new_window": "1"})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        location = urlparse(response.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == f"{self.platform.issuer}/auth"
        return {k: v[0] for k, v in parse_qs(location.query).items()}

    def launch(self, role="Learner", *, client=None, login_client=None, state=None, token=None, sign=None,
               **claims):
        """Login, then POST the signed id_token to /lti/launch; returns the launch response.

        `sign` = dict of `TestPlatform.sign` options (kid, key, alg); `token` replaces the id_token;
        `state` replaces the state sent back.
        """
        auth = self.login(client=login_client or client)
        assert auth["redirect_uri"] == f"{TOOL}/lti/launch"
        body = self.platform.claims(nonce=auth["nonce"], role=role, **claims)
        id_token = token if token is not None else self.platform.sign(body, **(sign or {}))
        form = {"id_token": id_token, "state": auth["state"] if state is None else state}
        form = {k: v for k, v in form.items() if v is not DROP}
        return (client or self.client).post("/lti/launch", data=form)


def new_nonce() -> str:
    return uuid.uuid4().hex
