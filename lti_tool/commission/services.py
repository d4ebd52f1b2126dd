"""Candidate files, meetings and decisions; awarding the status grants the tutor role."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.reference import Person
from ..core.people import name_matches
from ..core.roles import grant_role, revoke_role
from .criteria import CRITERIA, OUTCOMES
from .models import Candidacy, CommissionSettings, CriterionEvidence, Decision, Meeting
from .signals import decision_recorded


class CommissionError(ValueError):
    """A request the commission's rules do not allow (the message is shown to the methodist)."""


class BelowThreshold(CommissionError):
    """An award with fewer criteria met than the network's threshold, not confirmed as an override."""

    def __init__(self, met: int, threshold: int):
        super().__init__(f"{met} criteria met, the threshold is {threshold}")
        self.met, self.threshold = met, threshold


# Until a network sets its threshold no award is refused (files opened before the rule existed keep
# their course); the commission page asks for it.
DEFAULT_THRESHOLD = 0


def threshold(session: Session, network_id: int) -> int:
    """How many §3.3 criteria the network requires for an award."""
    value = session.scalar(sa.select(CommissionSettings.min_criteria).where(CommissionSettings.network_id == network_id))
    return DEFAULT_THRESHOLD if value is None else value


def set_threshold(session: Session, network_id: int, value: int) -> None:
    """Set the network's threshold (0..number of criteria)."""
    if not 0 <= value <= len(CRITERIA):
        raise CommissionError("threshold out of range")
    row = session.scalar(sa.select(CommissionSettings).where(CommissionSettings.network_id == network_id))
    if row is None:
        session.add(CommissionSettings(network_id=network_id, min_criteria=value))
    else:
        row.min_criteria = value
    session.flush()


def criteria_met(candidacy: Candidacy) -> int:
    """How many criteria of the file are assessed as met."""
    return sum(1 for c in candidacy.criteria if c.met)


def open_candidacy(session: Session, network_id: int, person_id: int, nominated_by_id: int | None,
                   statement: str | None = None) -> Candidacy:
    """Open a candidate file with every §3.3 criterion unassessed; one open file per person."""
    person = session.get(Person, person_id)
    if person is None or person.network_id != network_id:
        raise CommissionError("unknown person")
    existing = session.scalar(sa.select(Candidacy).where(Candidacy.network_id == network_id,
                                                         Candidacy.person_id == person_id))
    if existing is not None:
        return existing
    candidacy = Candidacy(network_id=network_id, person_id=person_id, nominated_by_id=nominated_by_id,
                          statement=statement)
    candidacy.criteria = [CriterionEvidence(code=code, position=i) for i, code in enumerate(CRITERIA)]
    session.add(candidacy)
    session.flush()
    return candidacy


def assess_criterion(session: Session, candidacy: Candidacy, code: str, met: bool | None, evidence: str | None) -> None:
    """Record whether a criterion is met and the evidence for it."""
    item = next((c for c in candidacy.criteria if c.code == code), None)
    if item is None:
        raise CommissionError("unknown criterion")
    item.met = met
    item.evidence = (evidence or "").strip() or None
    session.flush()


def assess_all(session: Session, candidacy: Candidacy, answers: dict[str, tuple[bool | None, str | None]]) -> None:
    """Save the whole checklist at once: {code: (met, evidence)}; codes not given stay as they are."""
    unknown = set(answers) - set(CRITERIA)
    if unknown:
        raise CommissionError("unknown criterion")
    for item in candidacy.criteria:
        if item.code in answers:
            met, evidence = answers[item.code]
            item.met = met
            item.evidence = (evidence or "").strip() or None
    session.flush()


def create_meeting(session: Session, network_id: int, held_on: date, title: str, members: list[dict]) -> Meeting:
    """A commission meeting; members are [{"name", "role"}] as written in the minutes."""
    members = [m for m in members if m.get("name", "").strip()]
    if not members:
        raise CommissionError("a meeting needs at least one member")
    meeting = Meeting(network_id=network_id, held_on=held_on, title=title.strip(), members=members)
    session.add(meeting)
    session.flush()
    return meeting


def current_decision(candidacy: Candidacy) -> Decision | None:
    """The decision in force: the latest one (each supersedes the previous)."""
    return candidacy.decisions[-1] if candidacy.decisions else None


def record_decision(session: Session, candidacy: Candidacy, meeting: Meeting, outcome: str, reasons: str,
                    decided_by_id: int, *, override: bool = False) -> Decision:
    """Record a decision (never edited later); awarding grants the tutor role, undoing revokes it.

    An award below the network's threshold of criteria met raises BelowThreshold unless `override`
    is given; then the decision records that it overrode the threshold, and who decided."""
    if outcome not in OUTCOMES:
        raise CommissionError("unknown outcome")
    if meeting.network_id != candidacy.network_id:
        raise CommissionError("the meeting belongs to another network")
    if not reasons.strip():
        raise CommissionError("reasons are required")
    met, required = criteria_met(candidacy), threshold(session, candidacy.network_id)
    below = outcome == "awarded" and met < required
    if below and not override:
        raise BelowThreshold(met, required)
    previous = current_decision(candidacy)
    decision = Decision(candidacy=candidacy, meeting=meeting, outcome=outcome, reasons=reasons.strip(),
                        decided_by_id=decided_by_id, supersedes_id=previous.id if previous else None,
                        criteria_met=met, threshold=required, overrode_threshold=below)
    session.add(decision)
    person = session.get(Person, candidacy.person_id)
    if outcome == "awarded":
        person.is_tutor = True
        if person.user_id:
            grant_role(session, candidacy.network_id, person.user_id, "tutor", decided_by_id,
                       reason=f"commission decision, meeting {meeting.id}")
    elif previous is not None and previous.outcome == "awarded":
        person.is_tutor = False
        if person.user_id:
            revoke_role(session, candidacy.network_id, person.user_id, "tutor")
    session.flush()
    decision_recorded.send(session, decision_id=decision.id)
    return decision


def candidacies(session: Session, network_id: int) -> list[Candidacy]:
    """Every candidate file of the network with criteria and decisions loaded."""
    return list(session.scalars(
        sa.select(Candidacy).where(Candidacy.network_id == network_id)
        .options(selectinload(Candidacy.person), selectinload(Candidacy.criteria), selectinload(Candidacy.decisions))
        .order_by(Candidacy.created_at.desc())
    ))


def eligible_people(session: Session, network_id: int, query: str = "", person_id: int | None = None,
                    limit: int = 20) -> list[Person]:
    """Tutees who could be nominated (active persons who are not tutors yet): the first `limit`
    whose name contains `query` (at least two letters), or the one with `person_id` — a region's
    tens of thousands are never listed whole."""
    where = [Person.network_id == network_id, Person.is_tutor.is_(False), Person.retired_at.is_(None)]
    if person_id is not None:
        where.append(Person.id == person_id)
    elif len(query.strip()) >= 2:
        where.append(name_matches(Person.full_name, query))
    else:
        return []
    return list(session.scalars(sa.select(Person).where(*where).order_by(Person.full_name, Person.id).limit(limit)))


def meetings(session: Session, network_id: int) -> list[Meeting]:
    return list(session.scalars(sa.select(Meeting).where(Meeting.network_id == network_id)
                                .order_by(Meeting.held_on.desc())))


def network_growth(session: Session, network_id: int) -> dict:
    """Tutees who became tutors through the commission: awarded decisions in force."""
    files = candidacies(session, network_id)
    awarded = [c for c in files if (d := current_decision(c)) is not None and d.outcome == "awarded"]
    return {"awarded": len(awarded), "candidates": len(files), "people": awarded}
