"""A small loopback LTI platform for the registration tests: OpenID configuration, registration
endpoint with a one-use token, a JWKS, and misbehaviours (slow, huge, redirecting, failing).

Independent of demo_lms: a werkzeug server in a thread on port 0, driven over real HTTP.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
JWKS = {"keys": [{"kty": "RSA", "kid": "p1", "alg": "RS256", "use": "sig", "e": "AQAB",
                  "n": "sXch0tDBw-ZFn6bHqWOmMf6R7tOCqOWHs2dVYLZc9o0kPHNjEG3LnJkeQ1YgNbzEv2dGXSRrTc3BgZ-EXAMPLE"}]}


@dataclass
class Behaviour:
    """What the platform does; tests change it between requests."""

    token: str = "reg-token-1"
    config_overrides: dict = field(default_factory=dict)
    config_remove: tuple = ()
    register_status: int = 200
    register_delay: float = 0.0
    config_delay: float = 0.0
    client_id: str = "client-abc"
    deployment_id: str | None = "7"
    used_tokens: set = field(default_factory=set)
    registrations: list = field(default_factory=list)


class LoopbackPlatform:
    """A Moodle-like platform on 127.0.0.1 (issuer = its URL)."""

    def __init__(self, host: str = "127.0.0.1"):
        self.behaviour = Behaviour()
        self._server = make_server(host, 0, self._wsgi, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def config_url(self) -> str:
        return f"{self.url}/mod/lti/openid-configuration.php"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def openid_configuration(self) -> dict:
        conf = {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/mod/lti/auth.php",
            "token_endpoint": f"{self.url}/mod/lti/token.php",
            "jwks_uri": f"{self.url}/mod/lti/certs.php",
            "registration_endpoint": f"{self.url}/mod/lti/openid-registration.php",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                                 "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                                 "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                                 "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                                 "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM_CONFIG: {"product_family_code": "moodle", "version": "2024100700",
                              "messages_supported": [{"type": "LtiResourceLinkRequest"},
                                                     {"type": "LtiDeepLinkingRequest"}]},
        }
        conf.update(self.behaviour.config_overrides)
        for key in self.behaviour.config_remove:
            conf.pop(key, None)
        return conf

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        return self._handle(request)(environ, start_response)

    def _handle(self, request: Request) -> Response:
        b = self.behaviour
        path = request.path
        if path == "/mod/lti/openid-configuration.php":
            time.sleep(b.config_delay)
            return _json(self.openid_configuration())
        if path == "/mod/lti/openid-registration.php" and request.method == "POST":
            return self._register(request)
        if path == "/mod/lti/certs.php":
            return _json(JWKS)
        if path == "/big.json":
            return Response(b'{"x": "' + b"a" * 200_000 + b'"}', mimetype="application/json")
        if path == "/redirect-away":
            port = self._server.server_port
            return Response("", status=302, headers={"Location": f"http://localhost:{port}/mod/lti/certs.php"})
        if path == "/redirect-here":
            return Response("", status=302, headers={"Location": "/mod/lti/certs.php"})
        if path == "/not-json":
            return Response("<html>hello</html>", mimetype="text/html")
        return Response("not found", status=404)

    def _register(self, request: Request) -> Response:
        b = self.behaviour
        time.sleep(b.register_delay)
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {b.token}" or b.token in b.used_tokens:
            return _json({"error": "invalid_token"}, 401)
        if b.register_status != 200:
            return _json({"error": "server_error", "error_description": "database is down"}, b.register_status)
        b.used_tokens.add(b.token)
        body = json.loads(request.get_data(as_text=True))
        b.registrations.append(body)
        tool_conf = dict(body[TOOL_CONFIG])
        if b.deployment_id is not None:
            tool_conf["deployment_id"] = b.deployment_id
        # Moodle answers application_type as an array, and the deployment inside the tool config.
        answer = {**body, "client_id": b.client_id, "application_type": ["web"], TOOL_CONFIG: tool_conf}
        return _json(answer)


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")
