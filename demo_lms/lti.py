"""LTI 1.3 constants (claim names, scopes, media types, role URIs) and role mapping.

Roles follow Moodle 4.x: whoever may manage the activity launches as Instructor, everyone else
as Learner; site admins add system and institution Administrator and lose Learner. In NRPS a
non-editing teacher is a Learner although it launches as Instructor (a documented Moodle quirk).
"""
from __future__ import annotations

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
C_MESSAGE_TYPE = LTI + "message_type"
C_VERSION = LTI + "version"
C_DEPLOYMENT_ID = LTI + "deployment_id"
C_TARGET_LINK_URI = LTI + "target_link_uri"
C_RESOURCE_LINK = LTI + "resource_link"
C_ROLES = LTI + "roles"
C_CONTEXT = LTI + "context"
C_TOOL_PLATFORM = LTI + "tool_platform"
C_LAUNCH_PRESENTATION = LTI + "launch_presentation"
C_LIS = LTI + "lis"
C_CUSTOM = LTI + "custom"
C_EXT = LTI + "ext"
C_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
C_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
C_DL_SETTINGS = DL + "deep_linking_settings"
C_DL_CONTENT_ITEMS = DL + "content_items"
C_DL_DATA = DL + "data"
C_DL_MSG = DL + "msg"
C_DL_ERRORMSG = DL + "errormsg"

PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"

S_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
S_LINEITEM_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
S_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
S_RESULT_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
S_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = [S_LINEITEM, S_LINEITEM_RO, S_RESULT_RO, S_SCORE]
ALL_SCOPES = AGS_SCOPES + [S_NRPS]

MT_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MT_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MT_SCORE = "application/vnd.ims.lis.v1.score+json"
MT_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
MT_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

CONTEXT_TYPE = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
R_LEARNER = MEMBERSHIP + "Learner"
R_INSTRUCTOR = MEMBERSHIP + "Instructor"
R_CONTENT_DEVELOPER = MEMBERSHIP + "ContentDeveloper"
R_SYS_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
R_INST_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"

# Enrolment kinds -> (roles at launch, roles in NRPS)
KINDS: dict[str, tuple[list[str], list[str]]] = {
    "learner": ([R_LEARNER], [R_LEARNER]),
    "instructor": ([R_INSTRUCTOR], [R_INSTRUCTOR]),
    "noneditingteacher": ([R_INSTRUCTOR], [R_LEARNER]),
    "methodist": ([R_CONTENT_DEVELOPER, R_INSTRUCTOR], [R_CONTENT_DEVELOPER, R_INSTRUCTOR]),
}
# Friendly aliases accepted by the control API and the ?as= parameter.
KIND_ALIASES = {
    "teacher": "learner", "student": "learner", "learner": "learner",
    "tutor": "instructor", "instructor": "instructor", "editingteacher": "instructor",
    "noneditingteacher": "noneditingteacher", "methodist": "methodist",
}
ROLE_LABELS_RU = {
    "learner": "педагог", "instructor": "тьютор", "noneditingteacher": "тьютор (без права редактирования)",
    "methodist": "методист", "admin": "администратор",
}


def launch_roles(kind: str | None, is_site_admin: bool) -> list[str]:
    """Roles claim for a launch by a user with this enrolment kind (None = not enrolled)."""
    roles = list(KINDS[kind][0]) if kind else []
    if is_site_admin:
        # Admins may manage every activity -> Instructor; they never appear as Learner.
        roles = [r for r in roles if r != R_LEARNER]
        if R_INSTRUCTOR not in roles:
            roles.append(R_INSTRUCTOR)
        roles += [R_SYS_ADMIN, R_INST_ADMIN]
    return roles


def nrps_roles(kind: str) -> list[str]:
    return list(KINDS[kind][1])


def is_instructor(kind: str | None, is_site_admin: bool) -> bool:
    return is_site_admin or (kind is not None and R_INSTRUCTOR in KINDS[kind][0])


def is_gradable(kind: str | None) -> bool:
    # Moodle grades users with a gradebook role (students); staff are not gradable.
    return kind is not None and R_LEARNER in KINDS[kind][0]
