"""What an instructor can place in a course from the resource map: the map itself."""
from __future__ import annotations

from flask_babel import gettext as _

from ..web.placements import Placement

PLACEMENTS = [Placement(kind="resource_map", label=lambda: _("Resource map"), endpoint="resource_map.index")]
