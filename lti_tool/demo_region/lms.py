"""The region's LMS as the tool knows it: the registration, the course, accounts and the roster.

Everything a roster pull (NRPS) and the launches would have left: one platform and deployment,
one course with every person enrolled (methodists as ContentDeveloper + Instructor, tutors as
Instructor, teachers as Learner), LTI users linked to their persons, the home link.

LMS user ids (`sub`) follow the demo LMS's numbering of a roster file (`python -m demo_lms
--roster FILE`): 1 is its site administrator, the file's users get 2, 3, … in file order, and
`manifest()` writes that file in the same order, so a demo LMS seeded from it launches and
grades exactly these people (benchmarks/load/run.py checks a sample). Its link 1 is the seeded
TutorNet link; the links of the events follow as 2, 3, … (`lms_links`).
"""
from __future__ import annotations

from datetime import timedelta

from .context import CONTEXT_ROLE, Region, at

AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
ROLES = {"methodist": [CONTEXT_ROLE + "ContentDeveloper", CONTEXT_ROLE + "Instructor"],
         "tutor": [CONTEXT_ROLE + "Instructor"], "teacher": [CONTEXT_ROLE + "Learner"]}
ROSTER_KIND = {"methodist": "methodist", "tutor": "instructor", "teacher": "learner"}
COURSE_ID = "1"  # the demo LMS's course 1
HOME_LINK = "1"
FIRST_USER = 2  # the demo LMS's user 1 is its site administrator


def registration(region: Region) -> None:
    """Platform, deployment and the region's course with its NRPS and AGS endpoints."""
    b, iss = region.bulk, region.issuer
    created = at(region.year_start - timedelta(days=20))
    platform_id = b.ids("lti_platform", 1)[0]
    b.insert("lti_platform", ("id", "network_id", "issuer", "client_id", "name", "product_family", "auth_login_url",
                              "auth_token_url", "key_set_url", "registered_by", "enabled", "created_at"),
             [(platform_id, region.network_id, iss, region.client_id, "СДО института развития образования", "moodle",
               f"{iss}/auth", f"{iss}/token", f"{iss}/.well-known/jwks.json", "config", True, created)])
    deployment_id = b.ids("lti_deployment", 1)[0]
    b.insert("lti_deployment", ("id", "platform_id", "deployment_id", "network_id", "enabled", "created_at"),
             [(deployment_id, platform_id, region.deployment_id, region.network_id, True, created)])
    region.course_id = b.ids("course", 1)[0]
    year = f"{region.year_start.year}/{region.year_end.year}"
    b.insert("course", ("id", "network_id", "deployment_id", "lti_context_id", "title", "label", "nrps_url",
                        "ags_lineitems_url", "ags_scopes", "created_at"),
             [(region.course_id, region.network_id, deployment_id, COURSE_ID,
               f"Сетевое сообщество тьюторов региона {year}", f"АМСТ-{region.year_start.year}",
               f"{iss}/api/courses/{COURSE_ID}/memberships", f"{iss}/api/courses/{COURSE_ID}/lineitems",
               AGS_SCOPES, created)])
    b.insert("lti_resource_link", ("course_id", "lti_resource_link_id", "title", "target_kind", "created_at"),
             [(region.course_id, HOME_LINK, "TutorNet", "home", created)])


def accounts(region: Region) -> None:
    """LTI users of every person (in roster order), their enrollments and the last roster pull."""
    b, rng = region.bulk, region.rng("accounts")
    user_ids = b.ids("user_account", len(region.people))
    users, enrollments = [], []
    pulled = region.past(region.today - timedelta(days=1), 3)
    for n, (user_id, p) in enumerate(zip(user_ids, region.people)):
        p["user_id"], p["sub"] = user_id, str(FIRST_USER + n)
        seen = (region.past(region.today - timedelta(days=rng.randint(0, 60)), rng.randint(8, 20))
                if rng.random() < 0.6 else None)
        users.append((user_id, region.network_id, region.issuer, p["sub"], f"{p['given']} {p['family']}", p["given"], p["family"],
                      p["email"], "ru", at(region.year_start - timedelta(days=10)), seen))
        enrollments.append((region.course_id, user_id, ROLES[p["kind"]], "active", "nrps", pulled))
    b.insert("user_account", ("id", "network_id", "issuer", "sub", "name", "given_name", "family_name", "email", "locale",
                              "created_at", "last_seen_at"), users)
    b.insert("enrollment", ("course_id", "user_id", "lti_roles", "status", "source", "updated_at"), enrollments)
    b.insert("roster_sync", ("course_id", "status", "started_at", "finished_at", "pages", "members_seen",
                             "members_added", "members_removed"),
             [(region.course_id, "ok", pulled, pulled + timedelta(seconds=4), -(-len(users) // 1000), len(users), 0, 0)])


def manifest(region: Region) -> dict:
    """What a demo LMS needs to mirror this region: the roster file's rows and the event links."""
    roster = [{"given_name": p["given"], "family_name": p["family"], "email": p["email"],
               "kind": ROSTER_KIND[p["kind"]], "sub": p["sub"]} for p in region.people]
    return {"issuer": region.issuer, "client_id": region.client_id, "deployment_id": region.deployment_id,
            "course": COURSE_ID, "roster": roster, "links": region.lms_links}
