"""Demo data: the current year's needs assessment with ~120 responses, two paired self-assessment
runs and the resources survey, answered on days before today (the last two stay open).

Runs after the resource map's loader and answers as the network's existing people (it creates no
people or topics of its own). Answers go through `answering.submit`, the same path as the web form.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Person
from ..core.school_years import current_year, demo_calendar
from . import answering, audience, services, templates_ru
from .models import Survey, SurveyResponse

NEEDS_RESPONSES = 120
SELF_ASSESSMENT_RESPONSES = 80
RESOURCE_RESPONSES = 40
# What a teacher offers colleagues, by form (the resources survey's first offer).
OFFER_TITLES = {"master_class": "Мастер-класс «{topic}: из опыта работы»", "tutorial": "Тьюториал «{topic} в практике ДОО»",
                "consultation": "Консультация «{topic}: ответы на вопросы»",
                "open_demo": "Открытый показ: {topic}"}


def load_demo(session: Session, network_id: int, rng: random.Random, today: date | None = None) -> None:
    """Create the demo surveys and responses of one network in its current year, dated before `today`."""
    cal = demo_calendar(today)
    year = current_year(session, network_id)
    year_id = year.id if year is not None else None

    def day(fraction: float) -> datetime:
        return datetime.combine(cal.past(fraction), time(10, 0), tzinfo=timezone.utc)
    people = list(session.scalars(sa.select(Person).where(Person.network_id == network_id, Person.retired_at.is_(None))
                                  .order_by(Person.id)))
    topics = [t.id for t in services.active_topics(session, network_id)]
    # Each teacher has a few topics they struggle with; the same latent profile drives all three surveys.
    hard = {p.id: set(rng.sample(topics, k=min(len(topics), rng.randint(2, 5)))) for p in people}

    needs = templates_ru.needs_assessment(session, network_id, year_id)
    _run(session, needs, rng.sample(people, k=min(NEEDS_RESPONSES, len(people))), topics, rng,
         lambda p, t: _need_rating(rng, t in hard[p.id]), day(0.02), cal.today)
    start = templates_ru.self_assessment(session, network_id, year_id, stage="start")
    end = templates_ru.self_assessment(session, network_id, year_id, stage="end")
    # The self-assessment asks the teachers (its audience): with 80 teachers, the panel is all of them.
    asked = audience.members(audience.load_people(session, network_id), audience.audience_of(start))
    panel = rng.sample([p for p in people if p.id in asked], k=min(SELF_ASSESSMENT_RESPONSES, len(asked)))
    level: dict[tuple, int] = {}

    def first(p: Person, key) -> int:
        return level.setdefault((p.id, key), 2 if key in hard[p.id] else rng.randint(2, 4))
    _run(session, start, panel, topics, rng, first, day(0.05), cal.today)
    # The end-of-year run stays open, so a demo teacher outside the panel has a survey to answer.
    _run(session, end, panel, topics, rng, lambda p, key: min(5, first(p, key) + rng.choice((0, 1, 1, 2))),
         day(0.9), cal.today, close=False)
    # The resources survey stays open: its offers wait for the methodist, its "yes" answers are the
    # commission's candidates, and the demo teacher has a survey to answer.
    resources = templates_ru.resource_survey(session, network_id, year_id)
    _run(session, resources, rng.sample(people, k=min(RESOURCE_RESPONSES, len(people))), topics, rng,
         lambda p, key: rng.randint(3, 5), day(0.08), cal.today, close=False,
         extra=lambda survey, person, values: _offer(survey, person, values, hard, rng))


def _need_rating(rng: random.Random, hard: bool) -> int:
    return rng.choice((4, 5, 5)) if hard else rng.choice((1, 1, 2, 2, 3))


def _run(session: Session, survey: Survey, people: list[Person], topics: list[int], rng: random.Random,
         rating, day: datetime, today: date, close: bool = True, extra=None) -> None:
    """Open the survey, submit one response per person, date the responses (a few days from `day`,
    never after `today`) and (usually) close it."""
    services.set_status(session, survey, "open")
    for person in people:
        values = _values(survey, person, topics, rng, rating)
        if extra is not None:
            extra(survey, person, values)
        answering.submit(session, survey, person, values, topics, "tutor" if person.is_tutor else "teacher")
    latest = datetime.combine(today, time(9, 0), tzinfo=timezone.utc)
    session.execute(sa.update(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                    .values(submitted_at=min(latest, day + timedelta(days=rng.randint(0, 10)))))
    if close:
        survey.status = "closed"
    session.flush()


def _values(survey: Survey, person: Person, topics: list[int], rng: random.Random, rating) -> dict:
    """Plausible form values for every question of a template survey."""
    values: dict[str, list[str]] = {}
    for q in answering.ordered_questions(survey):
        key = f"q{q.id}"
        if q.type == "topic_matrix":
            values.update({f"{key}_t{t}": [str(rating(person, t))] for t in topics})
        elif q.type == "single":
            values[key] = [str(rng.choice(q.options).id)]
        elif q.type == "multiple":
            values[key] = [str(o.id) for o in rng.sample(q.options, k=rng.randint(1, min(3, len(q.options))))]
        elif q.type == "likert":
            values[key] = [str(rating(person, q.topic_id or q.code))]
        elif q.type == "number":
            values[key] = [str(person.experience_years if person.experience_years is not None else rng.randint(1, 30))]
        elif q.code == "organization":
            values[key] = [person.organization.name if person.organization else "—"]
        elif q.required:
            values[key] = ["—"]
        elif rng.random() < 0.3:
            values[key] = [rng.choice(("Больше практических занятий", "Хотелось бы мастер-классов по ИКТ",
                                       "Нужна помощь в подготовке к аттестации", "Спасибо за поддержку!"))]
    return values


def _offer(survey: Survey, person: Person, values: dict, hard: dict[int, set], rng: random.Random) -> None:
    """A plausible resources answer: tutors are ready, a third of teachers too; the ready ones offer an
    event on a topic they are strong at; nobody fills the second offer."""
    by_code = {q.code: q for q in answering.ordered_questions(survey)}
    ready = person.is_tutor or rng.random() < 0.35
    choice = {o.value: o.id for o in by_code["ready_to_tutor"].options}
    values[f"q{by_code['ready_to_tutor'].id}"] = [str(choice["yes" if ready else rng.choice(("later", "no"))])]
    for n in (1, 2):
        for field in ("topic", "form", "title", "description"):
            values.pop(f"q{by_code[f'offer{n}_{field}'].id}", None)
            values.pop(f"q{by_code[f'offer{n}_{field}'].id}_other", None)
    if not ready:
        return
    strong = [o for o in by_code["offer1_topic"].options if o.topic_id not in hard[person.id]]
    topic = rng.choice(strong or by_code["offer1_topic"].options)
    form = rng.choice([o for o in by_code["offer1_form"].options if o.value in OFFER_TITLES])
    values[f"q{by_code['offer1_topic'].id}"] = [str(topic.id)]
    values[f"q{by_code['offer1_form'].id}"] = [str(form.id)]
    values[f"q{by_code['offer1_title'].id}"] = [OFFER_TITLES[form.value].format(topic=topic.text)]
    values[f"q{by_code['offer1_description'].id}"] = ["Делюсь приёмами, которые работают в моей группе; "
                                                     "покажу материалы и разберём вопросы коллег."]
