"""Words for the codes of routes: step statuses and kinds, self-education kinds, planner reasons."""
from __future__ import annotations

from datetime import date

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from .pairing import REASON_EXCLUDED, REASON_NO_CANDIDATE, REASON_NO_CAPACITY
from .planner import REASON_NO_NEED, REASON_NO_OFFERINGS, REASON_NO_SEATS, REASON_NOT_ASSIGNED, REASON_STEP_LIMIT

STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
ROUTE_STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}
RUN_STATUS_LABELS = {"proposed": _l("Proposed"), "published": _l("Published"), "discarded": _l("Discarded"),
                     "confirmed": _l("Confirmed")}
SELF_KIND_LABELS = {
    "reading": _l("Reading"),
    "project": _l("Project"),
    "portfolio": _l("Portfolio item"),
    "publication": _l("Publication"),
    "talk": _l("Talk"),
}
KIND_LABELS = {"offering": _l("Resource map"), "event": _l("Event"), "self_education": _l("Self-education")}
SOURCE_LABELS = {"planner": _l("planner"), "manual": _l("methodist"), "self": _l("own choice")}
# The planner states its reasons in Russian (planner_model); the interface shows them translated.
REASON_LABELS = {
    REASON_NO_OFFERINGS: _l("no offerings on the topic"),
    REASON_NO_SEATS: _l("all seats are taken"),
    REASON_NO_NEED: _l("no need above the threshold"),
    REASON_STEP_LIMIT: _l("step limit reached"),
    REASON_NOT_ASSIGNED: _l("not assigned"),
}


def reason_label(reason: str) -> str:
    """The translated reason a need was left open."""
    return str(REASON_LABELS.get(reason, reason))

# Needs are kept in [0, 1] ((rating − 1) / 4, surveys/needs.py); people read them on the survey's
# 1–5 scale. The planner's thresholds are offered as points of that scale.
NEED_THRESHOLDS = [
    (0.75, _l("4 of 5 and above (high)")),
    (0.5, _l("3 of 5 and above")),
    (0.25, _l("2 of 5 and above")),
    (0.0, _l("any need")),
]
LOCAL_PREFERENCES = [(0.0, _l("none")), (0.1, _l("slight")), (0.3, _l("strong"))]


def need_on_scale(need: float) -> str:
    """A need in [0, 1] as the survey's 1–5 rating, one decimal in the locale's style ("4,0")."""
    return format_decimal(round(1 + 4 * float(need), 1), format="0.0")


def choice_label(choices, value: float | None) -> str:
    """The label of the choice nearest to a stored value (settings of older runs may be any number)."""
    if value is None:
        return "—"
    return str(min(choices, key=lambda c: abs(c[0] - float(value)))[1])


def in_date_order(steps) -> list:
    """Route steps as a timeline: by planned start (undated last), then by their place in the route."""
    return sorted(steps, key=lambda s: (s.planned_start is None, s.planned_start or date.min, s.position or 0, s.id or 0))

# Why the pairing left a tutee without a tutor.
PAIRING_REASONS = {
    REASON_NO_CANDIDATE: _l("no tutor covers her top needs, works in her organization or shares her cluster"),
    REASON_NO_CAPACITY: _l("the suitable tutors' load limits are reached"),
    REASON_EXCLUDED: _l("the suggested pair was removed by hand"),
}
