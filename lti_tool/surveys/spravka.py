"""The analytical report on a survey as it is filed (аналитическая справка): purpose, dates and method,
figures, charts, free-text answers grouped and counted, conclusions and recommendations.

`spravka_document(session, survey, locale)` is a plain function (views and tests call it). Purpose,
conclusions and recommendations are narrative sections: drafts written from the figures («the most
needed topics were …, up from … last time») until the methodist saves her own text, which stays when
the figures change (`documents.narratives`).
"""
from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from ..core import numbers
from ..core.accounts import Network
from ..core.clock import utcnow
from ..documents import charts, narratives
from ..documents.model import Document, Items, Requisites, Signature, Signatures, date_text
from .models import CHOICE_TYPES, TEXT_TYPES, Survey, SurveyResponse
from .reports import Report, TopicNeed, build_report
from .roster import Filters

KIND = "survey_report"
SECTIONS = ("purpose", "conclusions", "recommendations")
TOP = 3


def narrative_key(survey: Survey) -> str:
    """Narratives belong to the survey (all its versions share the key of the first)."""
    return str(survey.parent_id or survey.id)


def group_texts(texts: list[str]) -> list[tuple[str, int]]:
    """Free-text answers grouped by their wording (case, punctuation and spaces aside), most frequent first."""
    groups: Counter[str] = Counter()
    first: dict[str, str] = {}
    for text in texts:
        key = " ".join(re.sub(r"[^\w\s]", " ", text.casefold().replace("ё", "е")).split())
        if key:
            groups[key] += 1
            first.setdefault(key, text.strip())
    return sorted(((first[k], n) for k, n in groups.items()), key=lambda g: (-g[1], numbers.natural_key(g[0])))


def previous_survey(session: Session, survey: Survey) -> Survey | None:
    """The network's latest earlier survey of the same kind (the comparison «up from … last time»)."""
    return session.scalar(sa.select(Survey).where(
        Survey.network_id == survey.network_id, Survey.kind == survey.kind, Survey.id != survey.id,
        Survey.created_at < survey.created_at, Survey.status != "draft",
        Survey.id.not_in(sa.select(Survey.parent_id).where(Survey.parent_id.is_not(None))))
        .order_by(Survey.created_at.desc()).limit(1))


def _dates(session: Session, survey: Survey) -> tuple[str, str]:
    first, last = session.execute(sa.select(sa.func.min(SurveyResponse.submitted_at),
                                            sa.func.max(SurveyResponse.submitted_at))
                                  .where(SurveyResponse.survey_id == survey.id)).one()
    start = survey.opens_at or first
    end = survey.closes_at or last
    return date_text(start.date() if start else None), date_text(end.date() if end else None)


def drafts(report: Report, before: Report | None, locale: str) -> list[tuple[str, str, str]]:
    """(section, title, draft) of the narrative sections, written from the figures."""
    survey = report.survey
    # The survey's description speaks to the respondents («Уважаемые коллеги!…»), not of the purpose.
    purpose = _(
        "To identify the professional needs and difficulties of teachers, in order to plan the network's "
        "events, individual professional-educational routes (ИПОМ) and the resource map for the year.")
    top = report.topic_ranking[:TOP]
    lines = []
    if top:
        lines.append(_("The most needed topics were: %(topics)s.", topics="; ".join(
            f"{t.name} ({numbers.percent(t.need, locale)})" for t in top)))
        old = {t.topic_id: t for t in (before.topic_ranking if before else [])}
        for t in top:
            if t.topic_id in old:
                lines.append(_("%(topic)s: need index %(now)s, %(direction)s from %(then)s in the previous survey.",
                               topic=t.name, now=numbers.percent(t.need, locale),
                               direction=_("up") if t.need > old[t.topic_id].need else _("down")
                               if t.need < old[t.topic_id].need else _("unchanged"),
                               then=numbers.percent(old[t.topic_id].need, locale)))
    if report.rate is not None:
        lines.append(_("%(rate)s of the teachers asked answered.", rate=numbers.percent(report.rate, locale)))
    conclusions = "\n".join(lines) or _("Too few answers to draw conclusions.")
    recommendations = "\n".join([
        _("Include the topics %(topics)s in the plan of the network's events for the year.",
          topics=", ".join(f"«{t.name}»" for t in top)) if top else "",
        _("Take the needs of each teacher into account when composing individual routes (ИПОМ)."),
        _("Find tutors and organizations with resources on these topics for the resource map."),
    ]).strip()
    return [("purpose", _("Purpose"), purpose), ("conclusions", _("Conclusions"), conclusions),
            ("recommendations", _("Recommendations"), recommendations)]


def spravka_document(session: Session, survey: Survey, locale: str = "ru", filters: Filters = Filters()) -> Document:
    """The справка's blocks for the survey's current answers."""
    report = build_report(session, survey, filters)
    previous = previous_survey(session, survey)
    before = build_report(session, previous) if previous else None
    network = session.get(Network, survey.network_id)
    sections = {n.key: n for n in narratives.resolve(session, survey.network_id, KIND, narrative_key(survey),
                                                     drafts(report, before, locale))}
    doc = Document(Requisites(organization=network.name if network else "", kind=_("ANALYTICAL REPORT"),
                              date_text=date_text(utcnow().date()),
                              subject=_("on the results of the survey «%(title)s»", title=survey.title)),
                   filename=f"spravka-survey-{survey.id}", locale=locale)
    doc.heading(_("1. Purpose"))
    doc.add(_untitled(sections["purpose"]))
    doc.heading(_("2. Dates and method"))
    start, end = _dates(session, survey)
    doc.para(_("The survey was held from %(start)s to %(end)s as an online questionnaire in TutorNet "
               "(%(questions)s%(anonymous)s).", start=start or "—", end=end or "—",
               questions=ngettext("%(num)d question", "%(num)d questions", len(report.questions)),
               anonymous=_(", anonymous") if survey.anonymous else ""))
    doc.para(_("Asked: %(asked)s; answered: %(answered)s (%(rate)s); responses received: %(responses)s.",
               asked=numbers.number(report.roster, locale), answered=numbers.number(report.answered, locale),
               rate=numbers.percent(report.rate, locale), responses=numbers.number(report.responses, locale)))
    doc.heading(_("3. Results"))
    if report.suppressed:
        doc.para(_("Too few responses in this group to show them without revealing who answered."))
    else:
        _results(doc, report, locale)
    doc.heading(_("4. Conclusions"))
    doc.add(_untitled(sections["conclusions"]))
    doc.heading(_("5. Recommendations"))
    doc.add(_untitled(sections["recommendations"]))
    doc.add(Signatures([Signature(_("Methodist"), "")]))
    return doc


def _untitled(block):
    block.title = ""
    return block


def _results(doc: Document, report: Report, locale: str) -> None:
    """Topic ranking (table and chart), each question's distribution, free texts grouped and counted."""
    if report.topic_ranking:
        doc.table(_("Topics ranked by need"), [_("Topic"), _("Ratings"), _("Mean rating"), _("Need index")],
                  [[t.name, numbers.number(t.n, locale), numbers.number(t.mean, locale, 2, fixed=True),
                    numbers.percent(t.need, locale)] for t in report.topic_ranking], numeric={1, 2, 3})
        doc.figure(_("Topics ranked by need"), _need_chart(report.topic_ranking, locale))
    for number, s in enumerate(report.questions, 1):
        if s.question.type in CHOICE_TYPES and s.bars:
            bars = [charts.Bar(_("Other") if b.label == "other" else b.label, b.count,
                               f"{numbers.number(b.count, locale)} ({numbers.percent(b.share, locale)})") for b in s.bars]
            doc.figure(f"{number}. {s.question.text}", charts.layout(bars, title=s.question.text))
        elif s.question.type in TEXT_TYPES and s.texts:
            doc.para(f"{number}. {s.question.text}", "lead")
            groups = group_texts(s.texts)
            doc.add(Items([f"{text} — {numbers.number(n, locale)}" for text, n in groups], ordered=False))
            if s.text_total > len(s.texts):
                doc.para(_("Grouped from the latest %(shown)s of %(total)s answers.",
                           shown=numbers.number(len(s.texts), locale), total=numbers.number(s.text_total, locale)),
                         "note")


def _need_chart(ranking: list[TopicNeed], locale: str) -> charts.BarChart:
    bars = [charts.Bar(t.name, t.need, numbers.percent(t.need, locale)) for t in ranking]
    return charts.layout(bars, max_value=1.0, title=_("Topics ranked by need"))
