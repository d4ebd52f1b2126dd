"""Helpers for pathways tests: a network with a year, topics, offerings, teachers and their needs."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from lti_tool.core.accounts import Network, User
from lti_tool.core.reference import AcademicYear, Organization, Person, Topic
from lti_tool.resource_map.models import Offering
from lti_tool.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveySection

PLAN_START = "2025-09-01"


@dataclass
class World:
    """Ids of the arranged rows (objects go stale across sessions; ids do not)."""

    network_id: int
    year_id: int
    org_id: int
    tutor_id: int
    tutor_user_id: int
    survey_id: int
    question_id: int
    topics: list[int] = field(default_factory=list)
    teachers: list[int] = field(default_factory=list)  # person ids
    teacher_users: list[int] = field(default_factory=list)
    offerings: list[int] = field(default_factory=list)


def make_user(session, name):
    user = User(issuer="https://lms.test", sub=os.urandom(6).hex(), name=name)
    session.add(user)
    session.flush()
    return user


def build_world(session, *, topics: int = 3, teachers: int = 4) -> World:
    """A network with `topics` topics, one tutor and `teachers` teachers; no offerings, no needs yet."""
    net = Network(name="АМСТ", slug=f"net-{os.urandom(4).hex()}")
    session.add(net)
    session.flush()
    year = AcademicYear(network_id=net.id, title="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31),
                        is_current=True)
    org = Organization(network_id=net.id, name="МАДОУ № 69", municipality="г. Томск")
    session.add_all([year, org])
    session.flush()
    tutor_user = make_user(session, "Смирнова Ольга Викторовна")
    tutor = Person(network_id=net.id, user_id=tutor_user.id, full_name=tutor_user.name, is_tutor=True,
                   organization_id=org.id)
    session.add(tutor)
    topic_rows = [Topic(network_id=net.id, name=f"Тема {i + 1}") for i in range(topics)]
    session.add_all(topic_rows)
    survey = Survey(network_id=net.id, year_id=year.id, title="Анкета потребностей", kind="needs", status="open")
    session.add(survey)
    session.flush()
    section = SurveySection(survey_id=survey.id, title="Потребности")
    session.add(section)
    session.flush()
    question = SurveyQuestion(survey_id=survey.id, section_id=section.id, type="topic_matrix", text="Затруднения")
    session.add(question)
    session.flush()
    world = World(net.id, year.id, org.id, tutor.id, tutor_user.id, survey.id, question.id,
                  topics=[t.id for t in topic_rows])
    for i in range(teachers):
        add_teacher(session, world, f"Педагог {i + 1:02d}")
    session.commit()
    return world


def add_teacher(session, world: World, name: str) -> int:
    user = make_user(session, name)
    person = Person(network_id=world.network_id, user_id=user.id, full_name=name, organization_id=world.org_id)
    session.add(person)
    session.flush()
    world.teachers.append(person.id)
    world.teacher_users.append(user.id)
    return person.id


def set_needs(session, world: World, person_id: int, ratings: dict[int, int]) -> None:
    """The person answers the needs survey: {topic index: rating 1..5} (need = (rating - 1) / 4)."""
    response = SurveyResponse(survey_id=world.survey_id, person_id=person_id, role="teacher",
                              submitted_at=datetime(2025, 9, 15, tzinfo=timezone.utc))
    session.add(response)
    session.flush()
    for index, rating in ratings.items():
        session.add(SurveyAnswer(response_id=response.id, question_id=world.question_id,
                                 topic_id=world.topics[index], rating=rating))
    session.flush()


def add_offering(session, world: World, topic_index: int, form: str = "tutorial", capacity: int | None = 2,
                 title: str | None = None) -> int:
    o = Offering(network_id=world.network_id, year_id=world.year_id, topic_id=world.topics[topic_index], form=form,
                 person_id=world.tutor_id, capacity=capacity, title=title or f"{form} {topic_index}",
                 starts_on=date(2025, 10, 1), ends_on=date(2025, 12, 1))
    session.add(o)
    session.flush()
    world.offerings.append(o.id)
    return o.id
