"""HTTP views of the pathways area."""
from flask import Blueprint

bp = Blueprint("pathways", __name__, url_prefix="/pathways")
