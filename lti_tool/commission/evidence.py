"""Evidence the tool already holds for a candidate for the "Tutor" status, gathered for the
commission: events she led (best practices marked), practices she offered to share in the resources
survey, consultations she held, her "ready to share experience" answer. Shown beside the checklist
and proposed for the criteria it supports; the methodist confirms it with one save."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..core.reference import Topic
from ..events.models import Event, EventLeader, EventMeeting
from ..pathways.models import Consultation
from ..surveys.models import Survey, SurveyAnswer, SurveyOffer, SurveyOption, SurveyQuestion, SurveyResponse

SHOWN = 20  # lines of each kind: a file is read by people


@dataclass
class Gathered:
    """What the tool knows of the candidate's work."""

    events: list[tuple[str, date | None, bool]] = field(default_factory=list)  # title, first date, best practice
    practices: list[str] = field(default_factory=list)
    consultations: int = 0
    consultation_minutes: int = 0
    ready: str | None = None  # her answer to "ready to share experience"

    def for_criteria(self) -> dict[str, str]:
        """Evidence text proposed per criterion code (only where the tool has something)."""
        proposed: dict[str, list[str]] = {}
        if self.events:
            led = _("Events led: %(list)s", list="; ".join(
                f"{t} ({d:%d.%m.%Y})" if d else t for t, d, _best in self.events))
            proposed.setdefault("open_lessons", []).append(led)
            proposed.setdefault("organizing_growth", []).append(led)
        best = [t for t, _d, b in self.events if b]
        if best:
            proposed.setdefault("methodological_work", []).append(
                _("Best practices: %(list)s", list="; ".join(best)))
        if self.practices:
            proposed.setdefault("extra_activities", []).append(
                _("Practices offered to share: %(list)s", list="; ".join(self.practices)))
        if self.consultations:
            proposed.setdefault("organizing_growth", []).append(
                _("Consultations held: %(num)s, %(hours)s h", num=self.consultations,
                  hours=round(self.consultation_minutes / 60, 1)))
        return {code: "\n".join(lines) for code, lines in proposed.items()}


def gather(session: Session, network_id: int, person_id: int) -> Gathered:
    """Everything above for one person (four queries)."""
    found = Gathered()
    first = (sa.select(EventMeeting.event_id, sa.func.min(EventMeeting.on_date).label("on"))
             .group_by(EventMeeting.event_id).subquery())
    for title, on, best in session.execute(
            sa.select(Event.title, first.c.on, Event.best_practice)
            .join(EventLeader, EventLeader.event_id == Event.id)
            .outerjoin(first, first.c.event_id == Event.id)
            .where(Event.network_id == network_id, EventLeader.person_id == person_id,
                   EventLeader.kind == "lead", Event.status.in_(("published", "held")))
            .order_by(first.c.on.desc(), Event.id.desc()).limit(SHOWN)):
        found.events.append((title, on, bool(best)))
    for title, topic, text in session.execute(
            sa.select(SurveyOffer.title, Topic.name, SurveyOffer.topic_text)
            .outerjoin(Topic, Topic.id == SurveyOffer.topic_id)
            .where(SurveyOffer.network_id == network_id, SurveyOffer.person_id == person_id,
                   SurveyOffer.status != "declined")
            .order_by(SurveyOffer.id.desc()).limit(SHOWN)):
        found.practices.append(" — ".join(x for x in (title, topic or text) if x))
    count, minutes = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Consultation.minutes), 0))
        .where(Consultation.network_id == network_id, Consultation.tutor_id == person_id)).one()
    found.consultations, found.consultation_minutes = int(count), int(minutes)
    found.ready = session.scalar(
        sa.select(SurveyOption.text).join(SurveyAnswer, SurveyAnswer.option_id == SurveyOption.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(Survey.network_id == network_id, SurveyResponse.person_id == person_id,
               SurveyQuestion.code == "ready_to_tutor")
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()).limit(1))
    return found
