"""The pathways area's blueprint; the view modules register on it, `routes` imports them all."""
from __future__ import annotations

from datetime import date

from flask import Blueprint

from ..resource_map.catalog import form_label
from . import labels
from .models import SELF_KINDS
from .services import is_overdue
from .view_helpers import goal_topics

bp = Blueprint("pathways", __name__, url_prefix="/pathways")


@bp.context_processor
def _helpers():
    """Template helpers of this area's pages."""
    return {"form_label": form_label, "labels": labels, "self_kinds": SELF_KINDS, "goal_topics": goal_topics,
            "is_overdue": lambda step: is_overdue(step, date.today()),
            "need_on_scale": labels.need_on_scale}
