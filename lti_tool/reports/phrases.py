"""Counted nouns of the reports in the user's language, with the right plural form.

Russian has three forms (1 мероприятие, 2 мероприятия, 5 мероприятий, 21 мероприятие,
11 мероприятий); gettext's `ngettext` picks one from the catalogue's plural rule.
"""
from __future__ import annotations

from flask_babel import ngettext

from .yearly import Figures


def events(n: int) -> str:
    return ngettext("%(num)d event", "%(num)d events", n)


def attendances(n: int) -> str:
    return ngettext("%(num)d attendance", "%(num)d attendances", n)


def visits(n: int) -> str:
    return ngettext("%(num)d session visit", "%(num)d session visits", n)


def teachers(n: int) -> str:
    return ngettext("%(num)d teacher", "%(num)d teachers", n)


def tutors(n: int) -> str:
    return ngettext("%(num)d tutor", "%(num)d tutors", n)


def tutees(n: int) -> str:
    return ngettext("%(num)d tutee", "%(num)d tutees", n)


def organizations(n: int) -> str:
    return ngettext("%(num)d organization", "%(num)d organizations", n)


def kindergartens(n: int) -> str:
    return ngettext("%(num)d kindergarten", "%(num)d kindergartens", n)


def clusters(n: int) -> str:
    return ngettext("%(num)d cluster", "%(num)d clusters", n)


def internship_sites(n: int) -> str:
    return ngettext("%(num)d internship site", "%(num)d internship sites", n)


def best_practices(n: int) -> str:
    return ngettext("%(num)d best practice", "%(num)d best practices", n)


def consultations(n: int) -> str:
    return ngettext("%(num)d consultation", "%(num)d consultations", n)


def headline(f: Figures) -> list[tuple[str, str]]:
    """(phrase, what it counts) for the summary of a report, in the order of the seed report."""
    from flask_babel import format_decimal
    from flask_babel import gettext as _

    return [
        (events(f.events), _("held in the period (by the date of the first session)")),
        (attendances(f.attendances), _("teachers at events: a person counted once per event attended")),
        (teachers(f.participants), _("different people attended at least once")),
        (tutors(f.tutors), _("led events or hold the tutor status")),
        (tutees(f.tutees), _("participants who are not tutors")),
        (organizations(f.organizations), _("of participants, leaders and hosts; of them: %(kindergartens)s",
                                           kindergartens=kindergartens(f.kindergartens))),
        (clusters(f.clusters), _("methodological clusters of the network")),
        (internship_sites(f.internship_sites), _("active in the period")),
        (visits(f.visits), _("marks “present” or “late” at sessions")),
        (best_practices(f.best_practices), _("events flagged by methodists")),
        (consultations(f.consultations), _("held by tutors, %(hours)s h in all", hours=format_decimal(f.consultation_hours))),
    ]
