"""LTI roles (context, institution, system; full URIs and short forms) → TutorNet roles.

teacher ← Learner; tutor ← Instructor, TeachingAssistant, Mentor (and a course Administrator);
methodist ← ContentDeveloper; admin ← institution or system Administrator. Tool-side grants are
added. A launch with no role or only unknown roles is valid (certification) and gets the teacher
view: the least privilege.
"""
from __future__ import annotations

from ..web.auth import ADMIN, METHODIST, TEACHER, TUTOR

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"

CONTEXT_ROLES = {
    "Learner": TEACHER,
    "Instructor": TUTOR,
    "TeachingAssistant": TUTOR,
    "Mentor": TUTOR,
    "Administrator": TUTOR,
    "ContentDeveloper": METHODIST,
}
INSTITUTION_ROLES = {"Administrator": ADMIN, "SysAdmin": ADMIN}
STAFF_ROLES = frozenset({TUTOR, METHODIST, ADMIN})  # may place content by deep linking


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


def map_roles(lti_roles, granted=()) -> frozenset[str]:
    """TutorNet roles for the launch's LTI roles plus tool-side grants (never empty)."""
    roles = set(granted)
    for value in lti_roles or ():
        if not isinstance(value, str):
            continue
        kind, name = parse_role(value)
        if kind == "context" and name in CONTEXT_ROLES:
            roles.add(CONTEXT_ROLES[name])
        elif kind in ("institution", "system") and name in INSTITUTION_ROLES:
            roles.add(INSTITUTION_ROLES[name])
    return frozenset(roles or {TEACHER})
