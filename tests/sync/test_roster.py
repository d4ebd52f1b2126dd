"""Roster pull over NRPS against the demo LMS (Moodle semantics: pages only with limit, all Active,
removed members vanish)."""
from __future__ import annotations

import sqlalchemy as sa

from lti_tool.lti.models import RosterSync
from lti_tool.resource_map.models import Person
from lti_tool.tenancy.models import Enrollment, User
from sync.roster import pull_roster

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def pull(tool):
    rt = tool.rt
    return pull_roster(rt.sessions, tool.course_id, rt.tokens, rt.http, rt.settings)


def enrollments(tool) -> dict[str, tuple[str, list]]:
    with tool.rt.sessions() as s:
        rows = s.execute(sa.select(User.sub, Enrollment.status, Enrollment.lti_roles)
                         .join(User, User.id == Enrollment.user_id).where(Enrollment.course_id == tool.course_id))
        return {sub: (status, roles) for sub, status, roles in rows}


def test_roster_of_several_pages_is_pulled_with_roles_and_persons(tool):
    learners = tool.lms.add_members(tool.lms_course_id, generate={"learner": 20})
    teachers = tool.lms.add_members(tool.lms_course_id, generate={"instructor": 2})
    before = tool.lms.stats()["requests"].get("GET /api/courses/<int:course_id>/memberships", 0)
    result = pull(tool)
    assert result.status == "ok", result.error
    assert result.pages == 4 and result.seen == 22 and result.added == 22  # page size 7
    calls = tool.lms.stats()["requests"]["GET /api/courses/<int:course_id>/memberships"] - before
    assert calls == 4
    got = enrollments(tool)
    assert set(got) == set(learners + teachers)
    assert got[learners[0]] == ("active", [LEARNER]) and INSTRUCTOR in got[teachers[0]][1]
    with tool.rt.sessions() as s:
        sync = s.scalar(sa.select(RosterSync).where(RosterSync.course_id == tool.course_id))
        assert (sync.status, sync.pages, sync.members_seen, sync.members_added) == ("ok", 4, 22, 22)
        user = s.scalar(sa.select(User).where(User.sub == learners[0], User.issuer == tool.lms.url))
        assert user.email and user.family_name  # names and email arrived with the roster
        persons = s.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.network_id == tool.network_id))
        assert persons == 22


def test_removed_members_are_marked_deleted_and_come_back_active(tool):
    ids = tool.lms.add_members(tool.lms_course_id, generate={"learner": 10})
    assert pull(tool).added == 10
    tool.lms.remove_members(tool.lms_course_id, ids[:3])
    second = pull(tool)
    assert (second.seen, second.added, second.removed) == (7, 0, 3)
    got = enrollments(tool)
    assert {sub for sub, (status, _) in got.items() if status == "deleted"} == set(ids[:3])
    assert pull(tool).removed == 0  # already deleted: not counted again
    tool.lms.add_members(tool.lms_course_id, users=[{"given_name": "Новая", "family_name": "Участница",
                                                      "email": "new@dou1.example.ru"}])
    third = pull(tool)
    assert third.added == 1 and third.seen == 8


def test_person_entered_before_is_linked_by_email(tool):
    [uid] = tool.lms.add_members(tool.lms_course_id, users=[{"given_name": "Ольга Петровна",
                                                             "family_name": "Смирнова",
                                                             "email": "Smirnova@dou7.example.ru"}])
    with tool.rt.sessions.begin() as s:
        s.add(Person(network_id=tool.network_id, full_name="Смирнова Ольга Петровна", email="smirnova@dou7.example.ru"))
    assert pull(tool).status == "ok"
    with tool.rt.sessions() as s:
        persons = s.scalars(sa.select(Person).where(Person.network_id == tool.network_id)).all()
        user_id = s.scalar(sa.select(User.id).where(User.sub == uid))
    assert len(persons) == 1 and persons[0].user_id == user_id


def test_failed_pull_records_the_error_and_removes_nobody(tool):
    ids = tool.lms.add_members(tool.lms_course_id, generate={"learner": 10})
    pull(tool)
    tool.lms.remove_members(tool.lms_course_id, ids[:2])
    # The second page fails: the pull must not take the missing pages for removals.
    tool.lms.set_faults(rules=[{"path_prefix": f"/api/courses/{tool.lms_course_id}/memberships", "status": 500,
                                "count": None}])
    result = pull(tool)
    assert result.status == "failed" and "500" in result.error
    assert {s for s, _ in enrollments(tool).values()} == {"active"}
    with tool.rt.sessions() as s:
        sync = s.scalar(sa.select(RosterSync).where(RosterSync.course_id == tool.course_id))
        assert sync.status == "failed" and "injected fault" in sync.last_error


def test_one_token_for_all_pages(tool):
    tool.lms.add_members(tool.lms_course_id, generate={"learner": 30})
    before = tool.lms.stats()["token_requests"]
    pull(tool)
    pull(tool)
    assert tool.lms.stats()["token_requests"] - before == 1
