"""Roster pull over NRPS against the demo LMS (Moodle semantics: pages only with limit, all Active,
removed members vanish)."""
from __future__ import annotations

import sqlalchemy as sa

from lti_tool.core.accounts import User
from lti_tool.core.courses import Enrollment, RosterSync
from lti_tool.core.reference import Person
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


SITE_ADMIN = ["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator", INSTRUCTOR]


def launched(tool, sub: str, roles: list[str]) -> None:
    """What a launch leaves behind for `sub` (the launch's own provisioning function)."""
    from lti_tool.core.courses import Course
    from lti_tool.lti.provisioning import upsert_enrollment

    with tool.rt.sessions.begin() as s:
        course = s.get(Course, tool.course_id)
        # Accounts are the network's (issue 18, finding 5): a launch looks them up in the course's network.
        user = s.scalar(sa.select(User).where(User.network_id == course.network_id, User.issuer == tool.lms.url,
                                              User.sub == sub))
        if user is None:
            user = User(network_id=course.network_id, issuer=tool.lms.url, sub=sub, name=f"user {sub}")
            s.add(user)
            s.flush()
        enrollment = s.scalar(sa.select(Enrollment).where(Enrollment.course_id == tool.course_id,
                                                          Enrollment.user_id == user.id))
        upsert_enrollment(s, course, user, roles, enrollment)


def test_launch_only_member_is_left_alone_and_counted(tool):
    from sync.status import roster_status

    ids = tool.lms.add_members(tool.lms_course_id, generate={"learner": 5})
    launched(tool, "1", SITE_ADMIN)  # the LMS's site administrator: launches, never enrolled, not in NRPS
    first = pull(tool)
    assert (first.seen, first.removed, first.launch_only) == (5, 0, 1)
    second = pull(tool)
    assert (second.removed, second.launch_only) == (0, 1)
    got = enrollments(tool)
    assert got["1"] == ("active", SITE_ADMIN) and {got[i][0] for i in ids} == {"active"}
    with tool.rt.sessions() as s:
        [row] = [r for r in roster_status(s, tool.network_id) if r["course_id"] == tool.course_id]
        assert row["launch_only"] == 1 and row["removed"] == 0


def test_member_seen_by_a_pull_and_gone_is_deleted_even_if_a_launch_created_them(tool):
    ids = tool.lms.add_members(tool.lms_course_id, generate={"learner": 3})
    launched(tool, ids[0], [LEARNER])  # launched before any pull: enrollment from the launch
    assert pull(tool).launch_only == 0  # the roster has them now
    tool.lms.remove_members(tool.lms_course_id, [ids[0]])
    second = pull(tool)
    assert (second.removed, second.launch_only) == (1, 0)
    assert enrollments(tool)[ids[0]][0] == "deleted"
    launched(tool, ids[0], [LEARNER])  # launching again re-activates the enrollment...
    assert enrollments(tool)[ids[0]][0] == "active"
    assert pull(tool).removed == 1  # ...but the roster still lacks them: deleted again


def sync_row(tool) -> RosterSync:
    with tool.rt.sessions() as s:
        return s.scalar(sa.select(RosterSync).where(RosterSync.course_id == tool.course_id))


def test_differences_link_makes_the_next_pull_incremental(tool):
    """End to end over HTTP: the LMS offers `differences`; the second pull fetches only changes."""
    lms = tool.lms
    lms.set_nrps(differences=True)
    try:
        ids = lms.add_members(tool.lms_course_id, generate={"learner": 10})
        launched(tool, "1", SITE_ADMIN)
        first = pull(tool)
        assert (first.incremental, first.seen, first.added) == (False, 10, 10)
        assert "since=" in sync_row(tool).differences_url
        lms.remove_members(tool.lms_course_id, ids[:3])
        new = lms.add_members(tool.lms_course_id, generate={"learner": 8})
        calls = lms.stats()["requests"]["GET /api/courses/<int:course_id>/memberships"]
        second = pull(tool)
        assert second.status == "ok" and second.incremental
        assert (second.seen, second.added, second.removed, second.pages) == (11, 8, 3, 2)  # page size 7
        assert lms.stats()["requests"]["GET /api/courses/<int:course_id>/memberships"] - calls == 2
        got = enrollments(tool)
        assert {sub for sub, (status, _) in got.items() if status == "deleted"} == set(ids[:3])
        assert {got[sub][0] for sub in ids[3:] + new} == {"active"} and got["1"][0] == "active"
        third = pull(tool)
        assert (third.incremental, third.seen, third.removed, third.launch_only) == (True, 0, 0, 1)
    finally:
        lms.set_nrps(differences=False)


def test_refused_differences_fall_back_to_a_full_pull_in_the_same_run(tool):
    lms = tool.lms
    lms.set_nrps(differences=True)
    try:
        ids = lms.add_members(tool.lms_course_id, generate={"learner": 6})
        assert not pull(tool).incremental
        lms.remove_members(tool.lms_course_id, ids[:2])
        lms.set_nrps(forget_history=True)  # the LMS no longer knows what changed since the link
        second = pull(tool)
        assert second.status == "ok" and not second.incremental and "410" in second.extra["differences_refused"]
        assert (second.seen, second.removed) == (4, 2)
        assert {sub for sub, (status, _) in enrollments(tool).items() if status == "deleted"} == set(ids[:2])
        assert pull(tool).incremental  # the full pull brought a fresh link
    finally:
        lms.set_nrps(differences=False)


def test_failed_incremental_pull_keeps_its_link_and_platform_without_differences_gets_full_pulls(tool):
    lms = tool.lms
    lms.set_nrps(differences=True)
    try:
        ids = lms.add_members(tool.lms_course_id, generate={"learner": 5})
        pull(tool)
        link = sync_row(tool).differences_url
        lms.remove_members(tool.lms_course_id, ids[:1])
        lms.set_faults(rules=[{"path_prefix": f"/api/courses/{tool.lms_course_id}/memberships", "status": 503,
                               "count": 1}])
        failed = pull(tool)
        assert failed.status == "failed" and failed.incremental and "503" in failed.error
        assert sync_row(tool).differences_url == link  # the changes are still to be fetched
        recovered = pull(tool)
        assert recovered.incremental and (recovered.seen, recovered.removed) == (1, 1)
        lms.set_nrps(differences=False)  # the platform stops offering differences: refused, full pull
        after = pull(tool)
        assert not after.incremental and after.seen == 4 and sync_row(tool).differences_url is None
        assert not pull(tool).incremental
    finally:
        lms.set_nrps(differences=False)
