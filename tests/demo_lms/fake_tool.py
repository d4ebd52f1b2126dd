"""A tiny independent LTI tool used to test the demo LMS (not TutorNet: the LMS must stand alone).

It serves a JWKS, an OIDC login that redirects to the platform's /auth, and a launch receiver
that verifies the id_token against the platform JWKS and answers the claims as JSON. It can also
sign client assertions and deep linking responses.
"""
from __future__ import annotations

import secrets
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import make_server


class FakeTool:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-tool-1"
        self.client_id = "tutornet-demo"
        self.lms_url = ""  # set once the LMS runs
        self.redirect_uri_override: str | None = None
        self.pending: dict[str, str] = {}  # state -> nonce
        self.launches: list[dict[str, Any]] = []
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- JWTs signed by the tool --------------------------------------------------------------
    def sign(self, claims: dict[str, Any], kid: str | None = None, key: Any = None) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def assertion(self, aud: str | None = None, jti: str | None = None, **over: Any) -> str:
        now = int(time.time())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": aud or f"{self.lms_url}/token",
                  "iat": now, "exp": now + 60, "jti": jti or str(uuid.uuid4())}
        claims.update(over)
        return self.sign(claims)

    def token_response(self, scopes: list[str], **assertion_kw: Any) -> requests.Response:
        return requests.post(f"{self.lms_url}/token", data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.assertion(**assertion_kw), "scope": " ".join(scopes)}, timeout=10)

    def token(self, scopes: list[str]) -> str:
        r = self.token_response(scopes)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def deep_link_response(self, request_claims: dict[str, Any], items: list[dict[str, Any]], **over: Any) -> str:
        now = int(time.time())
        dl = "https://purl.imsglobal.org/spec/lti-dl/claim/"
        claims = {"iss": self.client_id, "aud": self.lms_url, "iat": now, "exp": now + 60,
                  "nonce": secrets.token_hex(8),
                  "https://purl.imsglobal.org/spec/lti/claim/deployment_id":
                      request_claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
                  "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
                  "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
                  dl + "content_items": items, dl + "msg": "Готово",
                  dl + "data": request_claims[dl + "deep_linking_settings"]["data"]}
        claims.update(over)
        return self.sign(claims)

    # -- HTTP endpoints --------------------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask("fake_tool")
        tool = self

        @app.get("/lti/jwks")
        def jwks():
            jwk = RSAAlgorithm.to_jwk(tool.key.public_key(), as_dict=True)
            jwk.update({"kid": tool.kid, "alg": "RS256", "use": "sig"})
            return jsonify({"keys": [jwk]})

        @app.route("/lti/login", methods=["GET", "POST"])
        def login():
            p = request.values
            state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
            tool.pending[state] = nonce
            params = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                      "prompt": "none", "client_id": p["client_id"],
                      "redirect_uri": tool.redirect_uri_override or p["target_link_uri"],
                      "login_hint": p["login_hint"], "lti_message_hint": p.get("lti_message_hint", ""),
                      "state": state, "nonce": nonce}
            return redirect(f"{p['iss']}/auth?{urlencode(params)}")

        @app.route("/lti/launch", methods=["GET", "POST"])
        def launch():
            if "error" in request.values:
                return jsonify({"error": request.values["error"],
                                "error_description": request.values.get("error_description")}), 400
            token = request.form["id_token"]
            header = jwt.get_unverified_header(token)
            keys = requests.get(f"{tool.lms_url}/.well-known/jwks.json", timeout=10).json()["keys"]
            jwk = next(k for k in keys if k["kid"] == header["kid"])
            claims = jwt.decode(token, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"],
                                audience=tool.client_id, issuer=tool.lms_url)
            nonce = tool.pending.pop(request.form["state"])
            assert claims["nonce"] == nonce
            tool.launches.append(claims)
            return jsonify({"header": header, "claims": claims})

        return app
