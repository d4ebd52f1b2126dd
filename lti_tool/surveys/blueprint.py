"""The surveys area's blueprint; the view modules register on it, `routes` imports them all."""
from __future__ import annotations

from flask import Blueprint

from .forms import describe_audience

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.context_processor
def _helpers():
    """Template helpers of the area's pages."""
    return {"describe_audience": describe_audience}
