"""Which tool roles each person of a network holds, from what launches and roster pulls stored.

A launch maps its LTI roles to tool roles for the session (`lti_tool.lti.roles.map_roles`, built on
`tool_roles` below); the same mapping applied to the stored enrollments of the network's courses,
the tool-side grants and the resource map's tutor mark says who someone is when they are not the
one asking: who a survey's audience holds, whom a response rate divides by.

Staff roles dominate an audience (`audience_roles`): a methodist launches as ContentDeveloper +
Instructor and an administrator as Instructor + Administrator, so both also map to "tutor", but
neither is asked what the network asks its teachers and tutors.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .accounts import RoleGrant
from .courses import Course, Enrollment
from .reference import Person

TEACHER, TUTOR, METHODIST, ADMIN = "teacher", "tutor", "methodist", "admin"
ROLES = (TEACHER, TUTOR, METHODIST, ADMIN)
STAFF = frozenset({METHODIST, ADMIN})

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
CONTEXT_ROLES = {
    "Learner": TEACHER,
    "Instructor": TUTOR,
    "TeachingAssistant": TUTOR,
    "Mentor": TUTOR,
    "Administrator": TUTOR,  # a course administrator manages the activity like an instructor
    "ContentDeveloper": METHODIST,
}
INSTITUTION_ROLES = {"Administrator": ADMIN, "SysAdmin": ADMIN}


def parse_role(value: str) -> tuple[str, str]:
    """('context' | 'institution' | 'system' | 'other', name) of one LTI role string."""
    value = (value or "").strip()
    if value.startswith(LIS):
        path, _, fragment = value[len(LIS):].partition("#")
        scope = path.split("/")[0]
        kind = {"membership": "context", "institution": "institution", "system": "system"}.get(scope, "other")
        return kind, fragment or path.rsplit("/", 1)[-1]
    if "#" in value or "/" in value or ":" in value:
        return "other", value  # a URI of another vocabulary (e.g. .../unknown/unknown#Helper)
    return "context", value  # Moodle and LTI 1.1 short forms: "Instructor", "Learner"


def tool_roles(lti_roles) -> set[str]:
    """The tool roles an LTI role list carries (empty when it names none we know)."""
    roles = set()
    for value in lti_roles or ():
        if not isinstance(value, str):
            continue
        kind, name = parse_role(value)
        if kind == "context" and name in CONTEXT_ROLES:
            roles.add(CONTEXT_ROLES[name])
        elif kind in ("institution", "system") and name in INSTITUTION_ROLES:
            roles.add(INSTITUTION_ROLES[name])
    return roles


def audience_roles(roles) -> frozenset[str]:
    """The roles that place a person in an audience: the staff roles alone when she holds one."""
    roles = frozenset(roles)
    return (roles & STAFF) or roles


def member_roles(session: Session, network_id: int, person_ids=None,
                 fallback: bool = True) -> dict[int, frozenset[str]]:
    """{person id: tool roles} of the network's active people (or of `person_ids`), in three queries.

    Roles come from active enrollments in the network's courses, active tool-side grants and the
    resource map's tutor mark; a person with none of them (entered in the map, never launched) is a
    teacher — unless `fallback` is off, when she gets no role (the caller adds launch roles).
    Retired people are left out.
    """
    people = sa.select(Person.id, Person.user_id, Person.is_tutor).where(
        Person.network_id == network_id, Person.retired_at.is_(None))
    if person_ids is not None:
        people = people.where(Person.id.in_(list(person_ids)))
    rows = session.execute(people).all()
    by_user: dict[int, set[str]] = defaultdict(set)
    users = [user_id for _, user_id, _ in rows if user_id is not None]
    if users:
        enrollments = session.execute(
            sa.select(Enrollment.user_id, Enrollment.lti_roles).join(Course, Course.id == Enrollment.course_id)
            .where(Course.network_id == network_id, Enrollment.status == "active",
                   Enrollment.user_id.in_(_ids_or_subquery(users, people))))
        for user_id, lti_roles in enrollments:
            by_user[user_id] |= tool_roles(lti_roles)
        grants = session.execute(
            sa.select(RoleGrant.user_id, RoleGrant.role).where(
                RoleGrant.network_id == network_id, RoleGrant.revoked_at.is_(None),
                RoleGrant.user_id.in_(_ids_or_subquery(users, people))))
        for user_id, role in grants:
            by_user[user_id].add(role)
    result = {}
    for person_id, user_id, is_tutor in rows:
        roles = set(by_user.get(user_id, ())) if user_id is not None else set()
        if is_tutor:
            roles.add(TUTOR)
        result[person_id] = frozenset(roles or ({TEACHER} if fallback else ()))
    return result


def _ids_or_subquery(ids: list[int], people):
    """A short id list inline; a long one as the people query itself (no huge IN list)."""
    if len(ids) <= 500:
        return ids
    return sa.select(people.subquery().c.user_id)


TUTOR_LTI_NAMES = tuple(name for name, role in CONTEXT_ROLES.items() if role == TUTOR)


def tutor_person_ids(session: Session, network_id: int) -> set[int]:
    """The network's active people who may lead events and support routes: the resource map's tutor
    mark, an active tutor grant, or an active enrollment whose LTI roles carry "tutor" (an LMS
    Instructor, TeachingAssistant or Mentor provisioned by a launch or a roster pull). Methodists and
    administrators (staff roles dominate, as for audiences) count only with the tutor mark.
    Four queries whatever the size of the network."""
    roles_text = sa.cast(Enrollment.lti_roles, sa.String)
    enrolled = (sa.select(Enrollment.user_id).join(Course, Course.id == Enrollment.course_id)
                .where(Course.network_id == network_id, Enrollment.status == "active",
                       sa.or_(*[roles_text.like(f"%{name}%") for name in TUTOR_LTI_NAMES])))
    granted = sa.select(RoleGrant.user_id).where(RoleGrant.network_id == network_id, RoleGrant.role == TUTOR,
                                                 RoleGrant.revoked_at.is_(None))
    rows = session.execute(sa.select(Person.id, Person.is_tutor).where(
        Person.network_id == network_id, Person.retired_at.is_(None),
        sa.or_(Person.is_tutor, Person.user_id.in_(enrolled), Person.user_id.in_(granted)))).all()
    marked = {pid for pid, is_tutor in rows if is_tutor}
    others = [pid for pid, is_tutor in rows if not is_tutor]
    roles = member_roles(session, network_id, others, fallback=False) if others else {}
    return marked | {pid for pid, r in roles.items() if TUTOR in audience_roles(r)}
