"""The criteria of §3.3 ("Условия присвоения статуса «Тьютор»"), in the order of the document."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CRITERIA: dict[str, object] = {
    "experience": _l("At least three years of experience in the region's educational organizations"),
    "higher_education": _l("Higher pedagogical education"),
    "tutor_training": _l("Further training in the foundations of tutoring (courses, tutor seminars)"),
    "methodological_work": _l("Leading scientific-methodological work in further professional education"),
    "extra_activities": _l("Additional activities: project, research, communication"),
    "organizing_growth": _l("Skill at organizing the professional growth of teachers of one or several organizations"),
    "open_lessons": _l("Experience helping prepare open lessons and organizing public talks"),
    "network_design": _l("Experience designing network interaction between teachers of several organizations"),
    "qualification": _l("Meets the qualification requirements for the post of tutor"),
}

OUTCOMES: dict[str, object] = {
    "awarded": _l("Status awarded"),
    "refused": _l("Refused"),
    "postponed": _l("Postponed"),
}
