"""The resource map's blueprint; the view modules register on it, `routes` imports them all."""
from __future__ import annotations

from flask import Blueprint

from .catalog import DELIVERY, FORMS
from .map_entries import provider_kind_of

bp = Blueprint("resource_map", __name__, url_prefix="/resource-map")


@bp.app_context_processor
def _helpers():
    """Template helpers of the map's pages (and of other areas' pages that show offerings)."""
    return {"rm_forms": FORMS, "rm_delivery": DELIVERY, "rm_provider_kind": provider_kind_of}
