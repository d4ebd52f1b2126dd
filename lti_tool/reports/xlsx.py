"""The yearly report as an Excel workbook (openpyxl): summary, five breakdowns and the events.

Headers are in the user's language; numbers are numbers and dates are dates, so a methodist can
sort, filter and chart in Excel without retyping.
"""
from __future__ import annotations

from flask_babel import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..core.workbook import append_row, new_workbook, to_bytes
from .breakdowns import Row
from .yearly import YearlyReport

DATE_FORMAT = "DD.MM.YYYY"


def workbook(report: YearlyReport) -> bytes:
    """The .xlsx file of the report."""
    wb = new_workbook()
    _summary(wb.active, report)
    counts = [_("Events"), _("Attendances"), _("Participants")]
    _rows(wb.create_sheet(_("By topic")), [_("Topic"), *counts], report.by_topic)
    _rows(wb.create_sheet(_("By form")), [_("Form of work"), *counts], report.by_form)
    _rows(wb.create_sheet(_("By month")), [_("Month"), *counts], report.by_month)
    _rows(wb.create_sheet(_("By organization")),
          [_("Organization"), _("Events hosted"), _("Attendances"), _("Participants"), _("Tutors"), _("Tutees")],
          report.by_organization, extra=True)
    _rows(wb.create_sheet(_("By cluster")), [_("Cluster"), _("Events run"), _("Attendances"), _("Participants")],
          report.by_cluster)
    _events(wb.create_sheet(_("Events")), report)
    return to_bytes(wb)


def _header(ws, titles: list[str]) -> None:
    append_row(ws, titles)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"A{ws.max_row + 1}"


def _widths(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _summary(ws, report: YearlyReport) -> None:
    ws.title = _("Summary")
    f, p = report.figures, report.period
    append_row(ws, [_("Report on the work of the association")])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, [_("Period start"), p.start])
    append_row(ws, [_("Period end"), p.end])
    for row in (2, 3):
        ws.cell(row=row, column=2).number_format = DATE_FORMAT
    append_row(ws, [_("Events are counted by the date of their first session; both ends of the period are included.")])
    append_row(ws, ())
    _header(ws, [_("Figure"), _("Value")])
    for label, value in [
        (_("Events"), f.events), (_("Attendances (person at an event)"), f.attendances),
        (_("Session visits (person at a session)"), f.visits), (_("Participants (different people)"), f.participants),
        (_("Tutors"), f.tutors), (_("Tutees"), f.tutees), (_("Organizations involved"), f.organizations),
        (_("of them kindergartens"), f.kindergartens), (_("Clusters"), f.clusters),
        (_("Internship sites"), f.internship_sites), (_("Best practices"), f.best_practices),
        (_("Consultations held by tutors"), f.consultations), (_("Consultation hours"), f.consultation_hours),
    ]:
        append_row(ws, [label, value])
    ws.freeze_panes = None
    _widths(ws, [44, 14])


def _rows(ws, titles: list[str], rows: list[Row], extra: bool = False) -> None:
    _header(ws, titles)
    for r in rows:
        values = [r.label, r.events, r.attendances, r.participants]
        append_row(ws, values + [r.tutors, r.tutees] if extra else values)
    _widths(ws, [48] + [14] * (len(titles) - 1))


def _events(ws, report: YearlyReport) -> None:
    _header(ws, [_("Date of the first session"), _("Event"), _("Form of work"), _("Topic"), _("Host organization"),
                 _("Leaders"), _("Sessions"), _("Registered"), _("Attendances"), _("Best practice"), _("Protocol №")])
    for e in report.events:
        append_row(ws, [e.first_date, e.title, e.form_label, e.topic or "", e.host or "",
                   ", ".join(name for _id, name in e.leaders), e.sessions, e.registered, e.attendances,
                   _("yes") if e.best_practice else "", e.protocol_number])
        ws.cell(row=ws.max_row, column=1).number_format = DATE_FORMAT
    _widths(ws, [14, 48, 22, 32, 32, 32, 10, 12, 12, 12, 12])
