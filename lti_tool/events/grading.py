"""Attendance and participation grading per meeting, completion rule, and the grade's consequences.

Each grading change, in one transaction: the attendance row, the participant's completion, one
score outbox row per placed line item (`lms.queue_scores`) and, on a new completion, the
`participation_completed` signal (routes close their matching steps). Every step works on all the
changed participants of a save at once, so the statements do not grow with the roster. The caller commits; if
anything fails, rolling back undoes all of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

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


def check_gradable(meeting: EventMeeting, today: date | None = None) -> None:
    """A meeting is graded on its day or later: nobody attended a meeting that has not taken place."""
    if meeting.on_date > (today or date.today()):
        raise EventError(_l("This session takes place on %(day)s: it can be graded from that day on.",
                            day=meeting.on_date.strftime("%d.%m.%Y")))


def grade_meeting(session: Session, meeting: EventMeeting, marks: list[Mark], *,
                  graded_by_id: int | None, now: datetime | None = None, today: date | None = None) -> list[Participant]:
    """Apply the marks of one meeting; returns the participants whose grade changed.

    Unchanged rows write nothing (no outbox row either). Marks for people not registered for
    this event are refused, and so is a meeting after `today` (`check_gradable`). Set-based: a
    meeting of 30 costs the same few statements as one.
    """
    check_gradable(meeting, today)
    event = meeting.event
    scale = get_scale(session, event.network_id, event.form)
    valid = [validate_mark(m, scale) for m in marks]
    people = {p.id: p for p in session.scalars(sa.select(Participant).where(
        Participant.event_id == event.id, Participant.id.in_([m.participant_id for m in valid]))
        .options(selectinload(Participant.person)))}
    existing = {a.participant_id: a for a in session.scalars(sa.select(Attendance).where(
        Attendance.session_id == meeting.id, Attendance.participant_id.in_(list(people))))}
    now = now or utcnow()
    changed: dict[int, str | None] = {}
    new, updated = [], []
    for mark in valid:
        participant = people.get(mark.participant_id)
        if participant is None or participant.status != "registered":
            raise EventError(_l("This person is not registered for the event."))
        row = existing.get(participant.id)
        if row is not None and (row.status, row.score, row.comment) == (mark.status, mark.score, mark.comment):
            continue
        values = dict(status=mark.status, score=mark.score, comment=mark.comment, graded_by_id=graded_by_id,
                      graded_at=now)
        if row is None:
            new.append(dict(values, session_id=meeting.id, participant_id=participant.id))
        else:
            updated.append(dict(values, id=row.id))
        changed[participant.id] = mark.comment
    if changed:
        _write(session, Attendance, new, updated)
        after_grade_changes(session, event, [people[pid] for pid in changed], scale, comments=changed, now=now)
    return [people[pid] for pid in changed]


def mark_all_present(session: Session, meeting: EventMeeting, *, graded_by_id: int | None,
                     now: datetime | None = None, today: date | None = None) -> list[Participant]:
    """Mark every registered person present, keeping existing scores and comments."""
    check_gradable(meeting, today)
    registered = session.scalars(sa.select(Participant).where(
        Participant.event_id == meeting.event_id, Participant.status == "registered"))
    existing = {a.participant_id: a for a in session.scalars(sa.select(Attendance).where(
        Attendance.session_id == meeting.id))}
    marks = []
    for p in registered:
        row = existing.get(p.id)
        marks.append(Mark(p.id, "present", row.score if row else None, row.comment if row else None))
    return grade_meeting(session, meeting, marks, graded_by_id=graded_by_id, now=now, today=today)


def participant_score(session: Session, participant: Participant) -> tuple[int, float | None]:
    """Meetings attended and the event score: the mean of the scores given at attended meetings."""
    return participant_scores(session, [participant.id]).get(participant.id, (0, None))


def participant_scores(session: Session, participant_ids: list[int]) -> dict[int, tuple[int, float | None]]:
    """`participant_score` of many participants from one query: {id: (attended, score)}."""
    marks: dict[int, list[tuple[str, float | None]]] = {pid: [] for pid in participant_ids}
    if participant_ids:
        for pid, status, score in session.execute(sa.select(
                Attendance.participant_id, Attendance.status, Attendance.score)
                .where(Attendance.participant_id.in_(participant_ids))):
            marks[pid].append((status, score))
    result = {}
    for pid, rows in marks.items():
        attended = [score for status, score in rows if status in ATTENDED]
        given = [score for score in attended if score is not None]
        result[pid] = len(attended), (round(sum(given) / len(given), 2) if given else None)
    return result


@dataclass(frozen=True)
class Completion:
    """A participant's completion as just evaluated (what `EventCompletion` now holds)."""

    completed: bool
    sessions_attended: int
    score: float | None


def _write(session: Session, model, new: list[dict], updated: list[dict]) -> None:
    """INSERT the new rows and UPDATE the changed ones by primary key: one executemany each,
    whatever their number; loaded objects of the updated rows are expired (they are stale)."""
    session.flush()
    table = model.__table__
    if new:  # Core executemany: one statement for rows with and without a score alike
        session.execute(table.insert(), new)
    if updated:
        names = [k for k in updated[0] if k != "id"]
        session.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                        .values({k: sa.bindparam(k) for k in names}),
                        [dict({k: r[k] for k in names}, row_id=r["id"]) for r in updated])
        for row in updated:
            loaded = session.identity_map.get(sa.inspect(model).identity_key_from_primary_key((row["id"],)))
            if loaded is not None:
                session.expire(loaded)


def evaluate_completion(session: Session, participant: Participant, now: datetime | None = None) -> Completion:
    """Apply the event's rule: attended ≥ min_sessions and (no threshold or score ≥ min_score)."""
    return evaluate_completions(session, participant.event, [participant], now)[participant.id]


def evaluate_completions(session: Session, event, participants: list[Participant],
                         now: datetime | None = None) -> dict[int, Completion]:
    """`evaluate_completion` of many participants of one event: a read of their attendance and of
    their completion rows, then one INSERT and one UPDATE for all of them."""
    ids = [p.id for p in participants]
    scores = participant_scores(session, ids)
    known = dict(session.execute(sa.select(EventCompletion.participant_id, EventCompletion.id)
                                 .where(EventCompletion.participant_id.in_(ids))).all()) if ids else {}
    now = now or utcnow()
    result, new, updated = {}, [], []
    for p in participants:
        attended, score = scores[p.id]
        completed = p.status == "registered" and attended >= max(event.min_sessions, 1) and (
            event.min_score is None or (score is not None and score >= event.min_score))
        result[p.id] = Completion(completed, attended, score)
        values = dict(completed=completed, sessions_attended=attended, score=score, evaluated_at=now)
        if p.id in known:
            updated.append(dict(values, id=known[p.id]))
        else:
            new.append(dict(values, participant_id=p.id))
    _write(session, EventCompletion, new, updated)
    return result


def reevaluate_event(session: Session, event, now: datetime | None = None) -> list[Participant]:
    """After the completion rule changed: re-apply it; people whose completion flipped get a new score."""
    scale = get_scale(session, event.network_id, event.form)
    now = now or utcnow()
    graded = list(session.scalars(sa.select(Participant).join(
        EventCompletion, EventCompletion.participant_id == Participant.id)  # never graded: nothing to re-send
        .where(Participant.event_id == event.id, Participant.status == "registered")
        .options(selectinload(Participant.person))))
    before = _completed(session, [p.id for p in graded])
    after = evaluate_completions(session, event, graded, now)
    flipped = [p for p in graded if after[p.id].completed != before[p.id]]
    if flipped:
        after_grade_changes(session, event, flipped, scale, comments={}, now=now, before=before, evaluated=after)
    return flipped


def _completed(session: Session, participant_ids: list[int]) -> dict[int, bool | None]:
    """{participant id: completed at the last evaluation, None if never evaluated}."""
    known = dict(session.execute(sa.select(EventCompletion.participant_id, EventCompletion.completed)
                                 .where(EventCompletion.participant_id.in_(participant_ids))).all()) \
        if participant_ids else {}
    return {pid: known.get(pid) for pid in participant_ids}


def after_grade_changes(session: Session, event, participants: list[Participant], scale: Scale, *,
                        comments: dict[int, str | None], now: datetime, before: dict | None = None,
                        evaluated: dict | None = None) -> dict[int, EventCompletion]:
    """Re-evaluate completions, queue the LMS scores and announce the new completions, for many
    participants of one event at once (their persons loaded with them)."""
    before = before if before is not None else _completed(session, [p.id for p in participants])
    completions = evaluated if evaluated is not None else evaluate_completions(session, event, participants, now)
    lms.queue_scores(session, event, [
        lms.Grade(p, completions[p.id].score if completions[p.id].score is not None else 0.0,
                  completions[p.id].completed, comments.get(p.id)) for p in participants],
        score_maximum=scale.maximum, now=now)
    newly = [p.person_id for p in participants if completions[p.id].completed and not before.get(p.id)]
    if newly:
        participation_completed.send(session, event_id=event.id, person_ids=newly)
    return completions


def resend_event(session: Session, event, now: datetime | None = None) -> int:
    """Queue every graded participant's current event score again for every placed course (grades
    given before the placement's first launch had nowhere to go); returns the outbox rows written.
    Announces no completion: nothing changed in the tool."""
    scale = get_scale(session, event.network_id, event.form)
    graded = list(session.scalars(sa.select(Participant).join(
        EventCompletion, EventCompletion.participant_id == Participant.id)
        .where(Participant.event_id == event.id, Participant.status == "registered")
        .options(selectinload(Participant.person))))
    rows = {c.participant_id: c for c in session.scalars(sa.select(EventCompletion).where(
        EventCompletion.participant_id.in_([p.id for p in graded])))} if graded else {}
    return lms.queue_scores(session, event, [
        lms.Grade(p, rows[p.id].score if rows[p.id].score is not None else 0.0, rows[p.id].completed)
        for p in graded], score_maximum=scale.maximum, now=now or utcnow())
