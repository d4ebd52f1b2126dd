"""Demo data of the resource map: an association like Tomsk's preschool one (domain.md), invented people.

Emails are deterministic: `<first name>.<surname>@dou<N>.example.ru` in Latin letters (a digit is
added on a clash), so a demo LMS roster built from `demo_people()` matches persons by email.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..core.school_years import demo_calendar
from . import map_entries, services
from .catalog import FORMS

DOU_NUMBERS = (1, 2, 8, 9, 11, 13, 15, 19, 21, 22, 28, 33, 38, 40, 44, 48, 50, 51, 54, 57, 60, 62, 63, 66, 69,
               73, 76, 79, 82, 83, 85, 86, 94, 95, 99, 100, 103, 104, 116, 135)
# (municipality, latitude, longitude, spread in degrees, streets)
PLACES = (
    ("г. Томск", 56.484, 84.948, 0.05, ("пр. Ленина", "ул. Учебная", "ул. Киевская", "пр. Фрунзе",
                                        "ул. Иркутский тракт", "ул. Сибирская", "ул. Красноармейская")),
    ("г. Северск", 56.603, 84.880, 0.015, ("ул. Победы", "пр. Коммунистический", "ул. Курчатова")),
    ("Томский район", 56.520, 85.080, 0.08, ("ул. Школьная", "ул. Центральная", "ул. Новая")),
)
F_NAMES = ("Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Марина", "Юлия", "Екатерина",
           "Людмила", "Галина", "Надежда", "Оксана", "Виктория", "Дарья", "Ксения", "Евгения", "Лариса", "Вера")
PATRONYMS = ("Александровна", "Сергеевна", "Викторовна", "Николаевна", "Петровна", "Юрьевна", "Владимировна",
             "Ивановна", "Михайловна", "Геннадьевна", "Олеговна", "Анатольевна")
SURNAMES = ("Иванова", "Петрова", "Смирнова", "Кузнецова", "Соколова", "Попова", "Лебедева", "Козлова",
            "Новикова", "Морозова", "Волкова", "Васильева", "Зайцева", "Павлова", "Семёнова", "Голубева",
            "Виноградова", "Богданова", "Фёдорова", "Михайлова", "Беляева", "Тарасова", "Белова", "Комарова",
            "Орлова", "Макарова", "Андреева", "Ильина", "Гусева", "Титова", "Баранова", "Куликова", "Степанова")
POSITIONS = ("воспитатель", "старший воспитатель", "учитель-логопед", "педагог-психолог", "музыкальный руководитель",
             "инструктор по физической культуре")
CLUSTERS = (("ММК «Математическое развитие дошкольников»", "Математическое развитие дошкольников"),
            ("ММК «Экологическое воспитание»", "Экологическое воспитание"),
            ("ММК «Раннее обучение английскому языку»", "Раннее обучение английскому языку"))
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                      "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya")))


def lower_first(name: str) -> str:
    """A topic name after a colon: its first letter lower-case, unless the first word is an acronym
    («ИКТ в работе…», «НОД …» stay as they are; «(РППС)» inside is never touched)."""
    first = name.split(maxsplit=1)[0] if name else ""
    if len(first) > 1 and first.isupper():
        return name
    return name[:1].lower() + name[1:]


def translit(text: str) -> str:
    """Latin letters for an email address."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def demo_people(rng: random.Random, dou_numbers=DOU_NUMBERS, count: int = 140) -> list[dict]:
    """Invented people: full name, email, kindergarten number; the first 60 are tutors."""
    people, used = [], set()
    for index in range(count):
        first, patronym, surname = rng.choice(F_NAMES), rng.choice(PATRONYMS), rng.choice(SURNAMES)
        dou = dou_numbers[index % len(dou_numbers)]
        local, n = f"{translit(first)}.{translit(surname)}", 1
        while f"{local}{n if n > 1 else ''}@dou{dou}" in used:
            n += 1
        email = f"{local}{n if n > 1 else ''}@dou{dou}.example.ru"
        used.add(email.removesuffix(".example.ru"))
        people.append({"full_name": f"{surname} {first} {patronym}", "email": email, "dou": dou,
                       "is_tutor": index < 60})
    return people


def load_demo(session: Session, network_id: int, rng: random.Random, today: date | None = None) -> None:
    """Create the demo association's map for the school year holding `today` (current)."""
    cal = demo_calendar(today)
    year = services.save_year(session, network_id, title=cal.title, starts_on=cal.starts_on,
                              ends_on=cal.ends_on, is_current=True)
    services.seed_topics(session, network_id)
    topics = {t.name: t for t in services.list_topics(session, network_id)}
    orgs = {}
    for index, number in enumerate(DOU_NUMBERS):
        municipality, lat, lon, spread, streets = PLACES[0 if index < 30 else 1 if index < 35 else 2]
        orgs[number] = services.save_organization(
            session, network_id, name=f"МАДОУ № {number}" + (" г. Томска" if index < 30 else ""), number=str(number),
            municipality=municipality, address=f"{rng.choice(streets)}, {rng.randint(1, 120)}",
            latitude=round(lat + rng.uniform(-spread, spread), 5), longitude=round(lon + rng.uniform(-spread, spread) * 1.6, 5))
    people = [services.save_person(session, network_id, full_name=p["full_name"], email=p["email"],
                                   organization_id=orgs[p["dou"]].id, position=rng.choice(POSITIONS),
                                   is_tutor=p["is_tutor"], experience_years=rng.randint(3, 30) if p["is_tutor"] else rng.randint(0, 10))
              for p in demo_people(rng)]
    tutors = [p for p in people if p.is_tutor]
    clusters = []
    for index, (name, topic_name) in enumerate(CLUSTERS):
        members = rng.sample(tutors, 6) + rng.sample(people[60:], 4)
        member_orgs = sorted({m.organization_id for m in members})
        clusters.append(map_entries.save_cluster(session, network_id, name=name, topic_id=topics[topic_name].id,
                                              coordinator_id=members[0].id, organization_ids=member_orgs,
                                              person_ids=[m.id for m in members],
                                              description="Команда педагогов-профессионалов с результативным опытом по теме."))
    site = map_entries.save_internship_site(session, network_id, organization_id=orgs[69].id,
                                         topic_id=topics["Духовно-нравственное воспитание"].id, year_id=year.id)
    _offerings(session, network_id, year, topics, tutors, orgs, clusters, site, rng)


def _offerings(session, network_id, year, topics, tutors, orgs, clusters, site, rng) -> None:
    """About 150 offerings; a few topics are left without a provider, as in a real first draft."""
    covered = list(topics.values())[:-3]
    forms = [f for f in FORMS if f != "internship"]
    for _n in range(4):
        map_entries.save_offering(session, network_id, year_id=year.id, topic_id=site.topic_id, form="internship",
                               provider_kind="internship_site", provider_id=site.id, capacity=8,
                               title=f"Стажировка «Духовно-нравственное воспитание дошкольников», модуль {_n + 1}")
    for cluster in clusters:
        for form in ("problem_group", "immersion_seminar", "master_class"):
            map_entries.save_offering(session, network_id, year_id=year.id, topic_id=cluster.topic_id, form=form,
                                   provider_kind="cluster", provider_id=cluster.id, capacity=rng.choice((12, 15, 20)),
                                   schedule="каждый второй вторник месяца, 14:00")
    for index in range(137):
        topic, form = rng.choice(covered), rng.choice(forms)
        by_org = form in ("open_demo", "open_day") or index % 5 == 0
        provider_kind, provider_id = ("organization", rng.choice(list(orgs.values())).id) if by_org \
            else ("person", rng.choice(tutors).id)
        starts = year.starts_on + timedelta(days=rng.randint(0, 270))
        map_entries.save_offering(session, network_id, year_id=year.id, topic_id=topic.id, form=form,
                               provider_kind=provider_kind, provider_id=provider_id,
                               title=f"{FORMS_RU_TITLES.get(form, 'Занятие')}: {lower_first(topic.name)}",
                               capacity=rng.choice((None, 10, 12, 15, 20, 25)), starts_on=starts,
                               delivery=rng.choice(("in_person", "in_person", "online", "mixed")))


FORMS_RU_TITLES = {"consultation": "Консультация", "tutorial": "Тьюториал", "master_class": "Мастер-класс",
                   "immersion_seminar": "Семинар-погружение", "open_demo": "Открытый показ",
                   "problem_group": "Проблемно-творческая группа", "training": "Тренинг",
                   "expert_review": "Экспертиза практики", "open_day": "День открытых дверей"}
