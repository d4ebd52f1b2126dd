"""pylti1p3 wired for TutorNet: shared state, iframe-safe cookies, strict and cheap validation.

Differences from a stock `FlaskMessageLaunch` (see docs/lti.md):
- the OIDC state is a signed, expiring token carrying the nonce's hash (`state.py`): the login
  writes nothing; single use is an insert-or-fail of the nonce's mark into the shared cache as the
  last validation step, in the transaction that writes the launch's rows (one commit per
  login+launch pair); works without cookies, in any process sharing SECRET_KEY;
- the platform JWKS comes from `PlatformKeyStore` (shared cache, parsed once, one refetch on an
  unknown kid) and PyJWT checks signature, exp/iat (small skew), iss, aud and azp;
- claims are checked with specific messages (the 1EdTech certification cases);
- launch data is saved only for deep linking, the one message that needs it after the launch.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode, urlparse

import jwt
import requests
from flask import current_app, request
from flask_babel import gettext as _
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException
from pylti1p3.session import SessionService
from requests.adapters import BaseAdapter

from ..core.addresses import hosts_of
from ..web.extensions import db
from ..web.outbound import outbound
from . import state as login_state
from .errors import LaunchRefused, state_used_message
from .launch_storage import SharedLaunchDataStorage, get_cache
from .platform_jwks import PlatformKeyStore
from .registration_cache import RegistrationCache
from .registration_lookup import DbToolConf

log = logging.getLogger(__name__)

STATE_TTL = login_state.STATE_TTL  # seconds between login initiation and launch
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
    """Launch data (deep linking) in the shared cache instead of the Flask session.

    The login state needs no storage at all: it is a signed token (`state.py`)."""

    def __init__(self, lti_request, storage: SharedLaunchDataStorage):
        super().__init__(lti_request)
        self.set_data_storage(storage)

    def save_launch_data(self, key: str, jwt_body):
        self.data_storage.set_value(self._get_key(key, add_prefix=False), jwt_body, LAUNCH_DATA_TTL)


def key_store() -> PlatformKeyStore:
    """The app's platform key store (one per app: it holds parsed keys)."""
    ext = current_app.extensions.setdefault("tutornet_lti", {})
    if "keys" not in ext:
        ext["keys"] = PlatformKeyStore(get_cache(), outbound,
                                       min_refetch=current_app.config.get("LTI_JWKS_MIN_REFETCH_SECONDS", 5))
    return ext["keys"]


class _NoDirectFetch(BaseAdapter):
    """pylti1p3's transport: it refuses every request. Platform URLs are fetched only through the
    outbound guard (the key store, the worker); pylti1p3 would fetch key sets and service URLs
    with a plain session that follows redirects anywhere."""

    def send(self, request, **kwargs):
        raise requests.ConnectionError(f"{request.url}: platform URLs are fetched through lti_tool.core.outbound only")

    def close(self):
        pass


def _http() -> requests.Session:
    """The session handed to pylti1p3 (one per app; pylti1p3 makes one per launch): refuses all."""
    ext = current_app.extensions.setdefault("tutornet_lti", {})
    if "http" not in ext:
        session = ext["http"] = requests.Session()
        session.trust_env = False
        for prefix in ("http://", "https://"):
            session.mount(prefix, _NoDirectFetch())
    return ext["http"]


def registration_cache() -> RegistrationCache:
    """The app's registration cache (per process; see registration_cache.py for why it is safe)."""
    ext = current_app.extensions.setdefault("tutornet_lti", {})
    if "registrations" not in ext:
        ext["registrations"] = RegistrationCache(float(current_app.config.get("LTI_REGISTRATION_CACHE_SECONDS", 30)))
    return ext["registrations"]


def _services():
    lti_request = FlaskRequest()
    session_service = SharedSessionService(lti_request, SharedLaunchDataStorage(get_cache()))
    return (lti_request, DbToolConf(db.session, registration_cache()), session_service,
            ToolCookieService(lti_request))


def on_this_tool(url: str | None) -> bool:
    """True if `url` points at this tool (its configured base URL or the host it was reached on)."""
    if not url:
        return False
    parsed = urlparse(url)
    hosts = {urlparse(current_app.config["TOOL_BASE_URL"]).netloc, request.host}
    return parsed.scheme in ("http", "https") and parsed.netloc in hosts


class ToolOIDCLogin(FlaskOIDCLogin):
    """OIDC third-party login initiation: the state is a signed token, nothing is stored."""

    _registration = None

    @classmethod
    def from_request(cls) -> ToolOIDCLogin:
        lti_request, conf, session_service, cookies = _services()
        return cls(lti_request, conf, session_service=session_service, cookie_service=cookies)

    def validate_oidc_login(self):
        if self._registration is None:  # once per request (pylti1p3 asks again in redirect())
            self._registration = super().validate_oidc_login()
        return self._registration

    def _prepare_redirect_url(self, launch_url: str) -> str:
        if not launch_url:
            raise LtiException("No launch URL configured")
        registration = self.validate_oidc_login()
        nonce = login_state.new_nonce()
        state = login_state.issue(current_app.config["SECRET_KEY"], nonce,
                                  self._get_request_param("target_link_uri"))
        self._cookie_service.set_cookie(state, state, STATE_TTL)
        params = {
            "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
            "client_id": registration.get_client_id(), "redirect_uri": launch_url, "state": state,
            "nonce": nonce, "login_hint": self._get_request_param("login_hint"),
        }
        hint = self._get_request_param("lti_message_hint")
        if hint:
            params["lti_message_hint"] = hint
        auth_url = registration.get_auth_login_url()
        return auth_url + ("&" if "?" in auth_url else "?") + urlencode(params)


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch validated strictly; refusals raise `LaunchRefused` with a translated message."""

    deployment = None

    @classmethod
    def from_request(cls) -> ToolMessageLaunch:
        lti_request, conf, session_service, cookies = _services()
        return cls(lti_request, conf, session_service=session_service, cookie_service=cookies,
                   requests_session=_http())

    @classmethod
    def restore(cls, launch_id: str) -> ToolMessageLaunch:
        """A deep-linking launch saved at launch time (raises LtiException when gone)."""
        lti_request, conf, session_service, cookies = _services()
        return cls.from_cache(launch_id, lti_request, conf, session_service=session_service, cookie_service=cookies,
                              requests_session=_http())

    def validate(self, *, finish: bool = True):
        """Every check, cheapest first. `finish=False` leaves the single-use mark (and the deep-linking
        launch data) to `finish()`, which the caller runs right before its commit: on SQLite the
        write lock is then held for the shortest time."""
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
            self.validate_nonce()
            if finish:
                self.finish()
            return self
        except LaunchRefused:
            self._validated = False
            raise
        except LtiException as exc:
            self._validated = False
            raise LaunchRefused(400, _("The launch message is invalid: %(detail)s", detail=str(exc)), str(exc)) from exc

    login: login_state.LoginState | None = None

    def validate_state(self):
        """The state's signature and age (cheap, first); single use is checked by `consume_state`, last."""
        state = self._get_request_param("state")
        if not state:
            raise LaunchRefused(401, _("The launch has no state parameter. Open the activity again from your course."))
        cookie = self._cookie_service.get_cookie(state)
        if cookie is not None and cookie != state:
            raise LaunchRefused(401, _("The launch state does not match this browser."))
        try:
            self.login = login_state.read(current_app.config["SECRET_KEY"], state)
        except login_state.StateRefused as exc:
            raise LaunchRefused(401, state_used_message(), str(exc)) from exc
        return self

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
        deployment_id = self._jwt["body"].get(CLAIM + "deployment_id")
        if isinstance(deployment_id, str):  # a cached registration without it is read again
            self._tool_config.deployment_hint = deployment_id
        return super().validate_registration()

    def validate_jwt_signature(self):
        header, body = self._jwt["header"], self._jwt["body"]
        reg = self._registration
        key = key_store().key(kid=header.get("kid"), alg=header.get("alg"), url=reg.get_key_set_url(),
                              key_set=reg.get_key_set(),
                              hosts=hosts_of(reg.get_issuer(), reg.get_auth_login_url(), reg.get_auth_token_url(),
                                             reg.get_key_set_url()))
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

    def validate_nonce(self):
        """The token's nonce must be the one this login's state was issued for."""
        if self.login is None:
            raise LaunchRefused(401, _("The launch has no state parameter. Open the activity again from your course."))
        if not login_state.nonce_matches(self.login, self._jwt["body"].get("nonce")):
            raise LaunchRefused(401, _("The launch nonce does not match its login (replayed or forged launch)."))
        return self

    _state_marked = False

    def consume_state(self):
        """Mark the login's nonce (and so its state) used: insert-or-fail into the shared cache.

        Inside the request's transaction with the database cache: the state is consumed exactly
        when the launch's rows commit, and a refusal rolls back and leaves nothing behind. Redis
        marks at once (and is not marked twice when a retried transaction calls this again).
        """
        self.validate_nonce()
        cache = get_cache()
        if self._state_marked and not cache.transactional:
            return self
        if not cache.add_if_absent(login_state.used_key(self.login), 1, STATE_TTL):
            raise LaunchRefused(401, state_used_message())
        self._state_marked = True
        return self

    def state_mark(self):
        """The single-use mark as (statement, parameters) for the caller to run inside its first
        SELECT (PostgreSQL with the database cache; the caller refuses when it stored nothing),
        or None: then `finish()` inserts it."""
        self.validate_nonce()
        return get_cache().add_if_absent_parts(login_state.used_key(self.login), 1, STATE_TTL)

    def finish(self, *, state_marked: bool = False):
        """The launch's last writes, in the caller's transaction: single use (unless the caller
        `state_marked` it through `state_mark()`), deep-linking data."""
        if not state_marked:
            self.consume_state()
        if self.is_deep_link_launch():
            self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self

    @property
    def registration(self):
        return self._registration

    @property
    def claims(self) -> dict:
        return self._get_jwt_body()
