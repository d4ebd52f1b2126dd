"""What the pathways area announces to other areas (blinker signals).

Receivers run inside the sender's transaction and session: they add and flush, never commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Routes were published (by hand or from a planner run). Keyword argument `route_ids` (a list).
routes_published = _signals.signal("routes-published")
# A comment was added to a route step. Keyword arguments `step_id` and `comment_id`.
step_commented = _signals.signal("step-commented")
