"""What the resource map announces to other areas (blinker signals).

Receivers run inside the sender's transaction and session: they add and flush, never commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A new offering entered the map (not an edit). Keyword argument `offering_id`.
offering_created = _signals.signal("offering-created")
