"""The demo network's people as a roster file for the demo LMS (`flask demo roster PATH`).

The demo LMS never imports the tool; it reads this JSON file when seeding a fresh database
(`python -m demo_lms --roster PATH`), like an LMS's bulk user upload. Emails are the persons'
own, so each launch is matched to its person (`lti_tool.core.people.ensure_person`) and lands on
their survey answers, route and sign-ups.

Order matters: the demo LMS enrols users in file order and "launch as teacher / tutor" picks the
first one of the kind, so people with the most demo data come first.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .core.reference import Person
from .events.models import EventLeader, Participant
from .pathways.models import Route, RouteTutor
from .surveys.models import SurveyResponse

# The network's methodist is not a Person of the demo data; the same one as the demo LMS's own.
METHODIST = {"given_name": "Людмила Викторовна", "family_name": "Горбунова",
             "email": "gorbunova.metodist@imc.example.ru", "kind": "methodist"}

# (person column, weight): how much demo data a person has in each area.
_DATA_COLUMNS = ((Route.person_id, 100), (RouteTutor.tutor_id, 10), (EventLeader.person_id, 10),
                 (SurveyResponse.person_id, 3), (Participant.person_id, 1))


def split_name(full_name: str) -> tuple[str, str]:
    """(given_name, family_name) of "Фамилия Имя Отчество"; the given name keeps the patronymic,
    as Russian Moodles often do."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name or "—", full_name or "—"
    return " ".join(parts[1:]), parts[0]


def _data_weight(session: Session, network_id: int) -> dict[int, int]:
    """Per person id, a weight of their rows in the areas' tables."""
    weight: dict[int, int] = {}
    for col, factor in _DATA_COLUMNS:
        rows = session.execute(sa.select(col, sa.func.count()).join(Person, Person.id == col)
                               .where(Person.network_id == network_id).group_by(col))
        for person_id, n in rows:
            weight[person_id] = weight.get(person_id, 0) + factor * min(n, 5)
    return weight


def roster_rows(session: Session, network_id: int) -> list[dict[str, str]]:
    """The roster of a network: tutors as instructors, one methodist, teachers as learners; people
    with more demo data first within each kind; people without an email are left out."""
    people = session.scalars(sa.select(Person).where(Person.network_id == network_id, Person.retired_at.is_(None),
                                                     Person.email.is_not(None)).order_by(Person.id))
    weight = _data_weight(session, network_id)
    ranked = sorted(people, key=lambda p: (-weight.get(p.id, 0), p.id))
    rows = [METHODIST]
    for is_tutor, kind in ((True, "instructor"), (False, "learner")):
        for person in ranked:
            if person.is_tutor == is_tutor:
                given, family = split_name(person.full_name)
                rows.append({"given_name": given, "family_name": family, "email": person.email, "kind": kind})
    return rows
