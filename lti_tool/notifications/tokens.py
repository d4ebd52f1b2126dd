"""Signed one-click unsubscribe tokens (no Flask: the worker writes them into each email)."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "tutornet-unsubscribe"


def unsubscribe_token(secret: str, person_id: int, kind: str | None) -> str:
    """A token naming the person and the kind (None: every email); it never expires."""
    return URLSafeSerializer(secret, salt=SALT).dumps({"p": person_id, "k": kind})


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str | None] | None:
    """(person id, kind or None), or None for a token that was not signed by this installation."""
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    kind = data.get("k")
    return data["p"], kind if isinstance(kind, str) else None
