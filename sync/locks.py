"""Short leases in the shared cache (`lti_tool.core.cache`): one holder across all worker processes.

A lease expires by itself, so a worker killed while holding one blocks nobody for long.
"""
from __future__ import annotations

import math
import os
import uuid


def acquire(cache, key: str, ttl: float) -> str | None:
    """Take the lease `key` for `ttl` seconds; returns an owner token, or None if someone holds it."""
    owner = f"{os.getpid()}:{uuid.uuid4().hex}"
    return owner if cache.add_if_absent(key, owner, math.ceil(ttl)) else None


def release(cache, key: str, owner: str) -> None:
    """Give the lease back unless it expired and someone else took it meanwhile."""
    if cache.get(key) == owner:
        cache.delete(key)
