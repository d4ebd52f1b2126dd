"""What several surveys views share: who answers, who runs surveys, and loading a survey."""
from __future__ import annotations

from ..web.auth import ADMIN, METHODIST, TEACHER, TUTOR, check_network
from ..web.extensions import db
from .models import Survey

ANSWERING = (TEACHER, TUTOR)
STAFF = (METHODIST, ADMIN)


def load_survey(survey_id: int) -> Survey:
    """A survey of the actor's network, or 404."""
    return check_network(db.session.get(Survey, survey_id))
