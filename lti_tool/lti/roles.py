"""LTI roles (context, institution, system; full URIs and short forms) → TutorNet roles.

teacher ← Learner; tutor ← Instructor, TeachingAssistant, Mentor (and a course Administrator);
methodist ← ContentDeveloper; admin ← institution or system Administrator. Tool-side grants are
added. A launch with no role or only unknown roles is valid (certification) and gets the teacher
view: the least privilege. The vocabulary itself lives in `lti_tool.core.member_roles`, which
applies it to stored enrollments too (who a survey asks).
"""
from __future__ import annotations

from ..core.member_roles import CONTEXT_ROLES, INSTITUTION_ROLES, parse_role, tool_roles  # noqa: F401
from ..web.auth import ADMIN, METHODIST, TEACHER, TUTOR

STAFF_ROLES = frozenset({TUTOR, METHODIST, ADMIN})  # may place content by deep linking


def map_roles(lti_roles, granted=()) -> frozenset[str]:
    """TutorNet roles for the launch's LTI roles plus tool-side grants (never empty)."""
    return frozenset(set(granted) | tool_roles(lti_roles) or {TEACHER})
