"""What several resource map views share: the year being looked at and loading a row of the network."""
from __future__ import annotations

from flask import request

from ..core.reference import AcademicYear
from ..web.auth import check_network
from ..web.extensions import db
from . import services


def selected_year(network_id: int) -> AcademicYear | None:
    """The year in `?year=`, else the network's current year."""
    chosen = services.get_in_network(db.session, AcademicYear, network_id, request.args.get("year"))
    return chosen or services.current_year(db.session, network_id)


def load(model, row_id: int):
    """A row of the actor's network or 404."""
    return check_network(db.session.get(model, row_id))
