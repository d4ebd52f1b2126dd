"""What the events area announces to other areas (blinker signals; Flask ships blinker).

Receivers run inside the sender's transaction and session: they add and flush, never commit and
never call the network. The app factory connects them (`lti_tool.create_app`).
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Participants newly completed an event (the completion rule was met for the first time, or again
# after it had been lost). Sent by `grading.after_grade_changes` once per save, with the SQLAlchemy
# session as sender and the keyword arguments `event_id` and `person_ids` (a list).
participation_completed = _signals.signal("participation-completed")

# Sign-ups changed. Sent by `signup` under the event's lock, with the SQLAlchemy session as sender
# and the keyword arguments `event_id`, `person_ids` (a list), `change` ("confirmed", "waitlisted",
# "promoted" from the waitlist, "cancelled") and `version` (the event's roster_version: what makes
# one change distinct from a later, similar one).
signup_changed = _signals.signal("signup-changed")

# An event changed for its participants: a meeting was added to a published event ("changed"), or
# the event was cancelled ("cancelled"). Sent by `services` with the session as sender and the
# keyword arguments `event_id` and `change`.
event_changed = _signals.signal("event-changed")
