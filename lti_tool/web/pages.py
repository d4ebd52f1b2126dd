"""Page furniture shared by every view: security headers, template helpers, navigation."""
from __future__ import annotations

import re
import time
from urllib.parse import urlparse

from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale
from werkzeug.routing import BuildError, IntegerConverter

from ..core import numbers
from ..core.ids import MAX_ID
from .auth import current_actor


ORIGINS_KEY = "tutornet_platform_origins"  # app.extensions: (session, network_id|None) -> origins


class PlatformOrigins:
    """The origins of the registered platforms, per network (None: every network), cached for a
    few seconds per process: the CSP of every page needs them, and they change rarely."""

    def __init__(self, source, ttl: float):
        self.source, self.ttl = source, ttl
        self._cached: dict = {}

    def get(self, session, network_id: int | None) -> tuple[str, ...]:
        now = time.monotonic()
        hit = self._cached.get(network_id)
        if hit is None or hit[0] < now:
            hit = (now + self.ttl, tuple(sorted(set(self.source(session, network_id)))))
            self._cached[network_id] = hit
        return hit[1]

    def forget(self) -> None:
        """Drop the cache (a platform was registered, changed or disabled in this process)."""
        self._cached.clear()


def register_platform_origins(app: Flask, source) -> None:
    """Let the CSP name the registered platforms: `source(session, network_id)` gives their origins."""
    app.extensions[ORIGINS_KEY] = PlatformOrigins(source, app.config.get("LTI_REGISTRATION_CACHE_SECONDS", 30))


def forget_platform_origins() -> None:
    """Called when a registration changes, so this process's next page names the new origins."""
    origins = current_app.extensions.get(ORIGINS_KEY)
    if origins is not None:
        origins.forget()


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def allow_frame_origin(url: str | None) -> None:
    """Let the origin of `url` frame this response too: dynamic registration runs inside the frame
    of an LMS that is not registered yet (its OpenID configuration names it)."""
    parts = urlparse(url or "")
    origin = f"{parts.scheme}://{parts.netloc}"
    if _ORIGIN.fullmatch(origin):
        g.frame_origins = (*g.get("frame_origins", ()), origin)


def _platform_origins() -> tuple[str, ...]:
    from .extensions import db

    extra = g.get("frame_origins", ())
    origins = current_app.extensions.get(ORIGINS_KEY)
    if origins is None:
        return extra
    actor = current_actor()
    return (*origins.get(db.session, actor.network_id if actor else None), *extra)


def content_security_policy(config, platform_origins=()) -> str:
    """No outside requests: everything from 'self', except a configured map tile server. Only the
    registered platforms (of the signed-in person's network; of any network before sign-in) and
    the origins of FRAME_ANCESTORS may frame the tool or receive its forms (deep linking posts the
    answer back to the platform; a login continues to the platform's authorization URL)."""
    img = "'self' data:"
    tile_url = config.get("MAP_TILE_URL")
    if tile_url:
        parsed = urlparse(tile_url.replace("{", "").replace("}", ""))
        img += f" {parsed.scheme}://{parsed.netloc}"
    extra = [*platform_origins, *(config.get("FRAME_ANCESTORS") or "").split()]
    extra = list(dict.fromkeys(o for o in extra if o not in ("'self'",)))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {img}",
            "connect-src 'self'",
            " ".join(["form-action 'self'", *extra]),
            " ".join(["frame-ancestors 'self'", *extra]),
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


def nav_url(endpoint: str, **values) -> str | None:
    """url_for, or None when the endpoint does not exist (navigation shows only what is built)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


# A path of this site: one slash, then no second slash or backslash; no whitespace or control
# character anywhere (browsers drop tabs and newlines from URLs, so "/\t/evil.example" reads as
# "//evil.example", and a newline in a Location header is a 500 or a header injection).
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\x00-\x1f\x7f-\x9f\\]*")


def safe_next_url(value: str | None) -> str | None:
    """Accept only a path of this site as a redirect target (no open redirects), else None."""
    if value and _LOCAL_PATH.fullmatch(value):
        return value
    return None


def page_locale() -> str:
    """The locale numbers are written in on this page (the request's, else the default)."""
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every URL: 0 … MAX_ID, so an id past the database's integers is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Register the URL converters (before any blueprint), headers, template globals and the
    number filters (`num`, `pct`, `natural`)."""
    app.url_map.converters["int"] = RowIdConverter
    app.jinja_env.filters["num"] = lambda value, places=2, fixed=False: numbers.number(
        value, page_locale(), places, fixed=fixed)
    app.jinja_env.filters["pct"] = lambda share, places=0: numbers.percent(share, page_locale(), places)
    app.jinja_env.filters["natural"] = lambda items, attribute=None: numbers.natural_sorted(
        items, (lambda x: x) if attribute is None else (lambda x: getattr(x, attribute)))

    @app.after_request
    def _security_headers(response):
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = content_security_policy(app.config, _platform_origins())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    @app.context_processor
    def _template_globals():
        return {
            "actor": current_actor(),
            "current_locale": page_locale(),
            "nav_url": nav_url,
            "request_path": request.path,
        }
