"""Inputs, settings and results of tutor pairing: plain frozen dataclasses (no Flask, no SQLAlchemy)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Why a tutee got no tutor.
REASON_NO_CANDIDATE = "no_candidate"  # no tutor shares a top need, the organization or a cluster
REASON_NO_CAPACITY = "no_capacity"  # candidates exist, but their load limits are reached
REASON_EXCLUDED = "excluded"  # the methodist removed every candidate by hand

UNITS = 1000  # integer value units per 1.0 (needs and bonuses are rounded to 1e-3)


class PairingError(ValueError):
    """Inputs the pairing cannot work with (duplicate ids, negative limits, unknown people)."""


@dataclass(frozen=True)
class Tutee:
    """A teacher to be paired: needs {topic: need in [0, 1]}, workplace, clusters, experience."""

    person_id: int
    needs: Mapping[int, float] = field(default_factory=dict)
    organization_id: int | None = None
    cluster_ids: frozenset[int] = frozenset()
    experience_years: int | None = None


@dataclass(frozen=True)
class Tutor:
    """A tutor: topics she supports (from her offerings), workplace, clusters and load limit."""

    person_id: int
    topics: frozenset[int] = frozenset()
    organization_id: int | None = None
    cluster_ids: frozenset[int] = frozenset()
    load_limit: int = 5


@dataclass(frozen=True)
class PairingSettings:
    """Weights of the match: each of a tutee's top needs the tutor covers counts its need; the
    same organization and a shared cluster add bonuses. Young specialists (experience below
    `young_years`) are matched first, then as many tutees as possible, then the best matches."""

    top_needs: int = 3
    min_need: float = 0.2
    same_organization_bonus: float = 0.3
    same_cluster_bonus: float = 0.4
    young_years: int = 3
    # Arcs kept per tutee (her best tutors); None keeps all: exact, but tutees × tutors arcs.
    candidates_per_tutee: int | None = 60


@dataclass(frozen=True)
class Pair:
    """One tutee with one tutor and the reasons: topics matched, same organization or cluster."""

    tutee_id: int
    tutor_id: int
    value: int  # in UNITS
    topics: tuple[int, ...]  # the tutee's top needs the tutor covers, highest need first
    same_organization: bool
    same_cluster: bool
    young: bool
    manual: bool = False


@dataclass(frozen=True)
class Score:
    """The lexicographic objective: young specialists matched, tutees matched, total value."""

    young_matched: int
    matched: int
    value: int

    def key(self) -> tuple[int, int, int]:
        return (self.young_matched, self.matched, self.value)


@dataclass(frozen=True)
class Pairing:
    """The result: pairs (manual ones first), unmatched tutees with a reason, each tutor's load."""

    pairs: tuple[Pair, ...]
    unmatched: Mapping[int, str]
    loads: Mapping[int, int]
    score: Score
    method: str
    stats: Mapping[str, float] = field(default_factory=dict)
