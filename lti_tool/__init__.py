"""TutorNet: an LTI 1.3 tool for municipal networks of teacher tutors."""
from __future__ import annotations

import importlib

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import PROJECT_ROOT, load_config

# Domain areas, each a package with `routes.bp` (and optionally `cli.commands`).
AREAS = ("lti", "home", "admin", "resource_map", "surveys", "pathways", "events", "reports", "commission")


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask app: environment settings, then `config` overrides (tests)."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=load_config()["INSTANCE_PATH"],
    )
    app.config.update(load_config())
    app.config.update(_cookie_settings(app.config))
    if config:
        app.config.update(config)

    if app.config["TRUSTED_PROXIES"]:
        # Behind a TLS-terminating proxy: honour X-Forwarded-* so cookies get Secure and URLs https.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    from . import cli, errors, health, i18n, web
    from .extensions import babel, csrf, db

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=";".join(i18n.translation_directories()),
    )
    errors.register_error_handlers(app)
    web.init_app(app)
    app.register_blueprint(health.bp)
    cli.init_app(app)
    for area in AREAS:
        module = importlib.import_module(f".{area}.routes", __name__)
        app.register_blueprint(module.bp)
        try:
            area_cli = importlib.import_module(f".{area}.cli", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{area}.cli":
                raise
        else:
            for command in area_cli.commands:
                app.cli.add_command(command)
    # The sync worker is not an area of the web app, but its CLI (`flask sync …`) runs here.
    from sync.cli import sync as sync_cli

    app.cli.add_command(sync_cli)
    return app


def _cookie_settings(config: dict) -> dict:
    """Cookies that survive a cross-site LMS iframe: SameSite=None; Secure; Partitioned (CHIPS).

    Browsers accept Secure cookies from http://localhost, so the development run works too.
    """
    return {
        "SESSION_COOKIE_NAME": "tutornet_session",
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    }
