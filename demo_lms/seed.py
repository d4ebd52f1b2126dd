"""First-run data: the demo course, a roster, the TutorNet registration and a link.

The roster is invented, or read from a JSON file (``DEMO_LMS_ROSTER``, ``--roster``) like an
LMS's bulk user upload: ``[{"given_name", "family_name", "email", "kind":
"learner|instructor|methodist", "locale"?}]``, enrolled in file order. TutorNet's
``flask demo roster PATH`` writes such a file from its demo network, so "launch as teacher" (the
first learner) lands on a person who has data in the tool.

Invented names come from common Russian first names, patronymics and surnames (deterministic
random generator, so every fresh install shows the same people). Preschool teaching staff are
mostly women, hence the weights.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from .lti import ALL_SCOPES
from .models import Course, Enrolment, ResourceLink, Tool, User

COURSE_TITLE = "Сетевое сообщество тьюторов: профессиональное развитие педагогов ДОО 2025/2026"
COURSE_LABEL = "АМСТ-ДОО-2025"

F_NAMES = ["Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Марина", "Юлия",
           "Екатерина", "Людмила", "Галина", "Валентина", "Надежда", "Оксана", "Виктория", "Любовь",
           "Дарья", "Ксения", "Алёна", "Евгения", "Лариса", "Нина", "Вера", "Маргарита"]
M_NAMES = ["Алексей", "Сергей", "Андрей", "Дмитрий", "Михаил", "Игорь", "Владимир", "Павел"]
PATRONYMS_M = ["Александрович", "Сергеевич", "Викторович", "Николаевич", "Петрович", "Юрьевич"]
PATRONYMS_F = ["Александровна", "Сергеевна", "Викторовна", "Николаевна", "Петровна", "Юрьевна",
               "Владимировна", "Ивановна", "Михайловна", "Геннадьевна", "Олеговна", "Анатольевна"]
SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов",
            "Новиков", "Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов",
            "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Беляев",
            "Тарасов", "Белов", "Комаров", "Орлов", "Киселёв", "Макаров", "Андреев", "Ковалёв",
            "Ильин", "Гусев", "Титов", "Кудрявцев", "Баранов", "Куликов", "Алексеев", "Степанов"]
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
                      "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
                      "yu", "ya"]))


def translit(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def invent_person(rng: random.Random) -> tuple[str, str]:
    """(given_name, family_name); given_name carries the patronymic as Russian Moodles often do."""
    if rng.random() < 0.9:
        return f"{rng.choice(F_NAMES)} {rng.choice(PATRONYMS_F)}", rng.choice(SURNAMES) + "а"
    return f"{rng.choice(M_NAMES)} {rng.choice(PATRONYMS_M)}", rng.choice(SURNAMES)


def add_generated_members(session: Session, course_id: int, kind: str, count: int,
                          rng: random.Random | None = None) -> list[int]:
    """Create ``count`` invented users enrolled as ``kind`` in bulk; return their ids.

    Bulk executemany inserts with explicit ids keep 10,000 members well under a second.
    """
    rng = rng or random.Random()
    start = (session.scalar(select(func.max(User.id))) or 0) + 1
    users: list[dict[str, Any]] = []
    for uid in range(start, start + count):
        given, family = invent_person(rng)
        first = translit(given.split()[0])
        users.append({
            "id": uid, "username": f"{first}.{translit(family)}.{uid}", "given_name": given,
            "family_name": family, "email": f"{first}.{translit(family)}.{uid}@dou{rng.randint(1, 135)}.example.ru",
            "locale": "ru", "idnumber": f"amst-{uid:06d}", "is_site_admin": False,
        })
    if users:
        session.execute(insert(User), users)
        session.execute(insert(Enrolment), [{"course_id": course_id, "user_id": u["id"], "kind": kind} for u in users])
    return [u["id"] for u in users]


ROSTER_KINDS = ("learner", "instructor", "noneditingteacher", "methodist")


def read_roster(path: str | Path) -> list[dict[str, str]]:
    """The users of a roster file, checked: a list of objects with names, email and a known kind."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{path}: a roster file is a non-empty JSON list of users")
    users = []
    for n, row in enumerate(rows, 1):
        missing = [k for k in ("given_name", "family_name", "email", "kind") if not (isinstance(row, dict) and row.get(k))]
        if missing:
            raise ValueError(f"{path}: user {n} lacks {', '.join(missing)}")
        if row["kind"] not in ROSTER_KINDS:
            raise ValueError(f"{path}: user {n} has kind {row['kind']!r}, expected one of {', '.join(ROSTER_KINDS)}")
        users.append({k: str(row.get(k) or "") for k in ("given_name", "family_name", "email", "kind", "locale")})
    return users


def add_roster_members(session: Session, course_id: int, users: list[dict[str, str]]) -> list[int]:
    """Create and enrol the roster file's users in file order (so the first learner is the
    course's representative teacher); return their ids."""
    start = (session.scalar(select(func.max(User.id))) or 0) + 1
    rows = [{"id": uid, "username": f"{u['email'].split('@')[0]}.{uid}", "given_name": u["given_name"],
             "family_name": u["family_name"], "email": u["email"], "locale": u["locale"] or "ru",
             "idnumber": f"amst-{uid:06d}", "is_site_admin": False}
            for uid, u in enumerate(users, start)]
    session.execute(insert(User), rows)
    session.execute(insert(Enrolment), [{"course_id": course_id, "user_id": r["id"], "kind": u["kind"]}
                                        for r, u in zip(rows, users)])
    return [r["id"] for r in rows]


def add_user(session: Session, given: str, family: str, email: str, *, username: str | None = None,
             locale: str = "ru", is_site_admin: bool = False) -> User:
    uid = (session.scalar(select(func.max(User.id))) or 0) + 1
    user = User(id=uid, username=username or f"user{uid}", given_name=given, family_name=family,
                email=email, locale=locale, idnumber=f"amst-{uid:06d}", is_site_admin=is_site_admin)
    session.add(user)
    session.flush()
    return user


def tool_urls(tool_base_url: str) -> dict[str, Any]:
    base = tool_base_url.rstrip("/")
    return {"login_url": f"{base}/lti/login", "redirect_uris": [f"{base}/lti/launch"],
            "jwks_url": f"{base}/lti/jwks", "target_link_uri": f"{base}/lti/launch",
            "deep_link_url": f"{base}/lti/launch"}


def seed(session: Session, config: dict[str, Any]) -> None:
    """Populate an empty database. Ids: admin 1 .. then methodist, 10 tutors, 80 teachers, or the
    roster file's users in its order (``DEMO_LMS_ROSTER``)."""
    if session.scalar(select(func.count(Course.id))):
        return
    roster = read_roster(config["DEMO_LMS_ROSTER"]) if config.get("DEMO_LMS_ROSTER") else None
    rng = random.Random(2025)
    admin = add_user(session, "Администратор", "Системный", "admin@lms.example.ru", username="admin",
                     is_site_admin=True)
    course = Course(label=COURSE_LABEL, title=COURSE_TITLE, idnumber="AMST-DOO-2025-26")
    session.add(course)
    session.flush()
    if roster is not None:
        add_roster_members(session, course.id, roster)
    else:
        _add_invented_members(session, course.id, rng)
    _add_tool_and_link(session, config, course.id)
    _ = admin


def _add_invented_members(session: Session, course_id: int, rng: random.Random) -> None:
    """The invented roster: a methodist, 10 tutors (the last reads English), 80 teachers."""
    methodist = add_user(session, "Людмила Викторовна", "Горбунова", "gorbunova.metodist@imc.example.ru",
                         username="metodist")
    session.add(Enrolment(course_id=course_id, user_id=methodist.id, kind="methodist"))
    session.flush()
    tutors = add_generated_members(session, course_id, "instructor", 10, rng)
    add_generated_members(session, course_id, "learner", 80, rng)
    # One tutor reads the interface in English, to exercise launch_presentation.locale.
    session.get(User, tutors[-1]).locale = "en"


def _add_tool_and_link(session: Session, config: dict[str, Any], course_id: int) -> None:
    """The TutorNet registration (active) and its resource link in the course."""
    tool = Tool(name="TutorNet", client_id=config["CLIENT_ID"], deployment_id=str(config["DEPLOYMENT_ID"]),
                status="active", scopes=list(ALL_SCOPES), claims=None, custom={},
                **tool_urls(config["TOOL_BASE_URL"]))
    session.add(tool)
    session.flush()
    session.add(ResourceLink(course_id=course_id, tool_id=tool.id, title="TutorNet",
                             text="Сетевое взаимодействие тьюторов и педагогов", url=tool.target_link_uri))


def sync_seeded_tool(session: Session, config: dict[str, Any]) -> None:
    """Point the manually configured CLIENT_ID registration at TOOL_BASE_URL on every start,
    so ``--tool-url`` works on an existing database too."""
    tool = session.scalar(select(Tool).where(Tool.client_id == config["CLIENT_ID"]))
    if tool is None or tool.registration is not None:
        return
    urls = tool_urls(config["TOOL_BASE_URL"])
    if tool.login_url == urls["login_url"]:
        return
    old_target = tool.target_link_uri
    for k, v in urls.items():
        setattr(tool, k, v)
    for link in session.scalars(select(ResourceLink).where(ResourceLink.tool_id == tool.id)):
        if link.url == old_target:
            link.url = tool.target_link_uri
