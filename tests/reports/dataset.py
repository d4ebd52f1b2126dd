"""A small fixed network whose yearly report is computed by hand in the tests.

Year 2025/2026 = [2025-09-01, 2026-08-31]. People (organization):
  A tutor (O1), B tutor (O2), C not flagged a tutor but leads E3 (O3),
  t1, t2 (O1), t3 (O2), t4 (O3), t5 (no organization), t6 (O4) — teachers.
Events (status; sessions; leaders; marks per session):
  E1 tutorial, topic Eco, host O1, held, best practice; 2025-09-01 (start boundary), 2025-09-15;
     lead A; t1 present/absent, t2 late/present, t3 absent/absent, B present/—.
  E2 master class, topic Math, host O3, from cluster Math's offering, published; 2025-10-10;
     lead B, t1 only assigned to grade; t1, t3, t4 present; t5 excused, then cancelled.
  E3 consultation, no topic, no host, held; 2026-08-31 (end boundary); lead C; t4, t2 present.
  E4 tutorial, Eco, host O1, published; 2026-09-01 (the day after the end); t6 present.
  E5 cancelled; 2025-10-20; t1 present.    E6 draft; 2025-11-01; t2 present.
  E7 tutorial, held; first session 2025-08-31 (the day before the start), then 2025-09-02; t5 present at the 2nd.
Clusters: Math (O2; person B) with an offering; Eco (O1); Old (retired 2025-06-01).
Internship sites: O1 on Eco, active; O2 on Math, only applied.
Another network holds an event in the period with attendance, and a cluster.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime

from lti_tool.core.accounts import Network
from lti_tool.core.reference import AcademicYear, Organization, Person, Topic
from lti_tool.events import services as events
from lti_tool.events import signup
from lti_tool.events.models import Attendance, EventMeeting, Participant
from lti_tool.resource_map.models import Cluster, InternshipSite, Offering

YEAR_START, YEAR_END = date(2025, 9, 1), date(2026, 8, 31)


@dataclass
class Data:
    network_id: int
    other_network_id: int
    year_id: int
    people: dict[str, int] = field(default_factory=dict)
    orgs: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    clusters: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    other_cluster_id: int = 0


def _network(session, name: str) -> tuple[Network, AcademicYear]:
    net = Network(name=name, slug=f"net-{os.urandom(4).hex()}")
    session.add(net)
    session.flush()
    year = AcademicYear(network_id=net.id, title="2025/2026", starts_on=YEAR_START, ends_on=YEAR_END, is_current=True)
    session.add(year)
    session.flush()
    return net, year


def _event(session, net_id, year_id, title, form, *, status, dates, topic=None, host=None, offering=None,
           best=False, leaders=(), marks=()):
    """Create an event with sessions, leaders, sign-ups and marks [(person_id, [status per session or None])]."""
    event = events.create_event(session, net_id, year_id=year_id, form=form, title=title, topic_id=topic,
                                host_organization_id=host, offering_id=offering, best_practice=best)
    # Written as stored rows: E4 and E7 hold meetings outside the year on purpose (the period's
    # boundaries), which events.add_meeting refuses today.
    sessions = [EventMeeting(event_id=event.id, on_date=d) for d in dates]
    session.add_all(sessions)
    session.flush()
    for person_id, kind in leaders:
        events.set_leader(session, event, person_id, kind)
    for person_id, statuses in marks:
        participant = signup.sign_up(session, event.id, person_id, by_staff=True)
        for s, mark in zip(sessions, statuses):
            if mark:
                session.add(Attendance(session_id=s.id, participant_id=participant.id, status=mark))
    session.flush()
    event.status = status
    return event


def build(session) -> Data:
    """Arrange the data set and commit; returns the ids."""
    net, year = _network(session, "АМСТ Томск")
    eco = Topic(network_id=net.id, name="Экологическое воспитание")
    math = Topic(network_id=net.id, name="Математическое развитие дошкольников")
    orgs = {"O1": Organization(network_id=net.id, kind="kindergarten", number="№ 69", name="МАДОУ № 69"),
            "O2": Organization(network_id=net.id, kind="kindergarten", number="№ 8", name="МАДОУ № 8"),
            "O3": Organization(network_id=net.id, kind="school", number="№ 5", name="МАОУ СОШ № 5"),
            "O4": Organization(network_id=net.id, kind="kindergarten", number="№ 11", name="МАДОУ № 11")}
    session.add_all([eco, math, *orgs.values()])
    session.flush()
    spec = {"A": ("O1", True), "B": ("O2", True), "C": ("O3", False), "t1": ("O1", False), "t2": ("O1", False),
            "t3": ("O2", False), "t4": ("O3", False), "t5": (None, False), "t6": ("O4", False)}
    people = {}
    for key, (org, tutor) in spec.items():
        people[key] = Person(network_id=net.id, full_name=f"Педагог {key}", is_tutor=tutor,
                             organization_id=orgs[org].id if org else None)
    session.add_all(people.values())
    session.flush()
    p = {k: v.id for k, v in people.items()}
    math_cluster = Cluster(network_id=net.id, name="Математический кластер", topic_id=math.id,
                           organizations=[orgs["O2"]], people=[people["B"]])
    eco_cluster = Cluster(network_id=net.id, name="Экологический кластер", topic_id=eco.id, organizations=[orgs["O1"]])
    old = Cluster(network_id=net.id, name="Старый кластер", organizations=[orgs["O3"]],
                  retired_at=datetime(2025, 6, 1))
    session.add_all([math_cluster, eco_cluster, old])
    session.flush()
    offering = Offering(network_id=net.id, year_id=year.id, topic_id=math.id, form="master_class",
                        cluster_id=math_cluster.id, title="Мастер-класс кластера")
    session.add_all([offering,
                     InternshipSite(network_id=net.id, organization_id=orgs["O1"].id, topic_id=eco.id, year_id=year.id),
                     InternshipSite(network_id=net.id, organization_id=orgs["O2"].id, topic_id=math.id,
                                    year_id=year.id, status="applied")])
    session.flush()
    n, y = net.id, year.id
    e = {}
    e["E1"] = _event(session, n, y, "Тьюториал «Экологическая тропа»", "tutorial", status="held",
                     dates=[date(2025, 9, 1), date(2025, 9, 15)], topic=eco.id, host=orgs["O1"].id, best=True,
                     leaders=[(p["A"], "lead")],
                     marks=[(p["t1"], ["present", "absent"]), (p["t2"], ["late", "present"]),
                            (p["t3"], ["absent", "absent"]), (p["B"], ["present", None])])
    e["E2"] = _event(session, n, y, "Мастер-класс «Математика в игре»", "master_class", status="published",
                     dates=[date(2025, 10, 10)], topic=math.id, host=orgs["O3"].id, offering=offering.id,
                     leaders=[(p["B"], "lead"), (p["t1"], "assigned")],
                     marks=[(p["t1"], ["present"]), (p["t3"], ["present"]), (p["t4"], ["present"]),
                            (p["t5"], ["excused"])])
    cancelled = session.query(Participant).filter_by(event_id=e["E2"].id, person_id=p["t5"]).one()
    signup.cancel(session, cancelled.id)
    e["E3"] = _event(session, n, y, "Консультация по запросу", "consultation", status="held",
                     dates=[YEAR_END], leaders=[(p["C"], "lead")],
                     marks=[(p["t4"], ["present"]), (p["t2"], ["present"])])
    e["E4"] = _event(session, n, y, "Тьюториал следующего года", "tutorial", status="published",
                     dates=[date(2026, 9, 1)], topic=eco.id, host=orgs["O1"].id, leaders=[(p["A"], "lead")],
                     marks=[(p["t6"], ["present"])])
    e["E5"] = _event(session, n, y, "Отменённый семинар", "immersion_seminar", status="cancelled",
                     dates=[date(2025, 10, 20)], marks=[(p["t1"], ["present"])])
    e["E6"] = _event(session, n, y, "Черновик", "training", status="draft",
                     dates=[date(2025, 11, 1)], marks=[(p["t2"], ["present"])])
    e["E7"] = _event(session, n, y, "Тьюториал прошлого года", "tutorial", status="held",
                     dates=[date(2025, 8, 31), date(2025, 9, 2)], topic=eco.id, host=orgs["O2"].id,
                     marks=[(p["t5"], [None, "present"])])
    other, other_year = _network(session, "Другая сеть")
    o_org = Organization(network_id=other.id, name="ДОО другой сети")
    session.add(o_org)
    session.flush()
    stranger = Person(network_id=other.id, full_name="Чужой педагог", organization_id=o_org.id, is_tutor=True)
    session.add(stranger)
    o_cluster = Cluster(network_id=other.id, name="Чужой кластер", organizations=[o_org])
    session.add(o_cluster)
    session.flush()
    _event(session, other.id, other_year.id, "Чужой тьюториал", "tutorial", status="held", host=o_org.id,
           dates=[date(2025, 12, 1)], leaders=[(stranger.id, "lead")], best=True,
           marks=[(stranger.id, ["present"])])
    session.commit()
    return Data(n, other.id, y, p, {k: v.id for k, v in orgs.items()}, {k: v.id for k, v in e.items()},
                {"math": math_cluster.id, "eco": eco_cluster.id, "old": old.id},
                {"eco": eco.id, "math": math.id}, o_cluster.id)
