"""What the tool tells an administrator or a platform about itself (manual and dynamic registration)."""
from __future__ import annotations

from urllib.parse import urlparse

SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
# Moodle sends names and email only when the registration asks for these claims.
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email", "locale")


def tool_configuration(base_url: str) -> dict:
    """URLs, scopes, claims and messages, in the shape of LTI Dynamic Registration's tool config."""
    base_url = base_url.rstrip("/")
    launch = f"{base_url}/lti/launch"
    return {
        "application_type": "web",
        "client_name": "TutorNet",
        "description": "TutorNet: networks of teacher tutors (surveys, events, resource map, routes)",
        "initiate_login_uri": f"{base_url}/lti/login",
        "redirect_uris": [launch],
        "target_link_uri": launch,
        "jwks_uri": f"{base_url}/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["client_credentials", "implicit"],
        "response_types": ["id_token"],
        "scope": " ".join(SCOPES),
        "scopes": list(SCOPES),
        "claims": list(CLAIMS),
        "domain": urlparse(base_url).netloc,
        "messages": [
            {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
            {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": "TutorNet",
             "placements": ["ContentArea"], "supported_types": ["ltiResourceLink"]},
        ],
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": urlparse(base_url).netloc,
            "target_link_uri": launch,
            "claims": list(CLAIMS),
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": "TutorNet"},
            ],
        },
    }
