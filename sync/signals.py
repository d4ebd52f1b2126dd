"""What the sync worker announces (blinker signals); no area imports the worker, the
notifications area connects its receiver in the worker process (its tasks module).

Receivers run inside the worker's transaction: they add and flush, never commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Grade pushes were given up (status failed). Keyword argument `outbox_ids` (a list).
grades_failed = _signals.signal("grades-failed")
