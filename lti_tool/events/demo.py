"""Demo events of a Tomsk-like preschool association in the school year holding today: 25 events.

Relative to `today` (`core.school_years.demo_calendar`): the first two tutorials are running (one
meeting held and graded, one to come), the last few events are upcoming (sign-ups open, some people
signed up), and the rest are held before today — graded, with protocols — so that their attendances
make about 797 in a year seen from its end. Runs after `lti_tool/resource_map/demo.py` and uses its
year, topics, organizations, people and offerings; whatever is missing (the loader run alone) is
created with invented names.
"""
from __future__ import annotations

import random
from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear, Organization, Person, Topic
from ..core.school_years import DemoCalendar, demo_calendar
from ..resource_map.catalog import SEED_TOPICS_RU
from ..resource_map.models import Offering
from . import grading, protocol, services, signup
from .grading import Mark
from .models import Event
from .technologies import TECHNOLOGIES

TARGET_ATTENDANCES = 797
# (form, title, sessions); 25 events as in the seed year
PLAN = [
    ("tutorial", "Тьюториал «Математика в детском саду: логические игры»", 2),
    ("tutorial", "Тьюториал «Экологическая тропа ДОО»", 2),
    ("tutorial", "Тьюториал «Раннее обучение английскому: игровые приёмы»", 2),
    ("tutorial", "Тьюториал «Проектирование педагогического проекта»", 2),
    ("tutorial", "Тьюториал «ИКТ в работе с дошкольниками»", 2),
    ("tutorial", "Тьюториал «Планирование и анализ НОД»", 2),
    ("tutorial", "Тьюториал «Развивающая предметно-пространственная среда»", 2),
    ("tutorial", "Тьюториал «Поддержка детской инициативы»", 2),
    ("consultation", "Групповая консультация «Индивидуальный маршрут педагога»", 1),
    ("consultation", "Консультация «Портфолио педагога»", 1),
    ("consultation", "Консультация «Взаимодействие с семьями воспитанников»", 1),
    ("consultation", "Консультация «Подготовка к аттестации»", 1),
    ("consultation", "Консультация «Самообразование педагога»", 1),
    ("master_class", "Мастер-класс «Лэпбук как средство познавательного развития»", 1),
    ("master_class", "Мастер-класс «Театр на столе»", 1),
    ("master_class", "Мастер-класс «Нетрадиционные техники рисования»", 1),
    ("master_class", "Мастер-класс «Музейная педагогика в ДОО»", 1),
    ("master_class", "Мастер-класс «Робототехника для дошкольников»", 1),
    ("immersion_seminar", "Семинар-погружение «Духовно-нравственное воспитание» (стажировочная площадка МАДОУ № 69)", 2),
    ("open_demo", "Открытый показ НОД «Познавательно-исследовательская деятельность»", 1),
    ("open_demo", "Открытый показ «Совместная деятельность детей и взрослых»", 1),
    ("problem_group", "Заседание проблемно-творческой группы «Речевое развитие»", 1),
    ("problem_group", "Заседание проблемно-творческой группы «Двигательная активность»", 1),
    ("training", "Тренинг «Эмоциональное выгорание: профилактика»", 1),
    ("open_day", "День открытых дверей в МАДОУ № 69", 1),
]
FAMILY = ["Иванова", "Петрова", "Сидорова", "Кузнецова", "Смирнова", "Попова", "Васильева", "Соколова",
          "Михайлова", "Новикова", "Фёдорова", "Морозова", "Волкова", "Алексеева", "Лебедева", "Семёнова"]
GIVEN = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Екатерина"]
PATRONYMIC = ["Александровна", "Сергеевна", "Владимировна", "Викторовна", "Николаевна", "Петровна"]


RUNNING = (0, 1)  # the mathematics and ecology tutorials: one meeting held, one to come
MIN_UPCOMING = 5


def load_demo(session: Session, network_id: int, rng: random.Random, today: date | None = None) -> None:
    """Create the year's events with meetings, leaders, participants, grades and protocols."""
    cal = demo_calendar(today)
    year = _year(session, network_id, cal)
    topics = _topics(session, network_id)
    orgs = list(session.scalars(sa.select(Organization).where(Organization.network_id == network_id)))
    site = next((o for o in orgs if o.number and "69" in o.number), orgs[0] if orgs else None)
    tutors, teachers = _people(session, network_id, rng, orgs)
    offerings = list(session.scalars(sa.select(Offering).where(Offering.network_id == network_id,
                                                               Offering.year_id == year.id)))
    for form in ("tutorial", "consultation", "master_class", "immersion_seminar"):
        services.set_scale(session, network_id, form, kind="points", max_points=10, rubric=[
            {"score": 10, "descriptor": "Активно участвует, предлагает собственные решения"},
            {"score": 6, "descriptor": "Участвует в групповой работе"},
            {"score": 2, "descriptor": "Присутствует, не включается в работу"}])
    sizes = _participant_counts(rng)
    upcoming = max(MIN_UPCOMING, round(len(PLAN) * (1 - cal.share_past())))
    held = [i for i in range(len(PLAN) - upcoming) if i not in RUNNING]
    for i, ((form, title, n_sessions), size) in enumerate(zip(PLAN, sizes)):
        topic = _topic_for(title, topics, rng)
        offering = next((o for o in offerings if o.form == form and o.topic_id == topic.id), None)
        event = services.create_event(
            session, network_id, year_id=year.id, form=form, title=title, topic_id=topic.id,
            description=f"{title}. Для педагогов ДОО сети.", capacity=size + rng.choice((0, 2, 5)),
            host_organization_id=(site.id if site and ("69" in title or form == "immersion_seminar")
                                  else rng.choice(orgs).id if orgs else None),
            offering_id=offering.id if offering else None, min_sessions=1,
            min_score=6 if form == "tutorial" else None, best_practice=(i % 7 == 3),
            technologies=_technologies(i))
        event.status = "published"
        if i in RUNNING:
            days = [cal.past(0.97), cal.future(0.02)]
        elif i in held:
            last = cal.past((held.index(i) + 1) / (len(held) + 1))
            days = [max(year.starts_on, last - timedelta(days=7 * (n_sessions - 1 - k))) for k in range(n_sessions)]
        else:
            first = cal.future((i - (len(PLAN) - upcoming)) / upcoming)
            days = [min(year.ends_on, first + timedelta(days=7 * k)) for k in range(n_sessions)]
        for day in days:
            services.add_meeting(session, event, on_date=day, start_time=time(14, 30), end_time=time(16, 0),
                                 place=event.host_organization.name if event.host_organization else "ИМЦ, ауд. 12")
        for tutor in rng.sample(tutors, k=min(len(tutors), rng.choice((1, 2)))):
            services.set_leader(session, event, tutor.id, "lead")
        signed = size if i in held or i in RUNNING else size // 2
        people = rng.sample(teachers, k=min(signed, len(teachers)))
        parts = [signup.sign_up(session, event.id, p.id, by_staff=True) for p in people]
        if i in held:
            _grade(session, event, event.sessions, parts, graded=(i % 3 != 2), rng=rng, today=cal.today)
            services.set_status(session, event, "held")
            protocol.issue(session, event)
            protocol.add_note(session, event, "Опыт участников рекомендовать к распространению в сети АМСТ.")
        elif i in RUNNING:
            _grade(session, event, [m for m in event.sessions if m.on_date <= cal.today], parts, graded=True, rng=rng,
                   today=cal.today)
    session.flush()


def _technologies(i: int) -> list[str]:
    """One or two methods per event, spread over the catalogue (no draw from `rng`: the rest of the demo
    stays as it was)."""
    codes = list(TECHNOLOGIES)
    first = codes[(i * 3) % len(codes)]
    return [first] if i % 3 == 0 else [first, codes[(i * 3 + 4) % len(codes)]]


def _grade(session: Session, event: Event, meetings, parts, *, graded: bool, rng: random.Random,
           today: date) -> None:
    for s in meetings:
        marks = []
        for p in parts:
            status = "present" if rng.random() < 0.93 else "late"
            marks.append(Mark(p.id, status, float(rng.randint(5, 10)) if graded else None))
        grading.grade_meeting(session, s, marks, graded_by_id=None, today=today)


def _participant_counts(rng: random.Random) -> list[int]:
    """Participants per event so that sessions × participants sums to TARGET_ATTENDANCES."""
    sizes = [rng.randint(14, 30) for _ in PLAN]
    weights = [n for _f, _t, n in PLAN]
    total = sum(s * w for s, w in zip(sizes, weights))
    i = 0
    while total != TARGET_ATTENDANCES and i < 10000:
        j = i % len(PLAN)
        step = weights[j] if total < TARGET_ATTENDANCES else -weights[j]
        if (total < TARGET_ATTENDANCES and total + step <= TARGET_ATTENDANCES or
                total > TARGET_ATTENDANCES and total + step >= TARGET_ATTENDANCES) and 8 <= sizes[j] + (step // weights[j]) <= 40:
            sizes[j] += step // weights[j]
            total += step
        i += 1
    return sizes


def _year(session: Session, network_id: int, cal: DemoCalendar) -> AcademicYear:
    year = session.scalar(sa.select(AcademicYear).where(AcademicYear.network_id == network_id,
                                                        AcademicYear.title == cal.title))
    if year is None:
        year = AcademicYear(network_id=network_id, title=cal.title, starts_on=cal.starts_on,
                            ends_on=cal.ends_on, is_current=True)
        session.add(year)
        session.flush()
    return year


def _topics(session: Session, network_id: int) -> list[Topic]:
    topics = list(session.scalars(sa.select(Topic).where(Topic.network_id == network_id)))
    if not topics:
        topics = [Topic(network_id=network_id, name=name) for name in SEED_TOPICS_RU]
        session.add_all(topics)
        session.flush()
    return topics


def _topic_for(title: str, topics: list[Topic], rng: random.Random) -> Topic:
    """The topic whose first word appears in the title, else a random one."""
    lowered = title.lower()
    for topic in topics:
        if topic.name.split()[0].lower()[:6] in lowered:
            return topic
    return rng.choice(topics)


def _people(session: Session, network_id: int, rng: random.Random, orgs) -> tuple[list[Person], list[Person]]:
    people = list(session.scalars(sa.select(Person).where(Person.network_id == network_id,
                                                          Person.retired_at.is_(None)).order_by(Person.id)))
    tutors = [p for p in people if p.is_tutor]
    teachers = [p for p in people if not p.is_tutor]
    while len(tutors) < 8 or len(teachers) < 45:
        is_tutor = len(tutors) < 8
        person = Person(network_id=network_id, is_tutor=is_tutor, position="воспитатель",
                        full_name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {rng.choice(PATRONYMIC)}",
                        organization_id=rng.choice(orgs).id if orgs else None)
        session.add(person)
        (tutors if is_tutor else teachers).append(person)
    session.flush()
    return tutors, teachers
