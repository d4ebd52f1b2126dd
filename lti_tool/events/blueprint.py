"""The events area's blueprint; the view modules register on it, `routes` imports them all."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import format_decimal

from ..resource_map.catalog import form_label

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.context_processor
def _helpers():
    """Template helpers of this area's pages."""
    return {"form_label": form_label, "format_decimal": format_decimal}
