"""A network with two school years: 2024/2025 (past) and 2025/2026 (current), events in four states,
an offering map and surveys of the current year."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from lti_tool.core.accounts import Network
from lti_tool.core.reference import AcademicYear, Organization, Person, Topic
from lti_tool.events.models import Event, EventMeeting, Participant
from lti_tool.resource_map.models import InternshipSite, Offering


@dataclass
class World:
    network_id: int
    past: int
    current: int
    topics: list[int]
    people: list[int]
    events: dict[str, int]
    offerings: dict[str, int]


def _event(session, network_id, year_id, title, form, status, dates, topic=None, signed=()):
    event = Event(network_id=network_id, year_id=year_id, title=title, form=form, status=status, topic_id=topic)
    session.add(event)
    session.flush()
    session.add_all([EventMeeting(event_id=event.id, on_date=d) for d in dates])
    session.add_all([Participant(event_id=event.id, person_id=p) for p in signed])
    session.flush()
    return event.id


@pytest.fixture
def world(db_session) -> World:
    s = db_session
    net = Network(name="АМСТ", slug=f"net-{os.urandom(4).hex()}")
    s.add(net)
    s.flush()
    past = AcademicYear(network_id=net.id, title="2024/2025", starts_on=date(2024, 9, 1), ends_on=date(2025, 8, 31))
    current = AcademicYear(network_id=net.id, title="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31),
                           is_current=True)
    eco, speech, old = (Topic(network_id=net.id, name=n) for n in ("Экологическое воспитание", "Развитие речи", "Старая"))
    old.retired_at = datetime(2025, 1, 1)
    org = Organization(network_id=net.id, name="МАДОУ № 69")
    s.add_all([past, current, eco, speech, old, org])
    s.flush()
    people = [Person(network_id=net.id, full_name=f"Тьютор {i}", is_tutor=True, organization_id=org.id) for i in range(3)]
    s.add_all(people)
    s.flush()
    people[2].retired_at = datetime(2025, 6, 1)
    site = InternshipSite(network_id=net.id, organization_id=org.id, topic_id=eco.id, year_id=current.id)
    closed = InternshipSite(network_id=net.id, organization_id=org.id, topic_id=speech.id, year_id=current.id,
                            status="closed")
    s.add_all([site, closed])
    s.flush()
    y = current.id
    offerings = {
        "eco": Offering(network_id=net.id, year_id=y, topic_id=eco.id, form="tutorial", person_id=people[0].id,
                        title="Экологическая тропа", starts_on=date(2025, 10, 1), ends_on=date(2026, 2, 28)),
        "speech": Offering(network_id=net.id, year_id=y, topic_id=speech.id, form="master_class",
                           person_id=people[1].id, title="Речевые игры", capacity=15),
        "site": Offering(network_id=net.id, year_id=y, topic_id=eco.id, form="internship", internship_site_id=site.id),
        "closed_site": Offering(network_id=net.id, year_id=y, topic_id=speech.id, form="internship",
                                internship_site_id=closed.id),
        "retired_tutor": Offering(network_id=net.id, year_id=y, topic_id=eco.id, form="consultation",
                                  person_id=people[2].id),
        "retired_topic": Offering(network_id=net.id, year_id=y, topic_id=old.id, form="consultation",
                                  person_id=people[0].id),
    }
    s.add_all(offerings.values())
    s.flush()
    events = {
        "held": _event(s, net.id, y, "Тьюториал «Экотропа»", "tutorial", "held", [date(2025, 9, 20)], eco.id,
                       signed=[people[1].id]),
        "started": _event(s, net.id, y, "Мастер-класс в октябре", "master_class", "published",
                          [date(2025, 10, 5), date(2025, 12, 5)], speech.id),
        "planned": _event(s, net.id, y, "Тьюториал в декабре", "tutorial", "published", [date(2025, 12, 10)], eco.id),
        "draft": _event(s, net.id, y, "Черновик тренинга", "training", "draft", [date(2025, 12, 12)]),
        "cancelled": _event(s, net.id, y, "Отменённый семинар", "immersion_seminar", "cancelled", [date(2025, 11, 3)]),
        "undated": _event(s, net.id, y, "Консультация без даты", "consultation", "published", []),
        "last_year": _event(s, net.id, past.id, "Прошлогодний тьюториал", "tutorial", "held", [date(2025, 3, 3)]),
    }
    s.commit()
    return World(net.id, past.id, current.id, [eco.id, speech.id, old.id], [p.id for p in people], events,
                 {k: v.id for k, v in offerings.items()})
