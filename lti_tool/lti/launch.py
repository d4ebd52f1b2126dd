"""pylti1p3 wired for TutorNet: shared state, iframe-safe cookies, strict and cheap validation.

Differences from a stock `FlaskMessageLaunch` (see docs/lti.md):
- the OIDC state lives in the shared cache keyed by the state itself, bound to the nonce, and is
  taken (deleted) atomically as the last validation step, in the transaction that writes the
  launch's rows: single use, works without cookies, in any process;
- the platform JWKS comes from `PlatformKeyStore` (shared cache, parsed once, one refetch on an
  unknown kid) and PyJWT checks signature, exp/iat (small skew), iss, aud and azp;
- claims are checked with specific messages (the 1EdTech certification cases);
- launch data is saved only for deep linking, the one message that needs it after the launch.
"""
from __future__ import annotations

import logging
from urllib.parse import urlparse

import jwt
from flask import current_app, request
from flask_babel import gettext as _
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException
from pylti1p3.session import SessionService

from ..extensions import db
from .cache import SharedLaunchDataStorage, get_cache
from .errors import LaunchRefused
from .platform_keys import PlatformKeyStore
from .tool_config import DbToolConf

log = logging.getLogger(__name__)

STATE_TTL = 600  # seconds between login initiation and launch
LAUNCH_DATA_TTL = 3600  # a deep-linking picker must be submitted within this time
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
SUPPORTED_MESSAGES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")


class ToolCookieService(FlaskCookieService):
    """pylti1p3's state cookie with the attributes of the app's session cookie (iframe-safe)."""

    def update_response(self, response):
        cfg = current_app.config
        secure = bool(cfg.get("SESSION_COOKIE_SECURE"))
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key, str(data["value"]), max_age=data["exp"], path="/", httponly=True, secure=secure,
                samesite=cfg.get("SESSION_COOKIE_SAMESITE"), partitioned=secure and cfg.get("SESSION_COOKIE_PARTITIONED", False),
            )


class SharedSessionService(SessionService):
    """Login state and launch data in the shared cache instead of the Flask session."""

    def __init__(self, lti_request, storage: SharedLaunchDataStorage):
        super().__init__(lti_request)
        self.set_data_storage(storage)
        self._nonce: str | None = None

    def save_nonce(self, nonce: str):
        # Kept with the state (save_state_params follows): the nonce is valid for that state only.
        self._nonce = nonce

    def save_state_params(self, state: str, params):
        self.data_storage.set_value(self._get_key(state), {**params, "nonce": self._nonce}, STATE_TTL)

    def take_state(self, state: str) -> dict | None:
        """The state's login data, deleted in the same statement (one launch gets it)."""
        return self.data_storage.pop_value(self._get_key(state))

    def save_launch_data(self, key: str, jwt_body):
        self.data_storage.set_value(self._get_key(key, add_prefix=False), jwt_body, LAUNCH_DATA_TTL)


def key_store() -> PlatformKeyStore:
    """The app's platform key store (one per app: it holds parsed keys)."""
    ext = current_app.extensions.setdefault("tutornet_lti", {})
    if "keys" not in ext:
        ext["keys"] = PlatformKeyStore(get_cache(), min_refetch=current_app.config.get("LTI_JWKS_MIN_REFETCH_SECONDS", 5))
    return ext["keys"]


def _services():
    lti_request = FlaskRequest()
    session_service = SharedSessionService(lti_request, SharedLaunchDataStorage(get_cache()))
    return lti_request, DbToolConf(db.session), session_service, ToolCookieService(lti_request)


def on_this_tool(url: str | None) -> bool:
    """True if `url` points at this tool (its configured base URL or the host it was reached on)."""
    if not url:
        return False
    parsed = urlparse(url)
    hosts = {urlparse(current_app.config["TOOL_BASE_URL"]).netloc, request.host}
    return parsed.scheme in ("http", "https") and parsed.netloc in hosts


class ToolOIDCLogin(FlaskOIDCLogin):
    """OIDC third-party login initiation with state in the shared cache."""

    @classmethod
    def from_request(cls) -> ToolOIDCLogin:
        lti_request, conf, session_service, cookies = _services()
        login = cls(lti_request, conf, session_service=session_service, cookie_service=cookies)
        return login.pass_params_to_launch({"target_link_uri": lti_request.get_param("target_link_uri")})


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch validated strictly; refusals raise `LaunchRefused` with a translated message."""

    deployment = None

    @classmethod
    def from_request(cls) -> ToolMessageLaunch:
        lti_request, conf, session_service, cookies = _services()
        return cls(lti_request, conf, session_service=session_service, cookie_service=cookies)

    @classmethod
    def restore(cls, launch_id: str) -> ToolMessageLaunch:
        """A deep-linking launch saved at launch time (raises LtiException when gone)."""
        lti_request, conf, session_service, cookies = _services()
        return cls.from_cache(launch_id, lti_request, conf, session_service=session_service, cookie_service=cookies)

    def validate(self):
        if self._restored:
            raise LtiException("A restored launch can't be validated.")
        self._validated = True
        try:
            self.validate_state()
            self.validate_jwt_format()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_claims()
            self.validate_deployment()
            self.validate_message()
            self.consume_state()
            if self.is_deep_link_launch():
                self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
            return self
        except LaunchRefused:
            self._validated = False
            raise
        except LtiException as exc:
            self._validated = False
            raise LaunchRefused(400, _("The launch message is invalid: %(detail)s", detail=str(exc)), str(exc)) from exc

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LaunchRefused(401, _("The launch has no state parameter. Open the activity again from your course."))
        cookie = self._cookie_service.get_cookie(state)
        if cookie is not None and cookie != state:
            raise LaunchRefused(401, _("The launch state does not match this browser."))
        return self  # the state itself is taken from storage by `consume_state`, last

    def validate_jwt_format(self):
        if not self._get_request_param("id_token"):
            raise LaunchRefused(400, _("The launch has no id_token."))
        try:
            super().validate_jwt_format()
        except LtiException as exc:
            raise LaunchRefused(400, _("The launch token is not a valid JWT."), str(exc)) from exc
        if not isinstance(self._jwt.get("header"), dict) or not isinstance(self._jwt.get("body"), dict):
            raise LaunchRefused(400, _("The launch token is not a valid JWT."))
        return self

    def get_client_id(self) -> str:
        body = self._get_jwt_body()
        aud = body.get("aud")
        if isinstance(aud, list):
            return body.get("azp") or (aud[0] if aud else "")
        return aud

    def validate_registration(self):
        if not self._jwt["body"].get("iss") or not self.get_client_id():
            raise LaunchRefused(400, _("The launch token has no issuer or audience."))
        return super().validate_registration()

    def validate_jwt_signature(self):
        header, body = self._jwt["header"], self._jwt["body"]
        reg = self._registration
        key = key_store().key(kid=header.get("kid"), alg=header.get("alg"),
                              url=reg.get_key_set_url(), key_set=reg.get_key_set())
        client_id = reg.get_client_id()
        try:
            jwt.decode(
                self._get_id_token(), key, algorithms=[header["alg"]], audience=client_id, issuer=reg.get_issuer(),
                leeway=current_app.config.get("LTI_CLOCK_SKEW_SECONDS", 10),
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRefused(401, _("The launch token has expired. Open the activity again from your course."),
                                str(exc)) from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchRefused(401, _("The launch token is issued in the future: check the LMS server clock."),
                                str(exc)) from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchRefused(401, _("The launch token is not addressed to this tool (aud)."), str(exc)) from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchRefused(401, _("The launch token signature is invalid."), str(exc)) from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchRefused(401, _("The launch token is invalid: %(detail)s", detail=str(exc)), str(exc)) from exc
        aud = body["aud"]
        azp = body.get("azp")
        if (isinstance(aud, list) and len(aud) > 1 and not azp) or (azp is not None and azp != client_id):
            raise LaunchRefused(401, _("The launch token is not addressed to this tool (azp)."))
        return self

    def validate_claims(self):
        """The certification's bad-launch cases, each with its own message."""
        body = self._jwt["body"]
        version = body.get(CLAIM + "version")
        if version != "1.3.0":
            raise LaunchRefused(400, _("The launch has no LTI version or an unsupported one (%(version)s); "
                                       "TutorNet speaks LTI 1.3.0.", version=version or "—"))
        message_type = body.get(CLAIM + "message_type")
        if not message_type:
            raise LaunchRefused(400, _("The launch has no LTI message type."))
        if message_type not in SUPPORTED_MESSAGES:
            raise LaunchRefused(400, _("TutorNet does not handle LTI messages of type %(type)s.", type=message_type))
        if not body.get(CLAIM + "deployment_id"):
            raise LaunchRefused(400, _("The launch has no deployment_id."))
        if not body.get("sub"):
            raise LaunchRefused(400, _("The launch has no user (sub)."))
        if not isinstance(body.get(CLAIM + "roles"), list):
            raise LaunchRefused(400, _("The launch has no roles claim."))
        if message_type == "LtiResourceLinkRequest" and not (body.get(CLAIM + "resource_link") or {}).get("id"):
            raise LaunchRefused(400, _("The launch has no resource link id."))
        if not on_this_tool(body.get(CLAIM + "target_link_uri")):
            raise LaunchRefused(400, _("The launch targets an address that is not this tool (target_link_uri)."))
        return self

    def validate_deployment(self):
        self.deployment = self._tool_config.find_deployment_by_params(
            self.get_iss(), self._get_deployment_id(), self.get_client_id()
        )
        return self

    def consume_state(self):
        """Take the login state and check the token's nonce against it (single use of both).

        One DELETE … RETURNING, last, inside the request's transaction: the state is consumed
        exactly when the launch's rows commit; a refusal rolls back and leaves nothing behind.
        """
        data = self._session_service.take_state(self._get_request_param("state"))
        if data is None:
            raise LaunchRefused(401, _("The launch state is unknown, expired or already used. "
                                       "Open the activity again from your course."))
        nonce = self._jwt["body"].get("nonce")
        if not nonce or nonce != data.get("nonce"):
            raise LaunchRefused(401, _("The launch nonce does not match its login (replayed or forged launch)."))
        return self

    @property
    def registration(self):
        return self._registration

    @property
    def claims(self) -> dict:
        return self._get_jwt_body()
