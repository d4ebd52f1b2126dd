"""Pairing as a min-cost flow (OR-Tools SimpleMinCostFlow)::

    tutee -> sink      cap 1, cost 0                    (left without a tutor)
    tutee -> tutor     cap 1, cost -(W_match + W_young·young + value)
    tutor -> sink      cap = load limit − manual pairs, cost 0
    supply 1 per tutee, demand n at the sink

W_match exceeds the value of all tutees together and W_young the rest of the objective, so the
optimum matches as many young specialists as possible, then as many tutees, then the most value:
the lexicographic order of `Score`. Each tutee keeps arcs only to her `candidates_per_tutee` best
tutors among those with room left (ties spread by a fixed hash, so tutees with equal choices do not
all queue for the lowest id); with None every candidate arc is kept and the optimum is exact.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from lti_tool.pathways.pairing.instance import Matrix
from lti_tool.pathways.pairing.model import PairingError

SINK = 0
TIE_SPREAD = 4096


def candidate_arcs(matrix: Matrix, room: np.ndarray, excluded: set[tuple[int, int]], keep: int | None):
    """(tutee rows, tutor columns, values) of the kept arcs, and per tutee whether she had any
    candidate at all and any candidate that was not excluded (for the reasons of the unmatched)."""
    rows, cols, vals = [], [], []
    had_any = np.zeros(matrix.rows, dtype=bool)
    had_allowed = np.zeros(matrix.rows, dtype=bool)
    tutor_idx = np.arange(len(room), dtype=np.int64)
    for start, values in matrix.blocks():
        had_any[start:start + len(values)] = (values > 0).any(axis=1)
        for i, j in excluded:
            if start <= i < start + len(values):
                values[i - start, j] = 0
        had_allowed[start:start + len(values)] = (values > 0).any(axis=1)
        values[:, room <= 0] = 0
        if keep is not None and keep < values.shape[1]:
            idx = np.arange(start, start + len(values), dtype=np.int64)[:, None]
            spread = (idx * 2654435761 + tutor_idx[None, :] * 40503) % TIE_SPREAD
            key = values * TIE_SPREAD + spread
            top = np.argpartition(-key, keep - 1, axis=1)[:, :keep]
            picked = np.take_along_axis(values, top, axis=1)
            r, c = np.nonzero(picked > 0)
            rows.append(r + start)
            cols.append(top[r, c])
            vals.append(picked[r, c])
        else:
            r, c = np.nonzero(values > 0)
            rows.append(r + start)
            cols.append(c)
            vals.append(values[r, c])
    cat = (lambda parts: np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64))
    return cat(rows), cat(cols), cat(vals), had_any, had_allowed


def solve(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, young: np.ndarray, room: np.ndarray
          ) -> tuple[np.ndarray, dict[str, float]]:
    """Indexes into the arcs (rows, cols) that the optimal flow uses, and solver statistics."""
    started = time.perf_counter()
    n, m = len(young), len(room)
    max_value = int(vals.max()) if len(vals) else 0
    w_match = max_value * n + 1
    w_young = (w_match + max_value) * n + 1
    tutee_node = 1 + np.arange(n, dtype=np.int32)
    tutor_node = 1 + n + np.arange(m, dtype=np.int32)
    tails = np.concatenate([tutee_node, tutee_node[rows], tutor_node]).astype(np.int32)
    heads = np.concatenate([np.full(n, SINK), tutor_node[cols], np.full(m, SINK)]).astype(np.int32)
    caps = np.concatenate([np.ones(n), np.ones(len(rows)), np.maximum(room, 0)]).astype(np.int64)
    costs = np.concatenate([np.zeros(n, dtype=np.int64), -(w_match + w_young * young[rows] + vals),
                            np.zeros(m, dtype=np.int64)]).astype(np.int64)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    if n:
        solver.set_nodes_supplies(tutee_node, np.ones(n, dtype=np.int64))
        solver.set_node_supply(SINK, -n)
    built = time.perf_counter()
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise PairingError(f"min-cost flow failed with status {status}")
    flows = solver.flows(np.arange(n, n + len(rows), dtype=np.int32))
    return np.flatnonzero(flows > 0), {"arcs": float(len(tails)), "nodes": float(n + m + 1),
                                       "build_s": built - started, "solve_s": time.perf_counter() - built}
