"""What the surveys area announces to other areas (blinker signals).

Receivers run inside the sender's transaction and session: they add and flush, never commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A survey opened (from draft or closed). Sent by `services.set_status` with the session as sender
# and the keyword argument `survey_id`.
survey_opened = _signals.signal("survey-opened")
