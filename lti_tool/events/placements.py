"""Events an instructor can place in a course by deep linking, each with its AGS line item."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..web.placements import Placement, PlacementItem
from .lms import LINE_ITEM_TAG, resource_id
from .models import Event
from .services import get_scale


def event_items(session: Session, network_id: int) -> list[PlacementItem]:
    """Published events of the network, newest first, with the participation line item."""
    events = session.scalars(sa.select(Event).where(Event.network_id == network_id, Event.status == "published")
                             .order_by(Event.created_at.desc(), Event.id.desc()))
    return [
        PlacementItem(target_id=e.id, title=e.title, line_item={
            "label": e.title, "scoreMaximum": get_scale(session, network_id, e.form).maximum,
            "resourceId": resource_id(e.id), "tag": LINE_ITEM_TAG})
        for e in events
    ]


PLACEMENTS = [
    Placement(kind="event", label=lambda: _("Event / tutorial"), endpoint="events.detail", id_arg="event_id",
              items=event_items),
]
