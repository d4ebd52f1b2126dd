"""HTTP views of the lti area."""
from flask import Blueprint

bp = Blueprint("lti", __name__, url_prefix="/lti")
