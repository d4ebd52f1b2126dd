"""Demo routes: the planner run on the demo network's needs, published, with progress under way.

Runs after the resource map, surveys and events loaders (their year, offerings, needs responses and
completed events). Steps whose offering's event the teacher completed are done; others are done or
under way at random, with evidence and reflections; some teachers add publications and talks.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Person
from ..core.school_years import DemoCalendar, current_year, demo_calendar
from ..events.models import Event, EventCompletion, Participant
from ..core.clock import utcnow
from . import consultations, planning, publishing, services
from .models import Route

REFLECTIONS = (
    "Освоила новые игровые приёмы, применяю их в непосредственно образовательной деятельности.",
    "Поняла, как выстроить предметно-пространственную среду группы под задачи темы.",
    "Полезен был обмен опытом с коллегами из других ДОО; планирую открытый показ.",
    "Разработала конспект занятия по итогам тьюториала, обсудила его с тьютором.",
    "Затруднения остались в диагностике результатов — нужна консультация.",
)
GOALS = (
    "Освоить современные технологии по выбранным темам и обобщить опыт в публикации.",
    "Подготовиться к аттестации: провести открытый показ и выступить на семинаре сети.",
    "Снять затруднения в планировании НОД, выстроить систему работы с семьями воспитанников.",
)
PUBLICATIONS = ("Статья в сборнике «Тьюторское сопровождение педагогов ДОО»",
                "Методическая разработка на сайте ДОО", "Публикация в муниципальном методическом вестнике")
CONSULTATIONS = ("Планирование НОД по темам маршрута", "Подготовка открытого показа",
                 "Оформление портфолио педагога", "Работа с семьями воспитанников")
OUTCOMES = ("Составлен план на месяц", "Отобраны приёмы для открытого показа", "Определены темы публикации")
TALKS = ("Выступление на заседании тьюторского совета", "Доклад на городском методическом объединении",
         "Выступление на онлайн-форуме АМСТ")


def load_demo(session: Session, network_id: int, rng: random.Random, today: date | None = None) -> None:
    """Plan and publish the current year's routes, then record progress on them up to `today`: steps
    whose time has come are done or under way at random, later ones stay planned (routes in progress)."""
    cal = demo_calendar(today)
    year = current_year(session, network_id)
    if year is None:
        return
    settings = planning.RunSettings(steps_per_teacher=3, min_need=0.5, plan_start=year.starts_on.isoformat(),
                                    plan_end=year.ends_on.isoformat())
    run = planning.run_planner(session, network_id, year.id, settings)
    routes = publishing.publish(session, run)
    tutors = list(session.scalars(sa.select(Person).where(Person.network_id == network_id, Person.is_tutor,
                                                          Person.retired_at.is_(None)).order_by(Person.id)))
    completed = _completed_offerings(session, network_id)
    for route in routes:
        _progress(session, route, cal, tutors, completed.get(route.person_id, set()), rng)
    session.flush()


def _completed_offerings(session: Session, network_id: int) -> dict[int, set[int]]:
    """{person_id: offering ids of the events they completed}."""
    rows = session.execute(
        sa.select(Participant.person_id, Event.offering_id).join(Event, Event.id == Participant.event_id)
        .join(EventCompletion, EventCompletion.participant_id == Participant.id)
        .where(Event.network_id == network_id, EventCompletion.completed.is_(True), Event.offering_id.is_not(None)))
    result: dict[int, set[int]] = {}
    for person_id, offering_id in rows:
        result.setdefault(person_id, set()).add(offering_id)
    return result


def _when(cal: DemoCalendar, rng: random.Random) -> datetime:
    return datetime.combine(cal.past(rng.uniform(0.2, 1.0)), time(16, 0), tzinfo=timezone.utc)


def _progress(session: Session, route: Route, cal: DemoCalendar, tutors: list[Person], completed: set[int],
              rng: random.Random) -> None:
    if tutors:
        tutor_id = services.attach_tutor(session, route, rng.choice(tutors).id).tutor_id
        for _ in range(rng.choice((0, 1, 1, 2))):
            held_on = min(cal.past(rng.uniform(0.1, 1.0)), utcnow().date())
            consultations.record(session, route.network_id, tutor_id, kind="individual", held_on=held_on,
                                 subject=rng.choice(CONSULTATIONS), participant_ids=[route.person_id],
                                 minutes=rng.choice((30, 45, 60, 90)), outcome=rng.choice(OUTCOMES))
    if rng.random() < 0.5:
        route.goals = rng.choice(GOALS)
    if rng.random() < 0.3:
        services.add_self_step(session, route, "publication", rng.choice(PUBLICATIONS))
    if rng.random() < 0.25:
        services.add_self_step(session, route, "talk", rng.choice(TALKS))
    for step in route.steps:
        roll = rng.random()
        begun = step.planned_start is None or step.planned_start <= cal.today
        if step.offering_id in completed or (begun and roll < 0.4):
            step.status, step.completed_at = "done", _when(cal, rng)
            step.reflection = rng.choice(REFLECTIONS)
            step.evidence = ("Конспект и фотоотчёт в портфолио педагога" if step.kind != "self_education"
                             else f"https://dou.example.ru/metodika/{route.person_id}-{step.id or 0}")
        elif begun and roll < 0.6:
            step.status = "in_progress"
