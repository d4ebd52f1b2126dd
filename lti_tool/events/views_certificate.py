"""The certificate of participation (сертификат участника): a printable page per completed event."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from ..core.accounts import Network
from ..core.ids import db_id
from ..core.reference import Person
from ..web.auth import check_network, current_person, require_actor
from ..web.errors import user_error
from ..web.extensions import db
from . import records
from .access import can_manage, load_event
from .blueprint import bp


@bp.get("/<int:event_id>/certificate")
def certificate(event_id: int):
    """Her certificate for an event she completed (methodists: anyone's, `?person=`)."""
    actor = require_actor()
    event = load_event(event_id)
    person_id = request.args.get("person", type=db_id)
    if person_id is not None and can_manage(actor):
        person = check_network(db.session.get(Person, person_id), actor)
    else:
        person = current_person(actor)
        db.session.commit()  # current_person may have created the person
    found = records.person_records(db.session, actor.network_id, person.id, event_id=event.id)
    if not found or not found[0].completed:
        raise user_error(404, _("There is no certificate: the participation in this event is not completed."))
    return render_template("events/certificate.html", record=found[0], person=person,
                           network=db.session.get(Network, actor.network_id))
