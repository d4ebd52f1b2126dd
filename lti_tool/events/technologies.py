"""Technologies (methods) used inside an event: деловая игра, педагогическое ателье, коучинг …

The seeds' reports list them by name; an event keeps the codes of this catalogue and, for anything
else, the methodist's own words (stored as given). The yearly report counts the events per technology.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

TECHNOLOGIES = {
    "business_game": _l("business game"),
    "atelier": _l("pedagogical atelier"),
    "coaching": _l("coaching"),
    "brainstorming": _l("brainstorming"),
    "discussion": _l("discussion"),
    "reflection": _l("reflective techniques"),
    "case_study": _l("case study"),
    "project": _l("project method"),
    "world_cafe": _l("world café"),
    "quest": _l("quest"),
}
MAX_OWN = 5  # the methodist's own names, besides the catalogue
MAX_OWN_LENGTH = 80


def label(value: str) -> str:
    """The reader's name of a technology: the catalogue's translation, or the methodist's own words."""
    return str(TECHNOLOGIES[value]) if value in TECHNOLOGIES else value


def labels(values: list | None) -> list[str]:
    """Names of an event's technologies in the order stored."""
    return [label(v) for v in values or []]


def parse(codes: list[str], own: str | None) -> list[str]:
    """Stored form: catalogue codes in catalogue order (an own name that is a catalogue name counts as its
    code), then up to MAX_OWN other names (comma-separated), each once."""
    by_label = {str(label).casefold(): code for code, label in TECHNOLOGIES.items()}
    chosen = set(codes)
    extra: list[str] = []
    for name in (own or "").split(","):
        name = " ".join(name.split())[:MAX_OWN_LENGTH]
        if name.casefold() in by_label:
            chosen.add(by_label[name.casefold()])
        elif name and name.casefold() not in {e.casefold() for e in extra}:
            extra.append(name)
    return [code for code in TECHNOLOGIES if code in chosen] + extra[:MAX_OWN]
