"""An independent LTI 1.3 platform: OpenLearning's `lti1p3platform` (PyPI, MIT) driven without a web
framework, for issue 3's acceptance ("an independent platform library launches the tool").

Everything a platform sends the tool is built and signed by the library: the OIDC login initiation
(`OIDCLoginAbstract.initiate_login`), the id_token of each launch (`LTIAdvantageMessageLaunchAbstract
.lti_launch`, with its deep-linking, AGS and NRPS claims), its JWKS (`LTI1P3PlatformConfAbstract.get_jwks`,
served over loopback HTTP), and it validates the tool's LtiDeepLinkingResponse with the tool's JWKS
(`validate_deeplinking_resp`). This module only supplies what the library leaves abstract (its
framework adapters are Django/FastAPI): the request object, the redirect and the launch "form"
(returned as data instead of HTML), and the transport of the tool's JWKS URL to the Flask test client.

Library gaps worked around here (each the smallest override, marked `WORKAROUND`):
- `fetch_public_key` uses `requests`; the tool runs in-process (Flask test client), so a tool URL is
  fetched through the test client instead. Other URLs still go through the library's `requests` code.
"""
from __future__ import annotations

import json
import threading
import typing as t
import uuid
from functools import lru_cache
from urllib.parse import parse_qs, urlparse

from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership#"
INSTITUTION = LIS + "institution/person#"


@lru_cache(maxsize=4)
def platform_key_pems(n: int = 0) -> tuple[str, str]:
    """(private PEM, public PEM) of an RSA key of the library's platform (generation is slow: cached)."""
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode(), key.export_to_pem().decode()


class LibraryPlatformConf(LTI1P3PlatformConfAbstract):
    """The library's platform configuration holding one registration (the tool, as this platform knows it)."""

    def init_platform_config(self, registration: Registration, tool_client=None,
                             tool_base_url: str = "") -> None:
        self._registration = registration
        self._tool_client, self._tool_base_url = tool_client, tool_base_url

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self._registration

    def fetch_public_key(self, key_set_url: str):
        # WORKAROUND: the library fetches the tool's JWKS with `requests`; the tool under test runs in
        # this process behind Flask's test client, so its URLs are fetched through the client.
        if self._tool_client is not None and key_set_url.startswith(self._tool_base_url + "/"):
            response = self._tool_client.get(key_set_url[len(self._tool_base_url):])
            assert response.status_code == 200, response.status_code
            return response.get_json()
        return super().fetch_public_key(key_set_url)


class AuthRequest(Request):
    """The tool's authentication request (its redirect to the platform's auth URL) as a library Request."""

    def build_metadata(self, request: str) -> TRequest:
        url = urlparse(request)
        return {"method": "GET", "form_data": {}, "json": None, "headers": {}, "content_type": None,
                "path": url.path, "get_data": {k: v[0] for k, v in parse_qs(url.query).items()}}


class LibraryOIDCLogin(OIDCLoginAbstract):
    """Login initiation: `initiate_login(user_id)` returns the URL the browser is sent to."""

    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class LibraryMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """The launch: `lti_launch()` returns the auto-post form's data {launch_url, id_token, state}."""

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> dict[str, t.Any]:
        return launch_data


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class LibraryPlatform:
    """One platform (issuer, client id, deployment) built on the library, its JWKS on 127.0.0.1.

    `login_url(...)` starts a launch the way the platform does (remembering what to launch under an
    opaque `lti_message_hint`); `launch_form(auth_url)` answers the tool's authentication request
    with the id_token of that launch.
    """

    def __init__(self, *, tool_base_url: str, tool_client, issuer: str = "https://independent-lms.test",
                 client_id: str = "independent-client", deployment_id: str = "independent-dep-1",
                 key_index: int = 0):
        private_pem, public_pem = platform_key_pems(key_index)
        self.issuer, self.client_id, self.deployment_id = issuer, client_id, deployment_id
        self.tool_base_url = tool_base_url
        self.registration = (
            Registration()
            .set_iss(issuer)
            .set_client_id(client_id)
            .set_deployment_id(deployment_id)
            .set_oidc_login_url(f"{tool_base_url}/lti/login")
            .set_launch_url(f"{tool_base_url}/lti/launch")
            .set_deeplink_launch_url(f"{tool_base_url}/lti/launch")
            .set_tool_key_set_url(f"{tool_base_url}/lti/jwks")
            .set_platform_private_key(private_pem)
            .set_platform_public_key(public_pem)
        )
        self.conf = LibraryPlatformConf(registration=self.registration, tool_client=tool_client,
                                        tool_base_url=tool_base_url)
        self.pending: dict[str, dict] = {}  # lti_message_hint -> what to launch
        self.jwks_hits = 0
        self._server = make_server("127.0.0.1", 0, self._serve_jwks, threaded=True, request_handler=_Quiet)
        self.jwks_url = f"http://127.0.0.1:{self._server.server_port}/jwks"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    @WsgiRequest.application
    def _serve_jwks(self, request: WsgiRequest) -> WsgiResponse:
        self.jwks_hits += 1
        return WsgiResponse(json.dumps(self.conf.get_jwks()), content_type="application/json")

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def tool_registration(self, network_id: int) -> dict:
        """`create_platform` arguments: what an administrator copies from this platform into the tool."""
        return dict(network_id=network_id, issuer=self.issuer, client_id=self.client_id,
                    auth_login_url=f"{self.issuer}/auth", auth_token_url=f"{self.issuer}/token",
                    key_set_url=self.jwks_url, deployment_ids=[self.deployment_id], name="lti1p3platform LMS")

    # --- the platform's side of a launch -------------------------------------------------------

    def login_url(self, user_id: str, roles: list[str], *, deep_linking: bool = False,
                  launch_url: str | None = None, **launch: t.Any) -> str:
        """The OIDC login initiation URL (GET) the library builds for this user and launch."""
        hint = uuid.uuid4().hex
        self.pending[hint] = dict(user_id=user_id, roles=roles, deep_linking=deep_linking,
                                  launch_url=launch_url, **launch)
        login = LibraryOIDCLogin(None, self.conf)
        if deep_linking:
            login.set_deeplinking_launch_url()
        elif launch_url:
            login.set_launch_url(launch_url)
        login.set_lti_message_hint(hint=hint)
        return login.initiate_login(user_id)

    def launch_form(self, auth_url: str, *, id_token_expiration: int | None = None) -> dict[str, t.Any]:
        """The library's answer to the tool's authentication request: {launch_url, id_token, state}."""
        request = AuthRequest(auth_url)
        params = request.get_data
        spec = self.pending[params["lti_message_hint"]]
        assert params["login_hint"] == spec["user_id"]
        message = LibraryMessageLaunch(request, self.conf)
        if spec["launch_url"]:
            message.set_launch_url(spec["launch_url"])
        if id_token_expiration is not None:
            message.set_id_token_expiration(id_token_expiration)
        message.set_user_data(spec["user_id"], spec["roles"], full_name="Петрова Анна Сергеевна",
                              email_address=f"{spec['user_id']}@independent-lms.test")
        message.set_launch_context_claim(spec.get("context_id", "ind-course-1"),
                                         context_types=[LIS + "course#CourseOffering"],
                                         context_title="Независимый курс", context_label="НК-1")
        message.set_launch_presentation_claim(document_target="iframe",
                                              return_url=f"{self.issuer}/course/return")
        message.set_nrps(f"{self.issuer}/nrps/{spec.get('context_id', 'ind-course-1')}")
        if spec["deep_linking"]:
            message.set_dl(f"{self.issuer}/deep-link-return", title="Выбор материала",
                           accept_types={"ltiResourceLink"}, extra_data=spec.get("data"))
        else:
            message.set_resource_link_claim(spec.get("link_id", "ind-link-1"),
                                            title=spec.get("title", "TutorNet"))
            if spec.get("custom"):
                message.set_custom_parameters_claim(spec["custom"])
            if spec.get("lineitem"):
                message.set_ags(f"{self.issuer}/ags/lineitems", spec["lineitem"])
        return message.lti_launch()

    def validate_deep_linking_response(self, form: dict[str, str]) -> list[dict]:
        """The content items of the tool's LtiDeepLinkingResponse, verified with the tool's JWKS."""
        return self.conf.validate_deeplinking_resp(form)
