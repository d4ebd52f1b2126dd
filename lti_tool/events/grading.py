"""Attendance and participation grading per meeting, completion rule, and the grade's consequences.

Each grading change, in one transaction: the attendance row, the participant's completion, one
score outbox row per placed line item (`lms.queue_scores`) and, on a new completion, the
`participation_completed` signal (routes close their matching steps). The caller commits; if
anything fails, rolling back undoes all of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from . import lms
from .models import ATTENDANCE_STATUSES, ATTENDED, Attendance, EventCompletion, EventMeeting, Participant
from .services import EventError, Scale, get_scale
from .signals import participation_completed


@dataclass(frozen=True)
class Mark:
    """One person's row of the grading screen."""

    participant_id: int
    status: str
    score: float | None = None
    comment: str | None = None


def validate_mark(mark: Mark, scale: Scale) -> Mark:
    """Check the status and the score against the scale; absent/excused carry no score."""
    if mark.status not in ATTENDANCE_STATUSES:
        raise EventError(_l("Unknown attendance status."))
    score = mark.score if mark.status in ATTENDED else None
    if score is not None:
        if scale.kind == "pass_fail" and score not in (0, 1):
            raise EventError(_l("Pass/fail scores are 1 (pass) or 0 (fail)."))
        if not 0 <= score <= scale.maximum:
            raise EventError(_l("The score must be between 0 and %(max)s.", max=f"{scale.maximum:g}"))
    comment = (mark.comment or "").strip() or None
    return Mark(mark.participant_id, mark.status, score, comment)


def grade_meeting(session: Session, meeting: EventMeeting, marks: list[Mark], *,
                  graded_by_id: int | None, now: datetime | None = None) -> list[Participant]:
    """Apply the marks of one meeting; returns the participants whose grade changed.

    Unchanged rows write nothing (no outbox row either). Marks for people not registered for
    this event are refused.
    """
    event = meeting.event
    scale = get_scale(session, event.network_id, event.form)
    valid = [validate_mark(m, scale) for m in marks]
    people = {p.id: p for p in session.scalars(sa.select(Participant).where(
        Participant.event_id == event.id, Participant.id.in_([m.participant_id for m in valid])))}
    existing = {a.participant_id: a for a in session.scalars(sa.select(Attendance).where(
        Attendance.session_id == meeting.id, Attendance.participant_id.in_(list(people))))}
    now = now or utcnow()
    changed = []
    for mark in valid:
        participant = people.get(mark.participant_id)
        if participant is None or participant.status != "registered":
            raise EventError(_l("This person is not registered for the event."))
        row = existing.get(participant.id)
        if row is not None and (row.status, row.score, row.comment) == (mark.status, mark.score, mark.comment):
            continue
        if row is None:
            row = Attendance(session_id=meeting.id, participant_id=participant.id)
            session.add(row)
        row.status, row.score, row.comment = mark.status, mark.score, mark.comment
        row.graded_by_id, row.graded_at = graded_by_id, now
        session.flush()
        after_grade_change(session, participant, scale, comment=mark.comment, now=now)
        changed.append(participant)
    return changed


def mark_all_present(session: Session, meeting: EventMeeting, *, graded_by_id: int | None,
                     now: datetime | None = None) -> list[Participant]:
    """Mark every registered person present, keeping existing scores and comments."""
    registered = session.scalars(sa.select(Participant).where(
        Participant.event_id == meeting.event_id, Participant.status == "registered"))
    existing = {a.participant_id: a for a in session.scalars(sa.select(Attendance).where(
        Attendance.session_id == meeting.id))}
    marks = []
    for p in registered:
        row = existing.get(p.id)
        marks.append(Mark(p.id, "present", row.score if row else None, row.comment if row else None))
    return grade_meeting(session, meeting, marks, graded_by_id=graded_by_id, now=now)


def participant_score(session: Session, participant: Participant) -> tuple[int, float | None]:
    """Meetings attended and the event score: the mean of the scores given at attended meetings."""
    rows = list(session.scalars(sa.select(Attendance).where(Attendance.participant_id == participant.id)))
    attended = [a for a in rows if a.status in ATTENDED]
    scores = [a.score for a in attended if a.score is not None]
    return len(attended), (round(sum(scores) / len(scores), 2) if scores else None)


def evaluate_completion(session: Session, participant: Participant, now: datetime | None = None) -> EventCompletion:
    """Apply the event's rule: attended ≥ min_sessions and (no threshold or score ≥ min_score)."""
    event = participant.event
    attended, score = participant_score(session, participant)
    completed = participant.status == "registered" and attended >= max(event.min_sessions, 1) and (
        event.min_score is None or (score is not None and score >= event.min_score))
    row = session.scalar(sa.select(EventCompletion).where(EventCompletion.participant_id == participant.id))
    if row is None:
        row = EventCompletion(participant_id=participant.id)
        session.add(row)
    row.completed, row.sessions_attended, row.score = completed, attended, score
    row.evaluated_at = now or utcnow()
    session.flush()
    return row


def reevaluate_event(session: Session, event, now: datetime | None = None) -> list[Participant]:
    """After the completion rule changed: re-apply it; people whose completion flipped get a new score."""
    scale = get_scale(session, event.network_id, event.form)
    now = now or utcnow()
    flipped = []
    for participant in session.scalars(sa.select(Participant).where(Participant.event_id == event.id,
                                                                    Participant.status == "registered")):
        before = session.scalar(sa.select(EventCompletion.completed).where(
            EventCompletion.participant_id == participant.id))
        if before is None:
            continue  # never graded: nothing to re-send
        if evaluate_completion(session, participant, now).completed != before:
            after_grade_change(session, participant, scale, comment=None, now=now, before=before)
            flipped.append(participant)
    return flipped


def after_grade_change(session: Session, participant: Participant, scale: Scale, *, comment: str | None,
                       now: datetime, before: bool | None = None) -> EventCompletion:
    """Re-evaluate completion, queue the LMS score and, on a new completion, tell other areas."""
    if before is None:
        before = session.scalar(sa.select(EventCompletion.completed).where(
            EventCompletion.participant_id == participant.id))
    completion = evaluate_completion(session, participant, now)
    lms.queue_scores(session, participant, score_given=completion.score if completion.score is not None else 0.0,
                     score_maximum=scale.maximum, completed=completion.completed, comment=comment, now=now)
    if completion.completed and not before:
        participation_completed.send(session, event_id=participant.event_id, person_id=participant.person_id)
    return completion
