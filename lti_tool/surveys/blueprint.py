"""The surveys area's blueprint; the view modules register on it, `routes` imports them all."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
