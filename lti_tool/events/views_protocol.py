"""The protocol (page, XLSX, numbering, decisions) and the teacher's calendar feed."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.ids import db_id
from ..documents.routes import docx_response
from ..web.auth import current_person, require_actor
from ..web.extensions import db
from ..web.pages import page_locale
from . import calendar, protocol, protocol_doc
from .access import load_event, require_grader
from .blueprint import bp


@bp.get("/<int:event_id>/protocol")
def protocol_page(event_id: int):
    """The printable protocol."""
    event = load_event(event_id)
    require_grader(event)
    return render_template("events/protocol.html", data=protocol.build(db.session, event),
                           meeting_label=protocol.meeting_label)


@bp.get("/<int:event_id>/protocol/document")
def protocol_document(event_id: int):
    """The protocol as it is filed: requisites, agenda, СЛУШАЛИ / РЕШИЛИ, attendance, signatures (print page)."""
    event = load_event(event_id)
    require_grader(event)
    doc = protocol_doc.protocol_document(db.session, event, page_locale())
    return render_template("documents/page.html", doc=doc, back_url=url_for("events.protocol_page", event_id=event_id),
                           docx_url=url_for("events.protocol_docx", event_id=event_id))


@bp.get("/<int:event_id>/protocol.docx")
def protocol_docx(event_id: int):
    """The same protocol as a Word document (on the network's letterhead when it has one)."""
    event = load_event(event_id)
    require_grader(event)
    return docx_response(protocol_doc.protocol_document(db.session, event, page_locale()), event.network_id)


@bp.get("/<int:event_id>/protocol.xlsx")
def protocol_xlsx(event_id: int):
    """The protocol as XLSX."""
    event = load_event(event_id)
    require_grader(event)
    body = protocol.to_xlsx(protocol.build(db.session, event))
    name = f"protocol-{event.protocol_number or 'draft'}-event-{event.id}.xlsx"
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/<int:event_id>/protocol/issue")
def protocol_issue(event_id: int):
    """Give the protocol its number (once)."""
    event = load_event(event_id)
    require_grader(event)
    number = protocol.issue(db.session, event)
    db.session.commit()
    flash(_("Protocol No. %(num)d issued.", num=number), "success")
    return redirect(url_for("events.protocol_page", event_id=event_id))


@bp.post("/<int:event_id>/protocol/notes")
def protocol_note(event_id: int):
    """Add an agenda item, what was heard or said, a decision or a note."""
    event = load_event(event_id)
    actor = require_grader(event)
    text = (request.form.get("text") or "").strip()
    if text:
        protocol.add_note(db.session, event, text[:5000], request.form.get("kind", "decision"), actor.user_id,
                          request.form.get("item", type=db_id))
        db.session.commit()
    return redirect(url_for("events.protocol_page", event_id=event_id) + "#notes")


@bp.route("/calendar", methods=["GET", "POST"])
def my_calendar():
    """The actor's feed address for a calendar app; POST makes a new one (the old stops working)."""
    actor = require_actor()
    person = current_person(actor)
    token = calendar.feed_token(db.session, actor.network_id, person.id, rotate=request.method == "POST")
    db.session.commit()
    if request.method == "POST":
        flash(_("A new calendar address was made; the old one no longer works."), "success")
        return redirect(url_for("events.my_calendar"))
    return render_template("events/calendar.html", feed_url=url_for("events.feed", token=token, _external=True),
                           rows=calendar.person_meetings(db.session, person.id))


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """The iCalendar feed of a person's sign-ups, opened by a calendar app with the secret in the URL."""
    row = calendar.person_for_token(db.session, token)
    if row is None:
        abort(404)
    body = calendar.ics_feed(calendar.person_meetings(db.session, row.person_id), host=request.host,
                             tz_name=current_app.config.get("EVENTS_TIMEZONE", calendar.DEFAULT_TZ))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
