"""The web app's guarded HTTP client for platform URLs (registration, key sets): one per app and
policy, built from the app's settings (lti_tool/core/outbound.py does the guarding)."""
from __future__ import annotations

from flask import current_app

from ..core.outbound import OutboundClient, policy_from_config

USER_AGENT = "TutorNet/1.0 (LTI tool)"


def outbound() -> OutboundClient:
    """The current app's client for its present settings (tests change DEV_MODE on a live app)."""
    clients = current_app.extensions.setdefault("tutornet_outbound", {})
    policy = policy_from_config(current_app.config)
    client = clients.get(policy)
    if client is None:
        client = clients[policy] = OutboundClient(policy, user_agent=USER_AGENT)
    return client
