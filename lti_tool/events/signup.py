"""Sign-up and cancellation with capacity and a first-come waitlist, safe under concurrency.

Every change to an event's roster first takes the event's lock: `SELECT … FOR UPDATE` on
PostgreSQL, and on SQLite (no row locks) an UPDATE of the event row, which takes the database
write lock *before* seats are counted. Two sign-ups for the last seat are therefore serialised:
the second one counts the first one's seat and goes to the waitlist.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from ..core.clock import as_utc, utcnow
from ..core.db import is_sqlite
from ..core.reference import Person
from .models import Event, EventLeader, Participant
from .services import EventError, is_over
from .signals import signup_changed


def lock_event(session: Session, event_id: int) -> Event:
    """Lock the event row for this transaction and return it fresh; bumps `roster_version`."""
    if is_sqlite(session):
        # Take SQLite's write lock first, so that what we count next cannot change under us.
        session.execute(sa.update(Event).where(Event.id == event_id)
                        .values(roster_version=Event.roster_version + 1))
        event = session.scalar(sa.select(Event).where(Event.id == event_id)
                               .execution_options(populate_existing=True))
    else:
        event = session.scalar(sa.select(Event).where(Event.id == event_id).with_for_update()
                               .execution_options(populate_existing=True))
        event.roster_version += 1
    if event is None:
        raise EventError(_l("Unknown event."))
    session.flush()
    return event


def registered_count(session: Session, event_id: int) -> int:
    """Seats taken."""
    return session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
        Participant.event_id == event_id, Participant.status == "registered"))


def signup_open(event: Event, now: datetime | None = None) -> bool:
    """Published and inside the sign-up window (open bounds when unset)."""
    now = now or utcnow()
    if event.status != "published":
        return False
    if event.signup_opens_at and now < as_utc(event.signup_opens_at):
        return False
    return not (event.signup_closes_at and now > as_utc(event.signup_closes_at))


def leads(session: Session, event_id: int, person_id: int) -> bool:
    """True when the person is one of the event's leaders."""
    return session.scalar(sa.select(sa.exists().where(EventLeader.event_id == event_id,
                                                      EventLeader.person_id == person_id))) or False


def sign_up(session: Session, event_id: int, person_id: int, *, added_by_id: int | None = None,
            by_staff: bool = False, now: datetime | None = None) -> Participant:
    """Register the person, or put them on the waitlist when the event is full.

    Teachers sign up only while sign-up is open; tutors and methodists (`by_staff`) may add people to
    a draft or published event at any time. Signing up again while registered changes nothing.
    """
    event = lock_event(session, event_id)
    if event.status in ("cancelled", "held") or (not by_staff and not signup_open(event, now)):
        raise EventError(_l("Sign-up for this event is closed."))
    person = session.get(Person, person_id)
    if person is None or person.network_id != event.network_id:
        raise EventError(_l("Unknown person."))
    if not by_staff and leads(session, event.id, person_id):
        raise EventError(_l("You lead this event: its leaders do not sign up for it."))
    row = session.scalar(sa.select(Participant).where(Participant.event_id == event.id,
                                                      Participant.person_id == person_id))
    if row is not None and row.status != "cancelled":
        return row
    full = event.capacity is not None and registered_count(session, event.id) >= event.capacity
    if row is None:
        row = Participant(event_id=event.id, person_id=person_id, added_by_id=added_by_id)
        session.add(row)
    row.status = "waitlisted" if full else "registered"
    row.queue_seq = event.roster_version
    row.added_by_id = added_by_id
    session.flush()
    signup_changed.send(session, event_id=event.id, person_ids=[person_id],
                        change="waitlisted" if full else "confirmed", version=event.roster_version)
    return row


def cancel(session: Session, participant_id: int, *, own: bool = False,
           today: date | None = None) -> list[Participant]:
    """Cancel a sign-up and promote from the waitlist; returns the promoted participants. A person
    cancelling her `own` sign-up cannot once the event is held (`services.is_over`)."""
    row = session.get(Participant, participant_id)
    if row is None:
        raise EventError(_l("Unknown participant."))
    if own and is_over(row.event, today):
        raise EventError(_l("The event is held: your sign-up and attendance stay in its protocol."))
    event = lock_event(session, row.event_id)
    session.refresh(row)
    if row.status == "cancelled":
        return []
    row.status = "cancelled"
    session.flush()
    signup_changed.send(session, event_id=event.id, person_ids=[row.person_id], change="cancelled",
                        version=event.roster_version)
    return fill_from_waitlist(session, event)


def fill_from_waitlist(session: Session, event: Event) -> list[Participant]:
    """Promote waitlisted people in first-come order while seats are free (call under the lock)."""
    waiting = list(session.scalars(sa.select(Participant).where(
        Participant.event_id == event.id, Participant.status == "waitlisted").order_by(
        Participant.queue_seq, Participant.id)))
    free = len(waiting) if event.capacity is None else event.capacity - registered_count(session, event.id)
    promoted = waiting[:max(free, 0)]
    for row in promoted:
        row.status = "registered"
    session.flush()
    if promoted:
        signup_changed.send(session, event_id=event.id, person_ids=[r.person_id for r in promoted],
                            change="promoted", version=event.roster_version)
    return promoted


def change_capacity(session: Session, event_id: int, capacity: int | None) -> list[Participant]:
    """Set the capacity and promote from the waitlist if seats were added.

    Lowering it below the registered count keeps the people registered (nobody is bumped).
    """
    if capacity is not None and capacity < 0:
        raise EventError(_l("Capacity cannot be negative."))
    event = lock_event(session, event_id)
    event.capacity = capacity
    session.flush()
    return fill_from_waitlist(session, event)


def waitlist_position(session: Session, participant: Participant) -> int | None:
    """1-based place in the waitlist, None when not waitlisted."""
    if participant.status != "waitlisted":
        return None
    ahead = session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
        Participant.event_id == participant.event_id, Participant.status == "waitlisted",
        sa.or_(Participant.queue_seq < participant.queue_seq,
               sa.and_(Participant.queue_seq == participant.queue_seq, Participant.id < participant.id))))
    return ahead + 1


def roster(session: Session, event_id: int) -> list[Participant]:
    """The event's registered and waitlisted people in sign-up order, with their persons and
    completions (one query each, whatever the roster's size)."""
    return list(session.scalars(
        sa.select(Participant).where(Participant.event_id == event_id, Participant.status != "cancelled")
        .order_by(Participant.queue_seq, Participant.id)
        .options(selectinload(Participant.person), selectinload(Participant.completion))))


