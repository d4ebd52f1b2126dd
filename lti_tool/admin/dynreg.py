"""LTI Dynamic Registration 1.0, tool side: the platform's configuration, our client registration.

Spec: https://www.imsglobal.org/spec/lti-dr/v1p0. The platform opens `/lti/register` with
`openid_configuration` and `registration_token`; the tool validates the configuration, asks the
admin to confirm, POSTs its registration with the token as Bearer and stores the answer.
Nothing here imports Flask: the views pass plain values in.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from ..core.addresses import hosts_of
from ..core.outbound import OutboundClient, OutboundError
from ..lti.tool_configuration import CLAIMS, SCOPES

PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
# The scopes (AGS line items, scores, results; NRPS) and claims (names, email, locale: Moodle sends
# them only when asked) are the LTI core's, so manual and dynamic registration ask for the same.
TOOL_SCOPES = SCOPES
TOOL_CLAIMS = CLAIMS
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
ISSUER_MAX, URL_MAX = 255, 1024  # the columns that keep them (lti_platform)
DESCRIPTION_RU = ("TutorNet — сеть педагогов-тьюторов муниципалитета: ИПОМ, маршруты, мероприятия, "
                  "анкетирование и аналитические справки.")
DESCRIPTION_EN = "TutorNet: municipal networks of teacher tutors — routes, events, surveys and reports."


class InvalidConfiguration(Exception):
    """The platform's OpenID configuration (or its registration answer) is not usable."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class PlatformConfiguration:
    """What the tool keeps of a platform's OpenID configuration between confirm and register."""

    openid_configuration_url: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    authorization_server: str | None = None
    product_family: str | None = None
    product_version: str | None = None
    scopes_supported: tuple[str, ...] | None = None
    messages_supported: tuple[str, ...] = field(default_factory=tuple)

    @property
    def display_name(self) -> str:
        """A name for people: the issuer's host (and path, for an LMS in a subfolder)."""
        parts = urlsplit(self.issuer)
        return (parts.netloc + parts.path).rstrip("/")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PlatformConfiguration:
        data = dict(data)
        for key in ("scopes_supported", "messages_supported"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return cls(**data)


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def parse_openid_configuration(url: str, data: object, client: OutboundClient) -> PlatformConfiguration:
    """Validate a platform configuration fetched from `url` (LTI-DR §3.5.1 and §3.5.2)."""
    if not isinstance(data, dict):
        raise InvalidConfiguration("not_object")
    issuer = data.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidConfiguration("missing", "issuer")
    if len(issuer) > ISSUER_MAX:
        raise InvalidConfiguration("too_long", "issuer")
    # The issuer must be on the host the configuration came from: otherwise any site could
    # publish a configuration claiming to be someone else's LMS.
    if _origin(issuer) != _origin(url):
        raise InvalidConfiguration("issuer_mismatch", f"{issuer[:200]} / {url[:200]}")
    for name in REQUIRED_ENDPOINTS:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidConfiguration("missing", name)
        if len(value) > URL_MAX:
            raise InvalidConfiguration("too_long", name)
        # Every endpoint on the issuer's host (whose addresses the guard checked when it fetched
        # the configuration): a registration endpoint elsewhere could answer with another
        # platform's client_id, a key set elsewhere could be anyone's.
        try:
            client.vet(value, allowed_hosts=hosts_of(issuer), resolve=False)
        except OutboundError as exc:
            raise InvalidConfiguration("bad_endpoint", f"{name}: {exc.reason}") from exc
    methods = data.get("token_endpoint_auth_methods_supported")
    if isinstance(methods, list) and "private_key_jwt" not in methods:
        raise InvalidConfiguration("auth_method", ", ".join(map(str, methods))[:200])
    lti = data.get(PLATFORM_CONFIG)
    if not isinstance(lti, dict):
        raise InvalidConfiguration("missing", PLATFORM_CONFIG)
    scopes = data.get("scopes_supported")
    messages = [m.get("type") for m in lti.get("messages_supported") or [] if isinstance(m, dict)]
    audience = data.get("authorization_server")
    return PlatformConfiguration(
        openid_configuration_url=url,
        issuer=issuer,
        authorization_endpoint=data["authorization_endpoint"],
        token_endpoint=data["token_endpoint"],
        jwks_uri=data["jwks_uri"],
        registration_endpoint=data["registration_endpoint"],
        authorization_server=audience if isinstance(audience, str) and len(audience) <= URL_MAX else None,
        product_family=_short(lti.get("product_family_code")),
        product_version=_short(lti.get("version")),
        scopes_supported=tuple(str(s) for s in scopes) if isinstance(scopes, list) else None,
        messages_supported=tuple(str(m) for m in messages if m),
    )


def _short(value: object) -> str | None:
    return str(value)[:64] if isinstance(value, str | int | float) and str(value) else None


def load_platform_configuration(url: str, client: OutboundClient) -> PlatformConfiguration:
    """Fetch (guarded: any public host, JSON only) and validate the configuration at `url`."""
    data = client.get_json(url, allowed_hosts=hosts_of(url))
    return parse_openid_configuration(url, data, client)


def requested_scopes(config: PlatformConfiguration) -> list[str]:
    """Our scopes, minus those the platform says it does not support (when it says)."""
    if config.scopes_supported is None:
        return list(TOOL_SCOPES)
    return [s for s in TOOL_SCOPES if s in config.scopes_supported]


def tool_registration(base_url: str, logo_url: str, scopes: list[str]) -> dict:
    """The tool's client registration (LTI-DR §3.6), as Moodle, Canvas and Sakai read it."""
    launch = f"{base_url}/lti/launch"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base_url}/lti/login",
        "redirect_uris": [launch],
        "client_name": "TutorNet",
        "client_name#ru": "TutorNet",
        "jwks_uri": f"{base_url}/lti/jwks",
        "logo_uri": logo_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIG: {
            "domain": urlsplit(base_url).netloc,
            "target_link_uri": launch,
            "description": DESCRIPTION_RU,
            "description#en": DESCRIPTION_EN,
            "claims": list(TOOL_CLAIMS),
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch,
                 "label": "TutorNet", "label#ru": "TutorNet", "placements": ["ContentArea"]},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch,
                 "label": "Добавить из TutorNet", "label#en": "Add from TutorNet",
                 "placements": ["ContentArea"], "supported_types": ["ltiResourceLink"]},
            ],
        },
    }


@dataclass(frozen=True)
class RegistrationResult:
    """What the platform gave back: our client_id, maybe a deployment id, the scopes granted."""

    client_id: str
    deployment_id: str | None
    scopes: tuple[str, ...]


def parse_registration_response(data: object) -> RegistrationResult:
    """Read the platform's answer leniently: Moodle may send `application_type` as an array and
    puts `deployment_id` inside the tool configuration; other platforms send none at all."""
    if not isinstance(data, dict):
        raise InvalidConfiguration("bad_response", "not a JSON object")
    client_id = data.get("client_id")
    if not isinstance(client_id, str | int) or not str(client_id).strip():
        raise InvalidConfiguration("bad_response", "client_id missing")
    tool_conf = data.get(TOOL_CONFIG) if isinstance(data.get(TOOL_CONFIG), dict) else {}
    deployment = tool_conf.get("deployment_id", data.get("deployment_id"))
    deployment_id = str(deployment).strip() if isinstance(deployment, str | int) and str(deployment).strip() else None
    scope = data.get("scope")
    scopes = tuple(scope.split()) if isinstance(scope, str) else ()
    return RegistrationResult(str(client_id).strip()[:255], deployment_id and deployment_id[:255], scopes)


def send_registration(config: PlatformConfiguration, token: str, registration: dict,
                      client: OutboundClient) -> RegistrationResult:
    """POST the registration with the one-use token as Bearer, to the issuer's host only;
    OutboundError on a refusal, 4xx/5xx (HttpStatusError) or timeout."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.request("POST", config.registration_endpoint, allowed_hosts=hosts_of(config.issuer),
                              json=registration, headers=headers, expect_json=True)
    return parse_registration_response(response.raise_for_status().json())
