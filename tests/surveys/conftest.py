"""Surveys fixtures: a small network (topics, organizations, a cluster, people) and survey builders."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from lti_tool.core.accounts import Network, User
from lti_tool.core.reference import Organization, Person, Topic
from lti_tool.resource_map.models import Cluster
from lti_tool.surveys import services
from lti_tool.surveys.builder import QuestionData, add_question


@dataclass
class Net:
    """Ids of the arranged network."""

    id: int
    topics: list[int]
    orgs: list[int]
    cluster: int
    people: list[Person]


@pytest.fixture
def net(db_session) -> Net:
    """Network with 3 topics, 2 kindergartens (the first in a cluster) and 6 people, each with a user."""
    session = db_session
    network = Network(name="АМСТ", slug="amst")
    session.add(network)
    session.flush()
    topics = [Topic(network_id=network.id, name=name) for name in ("Экологическое воспитание", "Развитие речи", "ИКТ")]
    orgs = [Organization(network_id=network.id, number=f"№ {n}", name=f"МАДОУ № {n}") for n in (69, 135)]
    session.add_all(topics + orgs)
    session.flush()
    cluster = Cluster(network_id=network.id, name="ММК экология", topic_id=topics[0].id)
    cluster.organizations.append(orgs[0])
    session.add(cluster)
    people = []
    for i in range(6):
        user = User(issuer="https://lms.test", sub=f"u{i}", name=f"Педагог {i}")
        session.add(user)
        session.flush()
        people.append(Person(network_id=network.id, user_id=user.id, full_name=f"Педагог {i}",
                             organization_id=orgs[0 if i < 4 else 1].id, is_tutor=(i == 3)))
    session.add_all(people)
    session.commit()
    return Net(network.id, [t.id for t in topics], [o.id for o in orgs], cluster.id, people)


def make_survey(session, network_id: int, questions: list[QuestionData], *, open_: bool = True, **kw):
    """A survey with one section holding `questions`, opened unless told otherwise."""
    survey = services.create_survey(session, network_id, kw.pop("title", "Анкета"), kw.pop("kind", "needs"), **kw)
    for data in questions:
        add_question(session, survey, survey.sections[0].id, data)
    if open_:
        services.set_status(session, survey, "open")
    session.commit()
    return survey


@pytest.fixture
def survey_factory(db_session, net):
    """make_survey bound to the arranged network."""
    return lambda questions, **kw: make_survey(db_session, net.id, questions, **kw)
