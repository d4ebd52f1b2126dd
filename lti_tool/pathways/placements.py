"""What an instructor can place in a course from routes: the teacher's own route (ИПОМ)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..web.placements import Placement

PLACEMENTS = [Placement(kind="route", label=lambda: _("My route (ИПОМ)"), endpoint="pathways.my_route")]
