"""The surveys area's business-rule error (its own module: every other module raises it)."""
from __future__ import annotations


class SurveyError(Exception):
    """A business rule refused the action; `code` is translated by the view (`forms.error_message`)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params
