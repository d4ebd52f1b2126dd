"""Pooled HTTP for talking to platforms: one `requests.Session` per process, keep-alive reused.

The adapter's pool holds as many connections per host as requests may be in flight for one
platform, so the push threads never open and close sockets per score.
"""
from __future__ import annotations

import os
import threading

import requests
from requests.adapters import HTTPAdapter

from .wire import KeepAlive

USER_AGENT = "TutorNet-sync/1.0"
_lock = threading.Lock()
_sessions: dict[tuple[int, int], requests.Session] = {}
_wires: dict[tuple[int, int], KeepAlive] = {}


def make_http(pool_size: int) -> requests.Session:
    """A session whose connection pool fits `pool_size` concurrent requests per host.

    No automatic retries: the outbox decides about retries (backoff, Retry-After, lease).
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=max(pool_size, 1), max_retries=0, pool_block=True)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    # Without proxy variables there is nothing to read from the environment; requests would
    # otherwise scan os.environ (and ~/.netrc) on every request — a quarter of its CPU per score.
    if not _proxied():
        session.trust_env = False
    return session


def _proxied() -> bool:
    return any(k.lower().endswith("_proxy") for k in os.environ)


def shared_http(pool_size: int) -> requests.Session:
    """The process's pooled session (rebuilt after a fork)."""
    key = (os.getpid(), pool_size)
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = make_http(pool_size)
        return session


def shared_wire(pool_size: int) -> KeepAlive | None:
    """The process's urllib3 pools for score POSTs (rebuilt after a fork); None when proxy
    variables are set (`requests` reads them; scores then go through it)."""
    if _proxied():
        return None
    key = (os.getpid(), pool_size)
    with _lock:
        wire = _wires.get(key)
        if wire is None:
            wire = _wires[key] = KeepAlive(pool_size, USER_AGENT)
        return wire
