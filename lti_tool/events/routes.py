"""HTTP views of the events area."""
from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
