"""The kinds of notification, who they go to, and the channels a person can choose.

Plain data (no Flask): the worker reads it too. Labels shown in the settings pages are in
`labels.py`.
"""
from __future__ import annotations

CHANNELS = ("app", "email")

# In the order the settings pages list them.
KINDS = (
    "survey_opened", "survey_closing", "survey_reminder",
    "event_reminder", "signup_confirmed", "signup_waitlisted", "signup_promoted", "signup_cancelled",
    "event_changed", "event_cancelled",
    "route_published", "tutor_commented",
    "grade_failed", "commission_decision", "new_offering",
)

# Options a network may set per kind, with their defaults.
DEFAULT_OPTIONS = {
    # Hours before a meeting's start at which the participants are reminded.
    "event_reminder": {"hours_before": [24, 1]},
    # Hours before a survey closes at which its audience is told it closes soon.
    "survey_closing": {"hours_before": [24]},
    # Days after opening at which those who have not answered are reminded.
    "survey_reminder": {"days_after_open": [3]},
}


def options(kind: str, stored: dict | None) -> dict:
    """A kind's options: the network's stored ones over the defaults."""
    return {**DEFAULT_OPTIONS.get(kind, {}), **(stored or {})}
