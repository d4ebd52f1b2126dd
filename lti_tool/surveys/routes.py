"""HTTP views of the surveys area."""
from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
