"""What every resource map edit checks: required fields, rows of the network, and the error it raises."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..core.ids import ForeignId, owned


class ValidationError(ValueError):
    """Why the values cannot be saved; the message is already translated."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def get_in_network(session: Session, model, network_id: int, row_id) -> object | None:
    """The row of `model` with id `row_id` if it belongs to the network, else None (also for junk
    and ids out of range: core.ids checks them)."""
    try:
        return owned(session, model, network_id, row_id, field="id")
    except ForeignId:
        return None


def required(value: str | None, message: str, field: str) -> str:
    """The stripped value, or a `ValidationError` with `message` when it is empty."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, field)
    return value
