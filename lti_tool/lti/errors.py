"""Refusals of a login or launch: an HTTP 4xx status and a translated message for the user."""
from __future__ import annotations

from flask_babel import gettext as _


class LaunchRefused(Exception):
    """A login/launch the tool refuses; `message` is translated (shown as is), `detail` is for logs."""

    def __init__(self, status: int, message: str, detail: str | None = None):
        super().__init__(detail or message)
        self.status = status
        self.message = message
        self.detail = detail


def state_used_message() -> str:
    return _("The launch state is unknown, expired or already used. Open the activity again from your course.")
