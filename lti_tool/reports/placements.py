"""The methodist dashboard can be placed in a course (e.g. the coordination course) by deep linking."""
from __future__ import annotations

from flask_babel import gettext as _

from ..web.placements import Placement

PLACEMENTS = [
    Placement(kind="dashboard", label=lambda: _("Methodist dashboard"), endpoint="reports.dashboard",
              roles=("methodist", "admin")),
]
