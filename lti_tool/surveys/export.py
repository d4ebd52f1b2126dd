"""XLSX export of a survey: summary sheets from the report, and every raw answer (one row per response)."""
from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from ..core import numbers
from ..core.reference import Organization
from ..core.workbook import append_row, clean_text, new_workbook, number_cell
from ..web.pages import page_locale
from .answering import ordered_questions
from .forms import describe_audience
from .models import CHOICE_TYPES, Survey, SurveyAnswer, SurveyResponse
from .reports import Report
from .roster import response_filter


def workbook(session: Session, survey: Survey, report: Report, topics: list) -> bytes:
    """The .xlsx bytes: summary, topic ranking, by organization, raw answers."""
    wb = new_workbook(write_only=True)
    _summary(wb.create_sheet(_("Summary")), report)
    ranking = wb.create_sheet(_("Topics"))
    append_row(ranking, [_("Topic"), _("Ratings"), _("Mean rating"), _("Need index"), _("Share of ratings 4-5")])
    for t in report.topic_ranking:
        append_row(ranking, [t.name, t.n, number_cell(ranking, t.mean, 2),
                             number_cell(ranking, t.need, 1, percent=True),
                             number_cell(ranking, t.high_share, 1, percent=True)])
    orgs = wb.create_sheet(_("By organization"))
    append_row(orgs, [_("Organization"), _("Responses"), _("Most needed topics")])
    for name, n, needs in report.by_organization:
        append_row(orgs, [name, n, "; ".join(f"{t.name} ({numbers.number(t.mean, page_locale(), 2, fixed=True)})"
                                             for t in needs)])
    raw = None if report.suppressed else wb.create_sheet(_("Answers"))
    out = BytesIO()
    wb.save(out)
    if raw is None:
        return out.getvalue()
    # openpyxl spends ~50 µs per cell without lxml; the raw sheet (10,000 × 60 cells) is written here
    # as plain XML (inline strings, like openpyxl's write-only mode) into the saved package instead.
    return _replace_part(out, raw.path.lstrip("/"), _raw_sheet_xml(session, survey, report, topics))


def _replace_part(package: BytesIO, name: str, chunks: Iterator[str]) -> bytes:
    """The zip package with part `name` rewritten from the streamed text `chunks`."""
    out = BytesIO()
    with ZipFile(package) as old, ZipFile(out, "w", ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != name:
                new.writestr(info, old.read(info))
                continue
            part_info = ZipInfo(name, info.date_time)
            part_info.compress_type = ZIP_DEFLATED
            with new.open(part_info, "w") as part:
                buffer: list[str] = []
                for chunk in chunks:
                    buffer.append(chunk)
                    if len(buffer) >= 500:
                        part.write("".join(buffer).encode())
                        buffer.clear()
                part.write("".join(buffer).encode())
    return out.getvalue()


def _summary(ws, report: Report) -> None:
    append_row(ws, [report.survey.title])
    append_row(ws, [_("Who is asked"), describe_audience(report.survey)])
    append_row(ws, [_("Responses"), report.responses, _("Asked"), report.roster, _("Answered of those asked"),
                    report.answered, _("Response rate"), number_cell(ws, report.rate, 1, percent=True)])
    for s in report.questions:
        append_row(ws, ())
        append_row(ws, [s.question.text, _("Answered"), s.n])
        if s.mean is not None:
            append_row(ws, [_("Mean"), number_cell(ws, s.mean, 2), _("Median"), number_cell(ws, s.median, 1)])
        for bar in s.bars:
            append_row(ws, [_("Other") if bar.label == "other" else bar.label, bar.count,
                            number_cell(ws, bar.share, 1, percent=True)])
        for t in s.topics:
            append_row(ws, [t.name, t.n, number_cell(ws, t.mean, 2)])


def _raw_sheet_xml(session: Session, survey: Survey, report: Report, topics: list) -> Iterator[str]:
    """The raw sheet's XML, one row per response, one column per question (a column per topic for a matrix)."""
    yield '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    cache: dict[str, str] = {}
    for number, row in enumerate(raw_rows(session, survey, report, topics), start=1):
        yield _row_xml(number, row, cache)
    yield "</sheetData></worksheet>"


def raw_rows(session: Session, survey: Survey, report: Report, topics: list) -> Iterator[list]:
    """The header, then one list of cell values per response (in id order).

    The answers are read in response order, BATCH responses per query (bounded memory, and an
    index plan on both backends: a server-side cursor made PostgreSQL pick a slow fast-start plan),
    and pivoted in Python a response at a time.
    """
    questions = ordered_questions(survey)
    columns: list[tuple[int, int | None]] = []
    header = ["#", _("Submitted"), _("Organization"), _("Role")]
    for q in questions:
        if q.type == "topic_matrix":
            columns += [(q.id, t.id) for t in topics]
            header += [f"{q.text}: {t.name}" for t in topics]
        else:
            columns.append((q.id, None))
            header.append(q.text)
    yield header
    index = {key: i for i, key in enumerate(columns)}
    options = {o.id: o.text for q in questions for o in q.options}
    other = _("Other")
    orgs = dict(session.execute(sa.select(Organization.id, Organization.name)
                                .where(Organization.network_id == survey.network_id)).all())
    choice = {q.id for q in questions if q.type in CHOICE_TYPES}
    r, a = SurveyResponse, SurveyAnswer
    heads = {rid: [rid, submitted.date().isoformat() if submitted else None, orgs.get(org), role]
             for rid, submitted, org, role in session.execute(
                 sa.select(r.id, r.submitted_at, r.organization_id, r.role).where(*response_filter(survey, report.filters)))}
    pending = iter(sorted(heads))  # every response in id order, also one without any answer row
    current, cells = None, []
    for rid, qid, topic, option, rating, number, text in _answers(session, sorted(heads)):
        if rid != current:
            if current is not None:
                yield heads[current] + cells
            for earlier in pending:
                if earlier == rid:
                    break
                yield heads[earlier] + [None] * len(columns)
            current, cells = rid, [None] * len(columns)
        value = options.get(option) if option else rating if rating is not None else number if number is not None else text
        if option is None and text and qid in choice:
            value = f"{other}: {text}"
        i = index.get((qid, topic))
        if i is not None:
            cells[i] = value if cells[i] is None else f"{cells[i]}; {value}"
    if current is not None:
        yield heads[current] + cells
    for rid in pending:
        yield heads[rid] + [None] * len(columns)


def _row_xml(number: int, values: list, _cells: dict) -> str:
    """A <row> of inline-string and number cells (empty cells omitted); `_cells`: this export's cache."""
    parts = [f'<row r="{number}">']
    for column, value in enumerate(values):
        if value is None:
            continue
        body = _cells.get(value) if isinstance(value, str) else None
        if body is None:
            body = _cell_body(value)
            if isinstance(value, str) and len(_cells) < 10_000:  # option texts, org names, dates repeat
                _cells[value] = body
        parts.append(f'<c r="{_letter(column)}{number}"{body}')
    parts.append("</row>")
    return "".join(parts)


def _cell_body(value) -> str:
    """A cell after its reference: a number, else an inline string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f' t="n"><v>{value!r}</v></c>'
    text = escape(clean_text(str(value)))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


BATCH = 1000


def _answers(session: Session, response_ids: list[int]) -> Iterator[tuple]:
    """(response, question, topic, option, rating, number, text) of the responses, in response order."""
    a = SurveyAnswer
    for start in range(0, len(response_ids), BATCH):
        yield from session.execute(
            sa.select(a.response_id, a.question_id, a.topic_id, a.option_id, a.rating, a.number, a.text)
            .where(a.response_id.in_(response_ids[start:start + BATCH])).order_by(a.response_id))


_LETTERS: list[str] = []


def _letter(column: int) -> str:
    """The letter(s) of a 0-based column index."""
    while len(_LETTERS) <= column:
        _LETTERS.append(get_column_letter(len(_LETTERS) + 1))
    return _LETTERS[column]
