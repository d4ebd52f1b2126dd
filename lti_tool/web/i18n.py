"""Locale choice.

The locale follows, in order: the user's explicit choice in this session, the LTI launch's
`launch_presentation.locale` (stored in the session at launch), then DEFAULT_LOCALE (ru).
Message catalogues live per area in `lti_tool/<area>/translations/` and are merged by Flask-Babel;
plurals use `ngettext`, whose Russian catalogue carries the three forms (1 / 2-4 / 5-20).
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, request, session

LOCALE_KEY = "locale"
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def translation_directories() -> list[str]:
    """Every `translations/` folder of the package, so each area owns its catalogue."""
    return sorted(str(p) for p in PACKAGE_DIR.glob("**/translations") if p.is_dir())


def normalise_locale(value: str | None) -> str | None:
    """Map 'ru-RU', 'en_US', 'EN' … to a supported language code, or None."""
    if not value:
        return None
    lang = value.replace("_", "-").split("-")[0].lower()
    return lang if lang in current_app.config["SUPPORTED_LOCALES"] else None


def select_locale() -> str:
    """Flask-Babel locale selector (the default locale outside a request: CLI, worker, tests)."""
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    chosen = normalise_locale(request.args.get("lang"))
    return chosen or session.get(LOCALE_KEY) or current_app.config["DEFAULT_LOCALE"]


def remember_locale(value: str | None) -> None:
    """Store the launch's or the user's locale in the session when it is supported."""
    locale = normalise_locale(value)
    if locale:
        session[LOCALE_KEY] = locale
