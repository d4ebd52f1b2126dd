"""TutorNet: an LTI 1.3 tool for municipal networks of teacher tutors."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .core.config import PROJECT_ROOT, load_config


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

    # The areas are imported here, not at module level: the sync worker imports `lti_tool.core`
    # and must not load every view of the web app with it.
    from . import cli, health
    from .documents import jinja as documents_jinja
    from .web import errors, i18n, pages
    from .web.extensions import babel, csrf, db

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=";".join(i18n.translation_directories()),
    )
    errors.register_error_handlers(app)
    pages.init_app(app)
    documents_jinja.init_app(app)
    app.register_blueprint(health.bp)
    cli.init_app(app)
    _register_areas(app)
    return app


def _register_areas(app: Flask) -> None:
    """Each area's blueprint, command-line group, deep-linking placements and signal receivers.

    A new area adds its lines here (see docs/DEVELOPING.md, "Where new code goes").
    """
    from sync.cli import sync as sync_cli

    from . import demo_data
    from .admin.routes import bp as admin_bp
    from .commission.routes import bp as commission_bp
    from .documents.routes import bp as documents_bp
    from .events.placements import PLACEMENTS as EVENT_PLACEMENTS
    from .events.routes import bp as events_bp
    from .home.routes import bp as home_bp
    from .lti.cli import lti as lti_cli
    from .lti.routes import bp as lti_bp
    from .notifications import receivers as notification_receivers
    from .notifications import routes as notification_routes
    from .pathways import hooks as pathways_hooks
    from .pathways.placements import PLACEMENTS as ROUTE_PLACEMENTS
    from .pathways.routes import bp as pathways_bp
    from .reports.placements import PLACEMENTS as DASHBOARD_PLACEMENTS
    from .reports.routes import bp as reports_bp
    from .resource_map.placements import PLACEMENTS as MAP_PLACEMENTS
    from .resource_map.routes import bp as resource_map_bp
    from .school_year.routes import bp as school_year_bp
    from .surveys.placements import PLACEMENTS as SURVEY_PLACEMENTS
    from .surveys.routes import bp as surveys_bp
    from .lti.platforms import platform_origins
    from .web import pages, placements

    for bp in (lti_bp, home_bp, admin_bp, resource_map_bp, surveys_bp, pathways_bp, events_bp, reports_bp,
               commission_bp, school_year_bp, documents_bp,
               notification_routes.bp):
        app.register_blueprint(bp)
    # `flask lti …`, `flask demo …`, and the sync worker's `flask sync …` (it is not an area of
    # the web app, but its commands run here).
    for group in (lti_cli, demo_data.demo, sync_cli):
        app.cli.add_command(group)
    # The deep-linking picker lists the kinds in this order.
    for area_placements in (SURVEY_PLACEMENTS, EVENT_PLACEMENTS, MAP_PLACEMENTS, ROUTE_PLACEMENTS,
                            DASHBOARD_PLACEMENTS):
        placements.register(app, area_placements)
    # The CSP lets only the registered platforms frame the tool and receive its forms.
    pages.register_platform_origins(app, platform_origins)
    # Cross-area reactions: an event completion closes the matching route steps.
    pathways_hooks.connect_signals()
    # Every area's announcements become notifications, in the announcing transaction.
    notification_receivers.connect_signals()
    notification_routes.init_app(app)


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
