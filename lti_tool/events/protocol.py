"""The event protocol (протокол мероприятия): numbering, the data shown on the page and the XLSX.

The number is "№ N" per network and academic year, given when the protocol is first issued.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl.styles import Alignment, Font
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..core import numbers
from ..core.clock import utcnow
from ..core.reference import Organization, Person
from ..core.workbook import append_row, new_workbook, number_cell, to_bytes
from ..web.pages import page_locale
from ..resource_map.catalog import form_label
from .models import Attendance, Event, EventCompletion, EventMeeting, Participant, ProtocolNote


def issue(session: Session, event: Event) -> int:
    """Give the event the next protocol number of its network and year (once); returns it."""
    for _attempt in range(5):
        if event.protocol_number is not None:
            return event.protocol_number
        top = session.scalar(sa.select(sa.func.max(Event.protocol_number)).where(
            Event.network_id == event.network_id, Event.year_id == event.year_id)) or 0
        try:
            with session.begin_nested():  # a concurrent issue of another event may take the number
                event.protocol_number, event.protocol_issued_at = top + 1, utcnow()
        except IntegrityError:
            session.refresh(event)
    if event.protocol_number is None:
        raise RuntimeError("could not allocate a protocol number")
    return event.protocol_number


NOTE_KINDS = ("agenda", "heard", "spoke", "decision", "note")


def add_note(session: Session, event: Event, text: str, kind: str = "decision",
             created_by_id: int | None = None, item: int | None = None) -> ProtocolNote:
    """Add an agenda item, what was heard or said, a decision (on an agenda item) or a note."""
    kind = kind if kind in NOTE_KINDS else "note"
    note = ProtocolNote(event_id=event.id, kind=kind, text=text.strip(), created_by_id=created_by_id,
                        item=item if kind in ("heard", "spoke", "decision") and item and 0 < item < 1000 else None)
    session.add(note)
    session.flush()
    session.expire(event, ["notes"])
    return note


@dataclass
class ProtocolRow:
    """A participant's line: name, organization, per-meeting status/score, completion."""

    name: str
    organization: str
    cells: list[str]
    completed: bool
    score: float | None
    marks: list[Attendance | None] = field(default_factory=list)


@dataclass
class ProtocolData:
    """Everything the protocol shows, in display order."""

    number: int | None
    event: Event
    sessions: list[EventMeeting]
    leaders: list[str]
    rows: list[ProtocolRow] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def status_label(status: str) -> str:
    """Short translated attendance status."""
    return {"present": _("present"), "late": _("late"), "excused": _("excused"),
            "absent": _("absent")}.get(status, status)


def organization_label(org: Organization | None) -> str:
    """«МАДОУ № 69 г. Томска» — the name (never an id or a bare number), with the number when the name lacks it."""
    if org is None:
        return ""
    return f"{org.name} ({org.number})" if org.number and org.number not in org.name else org.name


def build(session: Session, event: Event) -> ProtocolData:
    """Collect the protocol's data (registered participants only, by name)."""
    sessions = list(event.sessions)
    participants = sorted(session.scalars(sa.select(Participant).where(
        Participant.event_id == event.id, Participant.status == "registered")
        .options(selectinload(Participant.person).selectinload(Person.organization))),
        key=lambda p: numbers.natural_key(p.person.full_name))
    marks = {(a.session_id, a.participant_id): a for a in session.scalars(
        sa.select(Attendance).join(EventMeeting).where(EventMeeting.event_id == event.id))}
    completions = {c.participant_id: c for c in session.scalars(sa.select(EventCompletion).where(
        EventCompletion.participant_id.in_([p.id for p in participants])))}
    data = ProtocolData(event.protocol_number, event, sessions,
                        [leader.person.full_name for leader in event.leaders if leader.kind == "lead"])
    locale = page_locale()
    for p in participants:
        row_marks = [marks.get((s.id, p.id)) for s in sessions]
        cells = ["" if a is None else status_label(a.status) + (
            f" ({numbers.number(a.score, locale)})" if a.score is not None else "") for a in row_marks]
        c = completions.get(p.id)
        data.rows.append(ProtocolRow(p.person.full_name, organization_label(p.person.organization), cells,
                                     bool(c and c.completed), c.score if c else None, row_marks))
    data.decisions = [n.text for n in event.notes if n.kind == "decision"]
    data.notes = [n.text for n in event.notes if n.kind == "note"]
    return data


def meeting_label(s: EventMeeting) -> str:
    """"15.10.2025 15:00" — the column header of a meeting."""
    return s.on_date.strftime("%d.%m.%Y") + (f" {s.start_time:%H:%M}" if s.start_time else "")


def to_xlsx(data: ProtocolData) -> bytes:
    """The protocol as an XLSX workbook (one sheet)."""
    event = data.event
    wb = new_workbook()
    ws = wb.active
    ws.title = _("Protocol")[:31]
    title = _("Event protocol No. %(num)s", num=data.number) if data.number else _("Event protocol (draft)")
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    facts = [
        (_("Event"), event.title),
        (_("Form"), form_label(event.form)),
        (_("Topic"), event.topic.name if event.topic else ""),
        (_("Academic year"), event.year.title),
        (_("Host organization"), organization_label(event.host_organization)),
        (_("Dates"), ", ".join(meeting_label(s) for s in data.sessions)),
        (_("Leading tutors"), ", ".join(data.leaders)),
        (_("Participants"), len(data.rows)),
    ]
    for label, value in facts:
        append_row(ws, [label, value])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    append_row(ws, ())
    header = ["№", _("Participant"), _("Organization")] + [meeting_label(s) for s in data.sessions]
    header += [_("Score"), _("Completed")]
    append_row(ws, header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for i, row in enumerate(data.rows, 1):
        append_row(ws, [i, row.name, row.organization, *row.cells,
                        number_cell(ws, row.score, 2) if row.score is not None else "",
                        _("yes") if row.completed else _("no")])
    for heading, lines in ((_("Decisions"), data.decisions), (_("Notes"), data.notes)):
        append_row(ws, ())
        append_row(ws, [heading])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for n, text in enumerate(lines, 1):
            append_row(ws, [f"{n}.", text])
            ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 18
    return to_bytes(wb)
