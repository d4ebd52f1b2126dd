"""The sizes of a generated region and what the generation steps hand to each other."""
from __future__ import annotations

import random
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta, timezone

from .bulk import Bulk

CONTEXT_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@dataclass(frozen=True)
class Sizes:
    """How big the region is. Defaults: a region as in issue 26 (≈ 21,000 people)."""

    teachers: int = 20000
    tutors: int = 1000
    methodists: int = 3
    organizations: int = 500
    municipalities: int = 20
    clusters: int = 8
    internship_sites: int = 25
    offerings: int = 2000
    needs_responses: int = 20011  # teachers first, then tutors
    self_assessment_start: int = 10006
    self_assessment_end: int = 10005  # a subset of the start panel; the run stays open
    events: int = 1500
    upcoming_share: float = 0.15  # events still ahead (sign-up open)
    to_grade_share: float = 0.05  # events whose last session was this week and is not graded yet
    participants_scale: float = 1.0  # people per event (small test regions use small events)
    candidacies: int = 60

    def scaled(self, factor: float) -> Sizes:
        """Every count times `factor` (at least 1; shares unchanged)."""
        return replace(self, **{f.name: max(1, round(getattr(self, f.name) * factor))
                                for f in fields(self) if f.type == "int"})


def school_year(today: date) -> tuple[date, date]:
    """The school year (1 September – 31 August) that contains `today`."""
    first = today.year if today.month >= 9 else today.year - 1
    return date(first, 9, 1), date(first + 1, 8, 31)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A UTC timestamp on `day`."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.utc)


@dataclass
class Region:
    """The generation's state: sizes, clock, random sources and the ids each step created."""

    bulk: Bulk
    sizes: Sizes
    seed: int
    today: date
    slug: str
    issuer: str
    client_id: str
    deployment_id: str
    network_id: int = 0
    year_id: int = 0
    year_start: date = date.min
    year_end: date = date.max
    course_id: int = 0
    # topics: (id, name, audience) with audience "preschool" | "school" | "any"
    topics: list[tuple[int, str, str]] = field(default_factory=list)
    # organizations: (id, kind, municipality index, name)
    organizations: list[tuple[int, str, int, str]] = field(default_factory=list)
    # people in roster order (methodists, tutors, teachers): dicts with id, user_id, org, kind, …
    people: list[dict] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)
    cluster_people: list[tuple[int, int]] = field(default_factory=list)
    sites: list[dict] = field(default_factory=list)  # internship sites: id, org, topic
    surveys: dict[str, int] = field(default_factory=dict)  # needs | start | end → survey id
    routes: dict[int, int] = field(default_factory=dict)  # teacher person id → route id
    offerings: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    hard_topics: dict[int, list[int]] = field(default_factory=dict)  # person id → topics they struggle with
    completed: dict[int, set[int]] = field(default_factory=dict)  # person id → event ids completed
    lms_links: list[dict] = field(default_factory=list)  # what the LMS must hold, in link id order
    timings: list[tuple[str, float, str]] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        """Noon of the generation day (UTC): every past timestamp is before it."""
        return at(self.today, 12)

    def rng(self, step: str) -> random.Random:
        """A random source per step: changing one step does not reshuffle the others."""
        return random.Random(f"{self.seed}:{step}")

    def past(self, day: date, hour: int = 12) -> datetime:
        """A timestamp on `day`, never later than an hour before now."""
        return min(at(day, hour), self.now - timedelta(hours=1))

    def kind(self, kind: str) -> list[dict]:
        """People of one kind: methodist | tutor | teacher."""
        return [p for p in self.people if p["kind"] == kind]
