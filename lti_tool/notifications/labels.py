"""Names of the kinds and channels as the settings pages show them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "survey_opened": _l("A survey opened for me"),
    "survey_closing": _l("A survey closes soon"),
    "survey_reminder": _l("Reminder about a survey I have not answered"),
    "event_reminder": _l("Reminder before an event"),
    "signup_confirmed": _l("Registration for an event confirmed"),
    "signup_waitlisted": _l("Put on an event's waitlist"),
    "signup_promoted": _l("Moved from the waitlist to the participants"),
    "signup_cancelled": _l("Registration cancelled"),
    "event_changed": _l("An event changed its date, time or place"),
    "event_cancelled": _l("An event was cancelled"),
    "route_published": _l("My individual route was published"),
    "tutor_commented": _l("A tutor commented on my route"),
    "grade_failed": _l("Grades did not reach the LMS (tutors and methodists)"),
    "commission_decision": _l("The commission's decision on my candidacy"),
    "new_offering": _l("New offerings on my top needs"),
}
CHANNEL_LABELS = {"app": _l("In the tool"), "email": _l("By email")}
