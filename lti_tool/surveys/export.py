"""XLSX export of a survey: summary sheets from the report, and every raw answer (one row per response)."""
from __future__ import annotations

from io import BytesIO

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy.orm import Session

from ..resource_map.models import Organization
from .answering import ordered_questions
from .models import CHOICE_TYPES, Survey, SurveyAnswer, SurveyOption, SurveyResponse
from .reports import Report
from .roster import response_filter


def workbook(session: Session, survey: Survey, report: Report, topics: list) -> bytes:
    """The .xlsx bytes: summary, topic ranking, by organization, raw answers."""
    wb = Workbook(write_only=True)
    _summary(wb.create_sheet(_("Summary")), report)
    ranking = wb.create_sheet(_("Topics"))
    ranking.append([_("Topic"), _("Ratings"), _("Mean rating"), _("Need index"), _("Share of ratings 4-5")])
    for t in report.topic_ranking:
        ranking.append([t.name, t.n, round(t.mean, 3), round(t.need, 3), round(t.high_share, 3)])
    orgs = wb.create_sheet(_("By organization"))
    orgs.append([_("Organization"), _("Responses"), _("Most needed topics")])
    for name, n, needs in report.by_organization:
        orgs.append([name, n, "; ".join(f"{t.name} ({t.mean:.2f})" for t in needs)])
    if not report.suppressed:
        _raw(wb.create_sheet(_("Answers")), session, survey, report, topics)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _summary(ws, report: Report) -> None:
    ws.append([report.survey.title])
    ws.append([_("Responses"), report.responses, _("Roster"), report.roster,
               _("Response rate"), round(report.rate, 3) if report.rate is not None else None])
    for s in report.questions:
        ws.append([])
        ws.append([s.question.text, _("Answered"), s.n])
        if s.mean is not None:
            ws.append([_("Mean"), round(s.mean, 3), _("Median"), s.median])
        for bar in s.bars:
            ws.append([_("Other") if bar.label == "other" else bar.label, bar.count, round(bar.share, 3)])
        for t in s.topics:
            ws.append([t.name, t.n, round(t.mean, 3)])


def _raw(ws, session: Session, survey: Survey, report: Report, topics: list) -> None:
    """One row per response, one column per question (a column per topic for a matrix)."""
    columns: list[tuple[int, int | None]] = []
    header = ["#", _("Submitted"), _("Organization"), _("Role")]
    for q in ordered_questions(survey):
        if q.type == "topic_matrix":
            columns += [(q.id, t.id) for t in topics]
            header += [f"{q.text}: {t.name}" for t in topics]
        else:
            columns.append((q.id, None))
            header.append(q.text)
    ws.append(header)
    index = {key: i for i, key in enumerate(columns)}
    options = dict(session.execute(sa.select(SurveyOption.id, SurveyOption.text).join(SurveyOption.question)
                                   .where(SurveyOption.question.has(survey_id=survey.id))).all())
    orgs = dict(session.execute(sa.select(Organization.id, Organization.name)
                                .where(Organization.network_id == survey.network_id)).all())
    choice = {q.id for q in ordered_questions(survey) if q.type in CHOICE_TYPES}
    responses = sa.select(SurveyResponse.id).where(*response_filter(survey, report.filters))
    a, r = SurveyAnswer, SurveyResponse
    rows = session.execute(sa.select(r.id, r.submitted_at, r.organization_id, r.role, a.question_id, a.topic_id,
                                     a.option_id, a.rating, a.number, a.text)
                           .join(a, a.response_id == r.id).where(r.id.in_(responses)).order_by(r.id))
    current, cells, head = None, [], []
    for rid, submitted, org, role, qid, topic, option, rating, number, text in rows:
        if rid != current:
            if current is not None:
                ws.append(head + cells)
            current, cells = rid, [None] * len(columns)
            head = [rid, submitted.date().isoformat() if submitted else None, orgs.get(org), role]
        value = options.get(option) if option else rating if rating is not None else number if number is not None else text
        if option is None and text and qid in choice:
            value = f"{_('Other')}: {text}"
        i = index.get((qid, topic))
        if i is not None:
            cells[i] = value if cells[i] is None else f"{cells[i]}; {value}"
    if current is not None:
        ws.append(head + cells)
