"""The commission's papers: the protocol of a meeting and the extract (выписка из протокола) for one
candidate — requisites, members present, СЛУШАЛИ / РЕШИЛИ per candidate, signatures.

Plain functions (views and tests call them); the DOCX writer and the print page print what they return.
A meeting's number is its place among the network's meetings by date (№ 1 is the first ever held).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session, selectinload

from ..core import numbers
from ..core.accounts import Network
from ..core.reference import Person
from ..documents.model import Document, Items, Labelled, Para, Requisites, Signature, Signatures, date_text, initials
from .criteria import CRITERIA, OUTCOMES
from .models import Candidacy, Decision, Meeting


def meeting_number(session: Session, meeting: Meeting) -> int:
    """The meeting's ordinal among the network's meetings (by date, then by id)."""
    return session.scalar(sa.select(sa.func.count()).select_from(Meeting).where(
        Meeting.network_id == meeting.network_id,
        sa.or_(Meeting.held_on < meeting.held_on, sa.and_(Meeting.held_on == meeting.held_on, Meeting.id <= meeting.id))))


def _members(meeting: Meeting, role: str) -> list[str]:
    return [m["name"] for m in meeting.members if m.get("role") == role and m.get("name")]


def _decisions(session: Session, meeting: Meeting) -> list[Decision]:
    """The decisions taken at the meeting, candidates in natural order of their names."""
    rows = session.scalars(sa.select(Decision).where(Decision.meeting_id == meeting.id).options(
        selectinload(Decision.candidacy).selectinload(Candidacy.person).selectinload(Person.organization),
        selectinload(Decision.candidacy).selectinload(Candidacy.criteria)))
    return sorted(rows, key=lambda d: (numbers.natural_key(d.candidacy.person.full_name), d.id))


def _candidate(person: Person) -> str:
    org = person.organization
    return f"{person.full_name} ({org.name})" if org else person.full_name


def _heading(session: Session, meeting: Meeting, kind: str, filename: str) -> Document:
    network = session.get(Network, meeting.network_id)
    return Document(Requisites(
        organization=network.name if network else "", kind=kind, date_text=date_text(meeting.held_on),
        number=str(meeting_number(session, meeting)),
        subject=_("of the meeting of the commission on awarding the status “Tutor”") +
        (f": {meeting.title}" if meeting.title else "")), filename=filename)


def _present(doc: Document, meeting: Meeting) -> tuple[str, str]:
    chair = (_members(meeting, "chair") or [""])[0]
    secretary = (_members(meeting, "secretary") or [""])[0]
    doc.add(Labelled(_("Chair"), chair or "—"))
    doc.add(Labelled(_("Secretary"), secretary or "—"))
    everyone = [m["name"] for m in meeting.members if m.get("name")]
    doc.add(Labelled(_("Present"), _("%(count)s: %(names)s.", count=ngettext(
        "%(num)d member of the commission", "%(num)d members of the commission", len(everyone)),
        names=", ".join(everyone))))
    return chair, secretary


def _on_candidate(doc: Document, decision: Decision) -> None:
    person = decision.candidacy.person
    met = sum(1 for c in decision.candidacy.criteria if c.met)
    doc.add(Labelled(_("Heard"), _("On the candidacy of %(who)s: %(met)s of %(total)s criteria of §3.3 met.",
                                   who=_candidate(person), met=met, total=len(CRITERIA))))
    verdict = {"awarded": _("To award the status “Tutor” to %(name)s.", name=person.full_name),
               "refused": _("To refuse %(name)s the status “Tutor”.", name=person.full_name),
               "postponed": _("To postpone the decision on %(name)s.", name=person.full_name)}[decision.outcome]
    doc.add(Labelled(_("Decided"), f"{verdict} {decision.reasons}"))


def meeting_protocol(session: Session, meeting: Meeting, locale: str = "ru") -> Document:
    """The protocol of a commission meeting: members, agenda, each candidate heard and decided."""
    number = meeting_number(session, meeting)
    doc = _heading(session, meeting, _("PROTOCOL"), f"commission-protocol-{number}")
    doc.locale = locale
    chair, secretary = _present(doc, meeting)
    decisions = _decisions(session, meeting)
    doc.heading(_("Agenda"))
    doc.add(Items([_("On awarding the status “Tutor”: %(names)s.", names=", ".join(
        d.candidacy.person.full_name for d in decisions) or "—")]))
    for decision in decisions:
        _on_candidate(doc, decision)
    if decisions:
        doc.table(_("Decisions of the meeting"), ["№", _("Candidate"), _("Criteria met"), _("Decision")],
                  [[str(i), _candidate(d.candidacy.person),
                    f"{sum(1 for c in d.candidacy.criteria if c.met)} / {len(CRITERIA)}", str(OUTCOMES[d.outcome])]
                   for i, d in enumerate(decisions, 1)], numeric={0, 2})
    doc.add(Signatures([Signature(_("Chair"), initials(chair)), Signature(_("Secretary"), initials(secretary))]))
    return doc


def extract(session: Session, decision: Decision, locale: str = "ru") -> Document:
    """The extract from the meeting's protocol for one candidate (given to the awarded tutor)."""
    meeting = decision.meeting
    person = decision.candidacy.person
    doc = _heading(session, meeting, _("EXTRACT FROM THE PROTOCOL"),
                   f"extract-{meeting_number(session, meeting)}-{person.id}")
    doc.locale = locale
    chair, secretary = _present(doc, meeting)
    doc.heading(_("Agenda"))
    doc.add(Items([_("On awarding the status “Tutor”.")]))
    _on_candidate(doc, decision)
    doc.add(Signatures([Signature(_("Chair"), initials(chair)), Signature(_("Secretary"), initials(secretary))]))
    doc.add(Para(_("The extract is correct."), "normal"))
    doc.add(Signatures([Signature(_("Secretary"), initials(secretary))]))
    return doc
