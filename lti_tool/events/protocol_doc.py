"""The event protocol as a document (DOCX and print page): requisites, agenda, СЛУШАЛИ / ВЫСТУПИЛИ /
РЕШИЛИ per agenda item, chair and secretary, attendance by role, the participants' table, signatures.

`protocol_document(session, event, locale)` is a plain function: the views and the tests call it,
`documents.docx_writer.to_docx` and `templates/documents/_doc.html` print what it returns.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from ..core import numbers
from ..core.accounts import Network
from ..core.reference import Person
from ..documents.model import (Document, Items, Labelled, Requisites, Signature, Signatures, date_text,
                               initials, quote)
from ..resource_map.catalog import form_label
from . import protocol, technologies
from .models import ATTENDED, Attendance, Event, EventMeeting, Participant

ITEM_KINDS = ("heard", "spoke", "decision")  # СЛУШАЛИ, ВЫСТУПИЛИ, РЕШИЛИ


def attendance_by_role(session: Session, event: Event) -> tuple[int, int]:
    """(tutors, other teachers) among the registered participants present at least once."""
    rows = session.execute(
        sa.select(Participant.person_id, sa.func.max(sa.case((Person.is_tutor.is_(True), 1), else_=0)))
        .join(Person, Person.id == Participant.person_id).join(Attendance, Attendance.participant_id == Participant.id)
        .join(EventMeeting, EventMeeting.id == Attendance.session_id)
        .where(Participant.event_id == event.id, Participant.status == "registered",
               Attendance.status.in_(ATTENDED), EventMeeting.event_id == event.id)
        .group_by(Participant.person_id)).all()
    tutors = sum(1 for _person, is_tutor in rows if is_tutor)
    return tutors, len(rows) - tutors


def protocol_document(session: Session, event: Event, locale: str = "ru") -> Document:
    """The protocol's blocks for the event's current data (draft until a number is issued)."""
    data = protocol.build(session, event)
    network = session.get(Network, event.network_id)
    first = data.sessions[0] if data.sessions else None
    place = (event.host_organization and protocol.organization_label(event.host_organization)) or (first and first.place) or ""
    doc = Document(Requisites(
        organization=network.name if network else "", kind=_("PROTOCOL"),
        date_text=date_text(first.on_date if first else None), number=str(data.number or ""), place=place,
        subject=_subject(event)),
        filename=f"protocol-{data.number or 'draft'}-event-{event.id}", locale=locale)
    if not data.number:
        doc.para(_("Draft: the protocol has no number yet."), "note")
    chair = event.protocol_chair or (data.leaders[0] if data.leaders else "")
    doc.add(Labelled(_("Chair"), chair or "—"))
    doc.add(Labelled(_("Secretary"), event.protocol_secretary or "—"))
    tutors, teachers = attendance_by_role(session, event)
    doc.add(Labelled(_("Present"), _("%(total)s: tutors — %(tutors)s, teachers — %(teachers)s; leading: %(leaders)s.",
                                     total=ngettext("%(num)d person", "%(num)d people", tutors + teachers),
                                     tutors=tutors, teachers=teachers, leaders=", ".join(data.leaders) or "—")))
    if len(data.sessions) > 1:
        doc.add(Labelled(_("Dates of the meetings"), ", ".join(protocol.meeting_label(s) for s in data.sessions)))
    if event.topic:
        doc.add(Labelled(_("Topic"), event.topic.name))
    used = technologies.labels(event.technologies)
    if used:
        doc.add(Labelled(_("Technologies used"), ", ".join(used)))
    _agenda(doc, event)
    _participants(doc, data, locale)
    doc.add(Signatures([Signature(_("Chair"), initials(chair) if chair else ""),
                        Signature(_("Secretary"), initials(event.protocol_secretary or ""))]))
    return doc


def _subject(event: Event) -> str:
    """«мероприятия «Экологическая тропа» (Тьюториал)»; the form is left out when the title starts with it."""
    title = quote(event.title)
    form = str(form_label(event.form))
    if event.title.casefold().startswith(form.casefold()):
        return _("of the event %(title)s", title=title)
    return _("of the event %(title)s (%(form)s)", title=title, form=form)


def _agenda(doc: Document, event: Event) -> None:
    """ПОВЕСТКА ДНЯ, then per item СЛУШАЛИ / ВЫСТУПИЛИ / РЕШИЛИ; decisions without an item close the text."""
    agenda = [n for n in event.notes if n.kind == "agenda"]
    by_item: dict[int | None, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for note in event.notes:
        if note.kind in ITEM_KINDS:
            item = note.item if note.item and 1 <= note.item <= len(agenda) else None
            by_item[item][note.kind].append(note.text)
    doc.heading(_("Agenda"))
    if agenda:
        doc.add(Items([n.text for n in agenda]))
    else:
        doc.para(event.title)
    labels = {"heard": _("Heard"), "spoke": _("Spoke"), "decision": _("Decided")}
    for number in range(1, len(agenda) + 1):
        parts = by_item.get(number)
        if not parts:
            continue
        doc.para(_("On item %(num)d of the agenda", num=number), "lead")
        for kind in ITEM_KINDS:
            if parts.get(kind):
                doc.add(Labelled(labels[kind], " ".join(_numbered(parts[kind]))))
    loose = by_item.get(None, {})
    for kind in ITEM_KINDS:
        if loose.get(kind):
            doc.add(Labelled(labels[kind], " ".join(_numbered(loose[kind]))))
    notes = [n.text for n in event.notes if n.kind == "note"]
    if notes:
        doc.heading(_("Notes"), 2)
        doc.add(Items(notes))


def _numbered(texts: list[str]) -> list[str]:
    return texts if len(texts) == 1 else [f"{i}) {t}" for i, t in enumerate(texts, 1)]


def _participants(doc: Document, data: protocol.ProtocolData, locale: str) -> None:
    """The participants' table: names, organizations by name, status per meeting, scores in the locale."""
    header = ["№", _("Participant"), _("Organization")] + [protocol.meeting_label(s) for s in data.sessions]
    header += [_("Score"), _("Completed")]
    rows = []
    for i, row in enumerate(data.rows, 1):
        cells = [protocol.status_label(c.status) + (f" ({numbers.number(c.score, locale)})" if c.score is not None else "")
                 if c else "" for c in row.marks]
        rows.append([str(i), row.name, row.organization, *cells,
                     numbers.number(row.score, locale, empty=""), _("yes") if row.completed else _("no")])
    doc.table(_("Participants and attendance"), header, rows, numeric={0, len(header) - 2})
