"""Helpers for events tests: a year, a topic, people, a course with the event placed."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, time

from lti_tool.core.accounts import Network, User
from lti_tool.core.courses import Course, Enrollment, ResourceLink
from lti_tool.core.reference import AcademicYear, Organization, Person, Topic
from lti_tool.events import services
from lti_tool.events.models import Event
from lti_tool.lti.models import Deployment, Platform


@dataclass
class World:
    """Ids of the arranged rows (objects go stale across sessions; ids do not)."""

    network_id: int
    year_id: int
    topic_id: int
    org_id: int
    course_id: int
    link_id: int
    event_id: int
    session_ids: list[int]
    tutor_person_id: int
    tutor_user_id: int
    other_tutor_person_id: int
    other_tutor_user_id: int
    methodist_user_id: int
    teachers: list[int] = field(default_factory=list)  # person ids
    teacher_users: list[int] = field(default_factory=list)  # user ids (same order)


def make_user(session, name, email=None):
    user = User(issuer="https://lms.test", sub=os.urandom(6).hex(), name=name, email=email)
    session.add(user)
    session.flush()
    return user


def make_network(session, slug=None) -> tuple[Network, AcademicYear, Topic, Organization]:
    net = Network(name="АМСТ", slug=slug or f"net-{os.urandom(4).hex()}")
    session.add(net)
    session.flush()
    year = AcademicYear(network_id=net.id, title="2025/2026", starts_on=date(2025, 9, 1),
                        ends_on=date(2026, 8, 31), is_current=True)
    topic = Topic(network_id=net.id, name="Экологическое воспитание")
    org = Organization(network_id=net.id, kind="kindergarten", number="№ 69", name="МАДОУ № 69")
    session.add_all([year, topic, org])
    session.flush()
    return net, year, topic, org


def build_world(session, *, teachers: int = 4, capacity: int | None = 10, enrolled: int | None = None) -> World:
    """Network, course with the event placed, a leading tutor, another tutor, `teachers` teachers.

    The first `enrolled` teachers (all by default) are active members of the course.
    """
    net, year, topic, org = make_network(session)
    platform = Platform(network_id=net.id, issuer="https://lms.test", client_id=os.urandom(4).hex(),
                        auth_login_url="https://lms.test/auth", auth_token_url="https://lms.test/token")
    session.add(platform)
    session.flush()
    deployment = Deployment(platform_id=platform.id, deployment_id="1", network_id=net.id)
    session.add(deployment)
    session.flush()
    course = Course(network_id=net.id, deployment_id=deployment.id, lti_context_id="c1",
                    title="Тьюторское сопровождение")
    session.add(course)
    session.flush()
    event = services.create_event(session, net.id, year_id=year.id, form="tutorial",
                                  title="Тьюториал «Экологическая тропа»", topic_id=topic.id,
                                  host_organization_id=org.id, capacity=capacity)
    event.status = "published"
    s1 = services.add_meeting(session, event, on_date=date(2025, 10, 15), start_time=time(15, 0),
                              end_time=time(16, 30), place="МАДОУ № 69, музыкальный зал")
    s2 = services.add_meeting(session, event, on_date=date(2025, 11, 12), start_time=time(15, 0),
                              end_time=time(16, 30), online_url="https://meet.example/eco")
    link = ResourceLink(course_id=course.id, lti_resource_link_id="rl-1", title=event.title,
                        target_kind="event", target_id=event.id)
    session.add(link)
    tutor_user = make_user(session, "Смирнова Ольга Викторовна")
    tutor = Person(network_id=net.id, user_id=tutor_user.id, full_name=tutor_user.name, is_tutor=True)
    other_user = make_user(session, "Козлова Анна Сергеевна")
    other = Person(network_id=net.id, user_id=other_user.id, full_name=other_user.name, is_tutor=True)
    methodist = make_user(session, "Методист Елена Ивановна")
    session.add_all([tutor, other])
    session.flush()
    services.set_leader(session, event, tutor.id, "lead")
    world = World(net.id, year.id, topic.id, org.id, course.id, link.id, event.id, [s1.id, s2.id],
                  tutor.id, tutor_user.id, other.id, other_user.id, methodist.id)
    enrolled = teachers if enrolled is None else enrolled
    for i in range(teachers):
        user = make_user(session, f"Педагог {i + 1:02d}")
        person = Person(network_id=net.id, user_id=user.id, full_name=f"Педагог {i + 1:02d}")
        session.add(person)
        session.flush()
        if i < enrolled:
            session.add(Enrollment(course_id=course.id, user_id=user.id, lti_roles=["Learner"]))
        world.teachers.append(person.id)
        world.teacher_users.append(user.id)
    session.commit()
    return world


def event_of(session, world: World) -> Event:
    return session.get(Event, world.event_id)
