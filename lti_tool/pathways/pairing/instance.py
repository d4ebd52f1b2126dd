"""The value of a tutee-tutor match, one pair at a time (for reasons and scores) and as numpy
blocks of tutees × tutors (for building the flow and the greedy baseline).

value = Σ need·UNITS over the tutee's top needs the tutor covers
        + same-organization bonus + shared-cluster bonus          (all integers, in UNITS)
A pair is a candidate when its value is positive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from lti_tool.pathways.pairing.model import (
    UNITS,
    Pair,
    PairingError,
    PairingSettings,
    Score,
    Tutee,
    Tutor,
)

BLOCK = 2048  # tutees per numpy block: 2048 × 1000 tutors × 8 bytes = 16 MB


def top_needs(tutee: Tutee, settings: PairingSettings) -> list[tuple[int, int]]:
    """[(topic, need in UNITS)] of the tutee's highest needs (at least min_need), highest first."""
    ranked = sorted((-n, k) for k, n in tutee.needs.items() if n >= settings.min_need and n > 0)
    return [(k, round(-n * UNITS)) for n, k in ranked[: settings.top_needs]]


def is_young(tutee: Tutee, settings: PairingSettings) -> bool:
    """A young specialist: known experience below the setting (unknown is not young)."""
    return tutee.experience_years is not None and tutee.experience_years < settings.young_years


def make_pair(tutee: Tutee, tutor: Tutor, settings: PairingSettings, manual: bool = False) -> Pair:
    """The pair with its value and reasons."""
    topics = tuple(k for k, _ in top_needs(tutee, settings) if k in tutor.topics)
    need_units = sum(u for k, u in top_needs(tutee, settings) if k in tutor.topics)
    same_org = tutee.organization_id is not None and tutee.organization_id == tutor.organization_id
    same_cluster = bool(tutee.cluster_ids & tutor.cluster_ids)
    value = (need_units + same_org * round(settings.same_organization_bonus * UNITS)
             + same_cluster * round(settings.same_cluster_bonus * UNITS))
    return Pair(tutee.person_id, tutor.person_id, value, topics, same_org, same_cluster,
                is_young(tutee, settings), manual)


def check_inputs(tutees: Sequence[Tutee], tutors: Sequence[Tutor]) -> None:
    """Refuse duplicate ids and negative load limits."""
    if len({t.person_id for t in tutees}) != len(tutees):
        raise PairingError("duplicate tutee")
    if len({t.person_id for t in tutors}) != len(tutors):
        raise PairingError("duplicate tutor")
    if any(t.load_limit < 0 for t in tutors):
        raise PairingError("negative load limit")


def score(pairs: Iterable[Pair]) -> Score:
    """The objective of a set of pairs: a tutee counts once as matched (by her best pair)."""
    best: dict[int, Pair] = {}
    for p in pairs:
        if p.tutee_id not in best or p.value > best[p.tutee_id].value:
            best[p.tutee_id] = p
    return Score(sum(p.young for p in best.values()), len(best), sum(p.value for p in best.values()))


class Matrix:
    """Tutees × tutors values in blocks: needs (top needs only) × tutors' topics, plus bonuses."""

    def __init__(self, tutees: Sequence[Tutee], tutors: Sequence[Tutor], settings: PairingSettings):
        topics = sorted({k for t in tutors for k in t.topics})
        col = {k: i for i, k in enumerate(topics)}
        clusters = sorted({c for t in tutors for c in t.cluster_ids})
        ccol = {c: i for i, c in enumerate(clusters)}
        self.settings = settings
        self.needs = np.zeros((len(tutees), len(topics)), dtype=np.int64)
        for i, t in enumerate(tutees):
            for k, units in top_needs(t, settings):
                if k in col:
                    self.needs[i, col[k]] = units
        self.covers = np.zeros((len(tutors), len(topics)), dtype=np.int64)
        for j, t in enumerate(tutors):
            self.covers[j, [col[k] for k in t.topics]] = 1
        self.tutee_cl = np.zeros((len(tutees), len(clusters)), dtype=np.int32)
        for i, t in enumerate(tutees):
            self.tutee_cl[i, [ccol[c] for c in t.cluster_ids if c in ccol]] = 1
        self.tutor_cl = np.zeros((len(tutors), len(clusters)), dtype=np.int32)
        for j, t in enumerate(tutors):
            self.tutor_cl[j, [ccol[c] for c in t.cluster_ids]] = 1
        self.tutee_org = np.array([-1 if t.organization_id is None else t.organization_id for t in tutees],
                                  dtype=np.int64)
        self.tutor_org = np.array([-2 if t.organization_id is None else t.organization_id for t in tutors],
                                  dtype=np.int64)
        self.org_bonus = round(settings.same_organization_bonus * UNITS)
        self.cluster_bonus = round(settings.same_cluster_bonus * UNITS)
        self.rows = len(tutees)

    def block(self, start: int, stop: int) -> np.ndarray:
        """Values of tutees start..stop-1 against every tutor (int64, 0 = not a candidate)."""
        values = self.needs[start:stop] @ self.covers.T
        values += (self.tutee_org[start:stop, None] == self.tutor_org[None, :]) * self.org_bonus
        if self.tutee_cl.shape[1]:
            values += ((self.tutee_cl[start:stop] @ self.tutor_cl.T) > 0) * self.cluster_bonus
        return values

    def blocks(self):
        """(start, values) for consecutive blocks of tutees."""
        for start in range(0, self.rows, BLOCK):
            yield start, self.block(start, min(start + BLOCK, self.rows))
