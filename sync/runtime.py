"""What a worker process builds once: settings, sessions, shared cache, pooled HTTP, token provider."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from sqlalchemy import orm

from lti_tool.core.cache import SharedCache, make_cache
from lti_tool.core.outbound import OutboundClient

from .db import session_factory
from .http import shared_client
from .settings import sync_settings
from .tokens import TokenProvider


@dataclass
class Runtime:
    settings: dict
    sessions: orm.sessionmaker
    cache: SharedCache
    http: OutboundClient  # the guarded client: every platform request goes through it
    tokens: TokenProvider


_lock = threading.Lock()
_runtimes: dict[tuple[int, str, bool], Runtime] = {}


def build_runtime(settings: dict, sessions: orm.sessionmaker | None = None) -> Runtime:
    """A runtime for `settings` (fresh objects; tests and benchmarks build their own)."""
    sessions = sessions or session_factory(settings["DATABASE_URL"])
    cache = make_cache(sessions.kw["bind"], settings.get("REDIS_URL"))
    http = shared_client(settings)
    tokens = TokenProvider(sessions, cache, http)
    return Runtime(settings, sessions, cache, http, tokens)


def runtime(overrides: dict | None = None) -> Runtime:
    """This process's runtime for the configured database (built on first use, again after fork)."""
    settings = sync_settings(overrides)
    key = (os.getpid(), settings["DATABASE_URL"], bool(settings.get("DEV_MODE")))
    with _lock:
        if key not in _runtimes:
            _runtimes[key] = build_runtime(settings)
        return _runtimes[key]
