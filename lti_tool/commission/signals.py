"""What the commission announces to other areas (blinker signals).

Receivers run inside the sender's transaction and session: they add and flush, never commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# The commission recorded a decision on a candidacy. Keyword argument `decision_id`.
decision_recorded = _signals.signal("decision-recorded")
