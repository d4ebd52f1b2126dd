"""The tool's RSA keys: generated on first use, stored in the database, rotated with an overlap.

The newest key that is not retired signs (deep-linking responses, service client assertions).
A rotated key stops signing but stays in the published JWKS until `published_until`, so a
platform that cached the old JWKS (Moodle caches per client and refetches on failure) still
verifies what was signed just before the rotation.
"""
from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from .models import ToolKey

KEY_SIZE = 2048


def generate_key(session: Session) -> ToolKey:
    """Create a new signing key (kid = RFC 7638 thumbprint) and add it to the session."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = JWK.from_pem(pem.encode())
    kid = jwk.thumbprint()
    public = json.loads(jwk.export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    key = ToolKey(kid=kid, private_key_pem=pem, public_jwk=public)
    session.add(key)
    session.flush()
    return key


def signing_key(session: Session) -> ToolKey:
    """The key that signs now; generated (and flushed) on first use."""
    key = session.scalar(
        sa.select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.created_at.desc(), ToolKey.id.desc())
    )
    return key or generate_key(session)


def published_keys(session: Session) -> list[ToolKey]:
    """Active keys and retired keys still inside their overlap, newest first."""
    now = utcnow()
    return list(
        session.scalars(
            sa.select(ToolKey)
            .where(sa.or_(ToolKey.retired_at.is_(None), ToolKey.published_until > now))
            .order_by(ToolKey.created_at.desc(), ToolKey.id.desc())
        )
    )


def public_jwks(session: Session) -> dict:
    """The JWKS platforms fetch from `/lti/jwks` (a key is generated if none exists)."""
    keys = published_keys(session)
    if not any(k.retired_at is None for k in keys):
        keys.insert(0, signing_key(session))
    return {"keys": [k.public_jwk for k in keys]}


def rotate_keys(session: Session, overlap: timedelta = timedelta(days=7)) -> ToolKey:
    """Retire the active keys (published for `overlap` more) and return a new signing key."""
    now = utcnow()
    for key in session.scalars(sa.select(ToolKey).where(ToolKey.retired_at.is_(None))):
        key.retired_at = now
        key.published_until = now + overlap
    session.flush()
    return generate_key(session)


def all_keys(session: Session) -> list[ToolKey]:
    """Every key with its state, newest first (for `flask lti keys list`)."""
    return list(session.scalars(sa.select(ToolKey).order_by(ToolKey.created_at.desc(), ToolKey.id.desc())))
