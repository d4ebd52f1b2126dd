"""Pairing tutees (тьюторанты) with tutors: the public API. Pure functions over frozen dataclasses —
no Flask, no SQLAlchemy (an import-linter contract), like the route planner beside it::

    result = pair_tutees(tutees, tutors, PairingSettings(), fixed=[(tutee_id, tutor_id)])

* :func:`pair_tutees` — the optimum by min-cost flow (see ``pairing.flow``): young specialists
  first, then as many tutees as load limits allow, then the best matches of top needs to tutors'
  topics with bonuses for the same organization and a shared cluster;
* :func:`pair_greedy` — the baseline: tutees one by one take their best tutor with room left;
* :func:`evaluate` — the objective of any set of pairs (e.g. one adjusted by hand).

Manual (fixed) pairs are kept as they are and use their tutor's load; their tutees are not paired
again. Excluded pairs (removed by the methodist) are never proposed.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from lti_tool.pathways.pairing.flow import candidate_arcs, solve
from lti_tool.pathways.pairing.instance import BLOCK, Matrix, check_inputs, is_young, make_pair, score
from lti_tool.pathways.pairing.model import (
    REASON_EXCLUDED,
    REASON_NO_CANDIDATE,
    REASON_NO_CAPACITY,
    UNITS,
    Pair,
    Pairing,
    PairingError,
    PairingSettings,
    Score,
    Tutee,
    Tutor,
)

__all__ = ["REASON_EXCLUDED", "REASON_NO_CANDIDATE", "REASON_NO_CAPACITY", "UNITS", "Pair", "Pairing",
           "PairingError", "PairingSettings", "Score", "Tutee", "Tutor", "evaluate", "pair_greedy", "pair_tutees"]

_DEFAULT = PairingSettings()


class _Setup:
    """What both methods share: the fixed pairs, the tutees still to pair and the room left."""

    def __init__(self, tutees, tutors, settings, fixed, excluded):
        check_inputs(tutees, tutors)
        self.settings = settings
        self.tutee_by_id = {t.person_id: t for t in tutees}
        self.tutor_by_id = {t.person_id: t for t in tutors}
        self.fixed: list[Pair] = []
        for tutee_id, tutor_id in dict.fromkeys(fixed):
            if tutee_id not in self.tutee_by_id or tutor_id not in self.tutor_by_id:
                raise PairingError(f"unknown person in the manual pair ({tutee_id}, {tutor_id})")
            self.fixed.append(make_pair(self.tutee_by_id[tutee_id], self.tutor_by_id[tutor_id], settings, True))
        held = Counter(p.tutor_id for p in self.fixed)
        fixed_tutees = {p.tutee_id for p in self.fixed}
        self.free = [t for t in tutees if t.person_id not in fixed_tutees]
        self.tutors = list(tutors)
        self.room = np.array([t.load_limit - held[t.person_id] for t in tutors], dtype=np.int64)
        row = {t.person_id: i for i, t in enumerate(self.free)}
        col = {t.person_id: j for j, t in enumerate(tutors)}
        self.excluded = {(row[a], col[b]) for a, b in excluded if a in row and b in col}
        self.young = np.array([is_young(t, settings) for t in self.free], dtype=np.int64)
        self.matrix = Matrix(self.free, tutors, settings)

    def result(self, chosen: Iterable[tuple[int, int]], had_any, had_allowed, method, stats) -> Pairing:
        """Pairs with reasons (manual first, then by tutor and tutee), loads and reasons of the unmatched."""
        pairs = [make_pair(self.free[i], self.tutors[j], self.settings) for i, j in chosen]
        pairs.sort(key=lambda p: (p.tutor_id, p.tutee_id))
        matched = {p.tutee_id for p in pairs}
        unmatched = {}
        for i, t in enumerate(self.free):
            if t.person_id not in matched:
                unmatched[t.person_id] = (REASON_NO_CANDIDATE if not had_any[i] else
                                          REASON_EXCLUDED if not had_allowed[i] else REASON_NO_CAPACITY)
        all_pairs = tuple(self.fixed) + tuple(pairs)
        loads = Counter(p.tutor_id for p in all_pairs)
        return Pairing(all_pairs, unmatched, {t.person_id: loads[t.person_id] for t in self.tutors},
                       score(all_pairs), method, stats)


def pair_tutees(
    tutees: Sequence[Tutee],
    tutors: Sequence[Tutor],
    settings: PairingSettings = _DEFAULT,
    *,
    fixed: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> Pairing:
    """The optimal pairing (exact when settings.candidates_per_tutee is None or ≥ the tutors)."""
    started = time.perf_counter()
    s = _Setup(tutees, tutors, settings, fixed, excluded)
    rows, cols, vals, had_any, had_allowed = candidate_arcs(s.matrix, s.room, s.excluded,
                                                            settings.candidates_per_tutee)
    used, stats = solve(rows, cols, vals, s.young, s.room)
    stats["total_s"] = time.perf_counter() - started
    return s.result(zip(rows[used].tolist(), cols[used].tolist()), had_any, had_allowed, "min_cost_flow", stats)


def pair_greedy(
    tutees: Sequence[Tutee],
    tutors: Sequence[Tutor],
    settings: PairingSettings = _DEFAULT,
    *,
    fixed: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> Pairing:
    """Baseline: young specialists first, then by id, each takes her best tutor with room left."""
    started = time.perf_counter()
    s = _Setup(tutees, tutors, settings, fixed, excluded)
    room = s.room.copy()
    order = sorted(range(len(s.free)), key=lambda i: (-s.young[i], s.free[i].person_id))
    had_any = np.zeros(len(s.free), dtype=bool)
    had_allowed = np.zeros(len(s.free), dtype=bool)
    chosen = []
    cache: dict[int, np.ndarray] = {}
    for i in order:
        block_start = i - i % BLOCK
        if block_start not in cache:  # blocks in the order young tutees ask for them
            cache.clear()
            cache[block_start] = s.matrix.block(block_start, min(block_start + BLOCK, len(s.free)))
        row = cache[block_start][i - block_start].copy()
        had_any[i] = (row > 0).any()
        for a, b in s.excluded:
            if a == i:
                row[b] = 0
        had_allowed[i] = (row > 0).any()
        row[room <= 0] = 0
        j = int(np.argmax(row))
        if row[j] > 0:
            chosen.append((i, j))
            room[j] -= 1
    stats = {"total_s": time.perf_counter() - started}
    return s.result(chosen, had_any, had_allowed, "greedy", stats)


def evaluate(pairs: Iterable[tuple[int, int]], tutees: Sequence[Tutee], tutors: Sequence[Tutor],
             settings: PairingSettings = _DEFAULT) -> Score:
    """The objective of any (tutee, tutor) pairs."""
    by_tutee = {t.person_id: t for t in tutees}
    by_tutor = {t.person_id: t for t in tutors}
    return score(make_pair(by_tutee[a], by_tutor[b], settings) for a, b in pairs)
