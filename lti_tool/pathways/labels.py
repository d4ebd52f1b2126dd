"""Words for the codes of routes: step statuses and kinds, self-education kinds, planner reasons."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .planner import REASON_NO_NEED, REASON_NO_OFFERINGS, REASON_NO_SEATS, REASON_NOT_ASSIGNED, REASON_STEP_LIMIT

STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
ROUTE_STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}
RUN_STATUS_LABELS = {"proposed": _l("Proposed"), "published": _l("Published"), "discarded": _l("Discarded")}
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
