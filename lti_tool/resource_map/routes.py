"""HTTP views of the resource_map area."""
from flask import Blueprint

bp = Blueprint("resource_map", __name__, url_prefix="/resource-map")
