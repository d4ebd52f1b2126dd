"""What the surveys area can place in a course by deep linking: an open (or draft) survey."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..web.placements import Placement, PlacementItem
from .models import Survey


def survey_items(session: Session, network_id: int) -> list[PlacementItem]:
    """Surveys not yet closed, newest first (a draft can be placed before it opens)."""
    surveys = session.scalars(sa.select(Survey).where(Survey.network_id == network_id, Survey.status != "closed")
                              .order_by(Survey.created_at.desc(), Survey.id.desc()))
    return [PlacementItem(target_id=s.id, title=s.title) for s in surveys]


PLACEMENTS = [
    Placement(kind="survey", label=lambda: _("Survey"), endpoint="surveys.take", id_arg="survey_id",
              items=survey_items),
]
