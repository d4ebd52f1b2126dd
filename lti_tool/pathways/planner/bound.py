"""Upper bounds of the route model's LP relaxation, for reporting optimality gaps.

The model is a network-flow problem, so its LP relaxation has an integral optimum: the bound
equals the optimum and a correct optimiser has a 0 % gap; the bound is what the greedy baseline
is measured against. Two independent ways to get it:

* ``"lp"``: the textbook formulation over x[teacher, offering] solved by GLOP (in two stages
  when coverage comes first) — independent of the flow graph, for small and medium instances;
* ``"flow"``: the same LP solved as a min-cost flow (cost scaling solves the LP exactly, and
  its optimum is integral) — seconds at 10,000 teachers where GLOP would take minutes; on the
  pooled graph (the planner's own, so the planner's gap is 0 by construction), or with
  ``"flow_plain"`` on the graph with one arc per teacher and offering (an independent check of
  the pooling, slower).
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.linear_solver import pywraplp

from lti_tool.pathways.planner.flow import solve_flow
from lti_tool.pathways.planner.instance import Instance, is_local, place_of, score, step_values
from lti_tool.pathways.planner.model import LPBound

MAX_LP_VARIABLES = 50_000


def lp_bound(inst: Instance, method: str = "auto") -> LPBound:
    """Max coverage and max objective of the LP relaxation (fixed steps included)."""
    started = time.perf_counter()
    candidates = _candidates(inst)
    if method == "auto":
        method = "lp" if len(candidates) <= MAX_LP_VARIABLES else "flow"
    fixed = score(inst, inst.fixed)
    if method == "lp":
        covered, value = _glop(inst, candidates)
    elif method in ("flow", "flow_plain"):
        aggregate = method == "flow"
        pairs, _ = solve_flow(inst, aggregate=aggregate)
        best = score(inst, [*inst.fixed, *pairs])
        covered, value = best.covered - fixed.covered, best.objective - fixed.objective
        if not inst.settings.coverage_first:
            _, stats = solve_flow(inst, aggregate=aggregate, coverage_only=True)
            covered = stats["flow_covered"]
    else:
        raise ValueError(f"unknown bound method {method!r}")
    return LPBound(
        covered=fixed.covered + covered,
        objective=fixed.objective + value,
        method=method,
        seconds=time.perf_counter() - started,
    )


def _candidates(inst: Instance) -> list[tuple[int, int]]:
    """(teacher_id, offering_id) pairs a plan could add: the x variables of the LP."""
    s = inst.settings
    pairs = []
    for t in inst.teachers:
        tid = t.teacher_id
        if inst.steps_left[tid] == 0:
            continue
        excluded = inst.excluded.get(tid, set())
        for topic_id, _, _ in inst.priorities[tid]:
            if inst.fixed_per_topic[tid, topic_id] >= s.max_steps_per_topic:
                continue
            blocked = inst.blocked_forms.get((tid, topic_id), set())
            pairs += [
                (tid, o.offering_id) for o in inst.by_topic.get(topic_id, ())
                if inst.residual[o.offering_id] > 0 and o.form not in blocked
                and o.offering_id not in excluded
            ]
    return pairs


def _glop(inst: Instance, candidates: list[tuple[int, int]]) -> tuple[float, float]:
    """Solve the LP relaxation with GLOP; returns (covered, objective) of what plans add."""
    s = inst.settings
    solver = pywraplp.Solver.CreateSolver("GLOP")
    x = {pair: solver.NumVar(0, 1, "") for pair in candidates}
    per_teacher, per_offering = defaultdict(list), defaultdict(list)
    per_topic, per_form = defaultdict(list), defaultdict(list)
    for (tid, oid), var in x.items():
        o = inst.offerings[oid]
        per_teacher[tid].append(var)
        per_offering[oid].append(var)
        per_topic[tid, o.topic_id].append(var)
        per_form[tid, o.topic_id, o.form].append(var)
    for tid, xs in per_teacher.items():
        solver.Add(solver.Sum(xs) <= inst.steps_left[tid])
    for oid, xs in per_offering.items():
        solver.Add(solver.Sum(xs) <= inst.residual[oid])
    for xs in per_form.values():
        solver.Add(solver.Sum(xs) <= 1)
    first_steps, value_terms = [], []
    weights = {(tid, k): w for tid, pr in inst.priorities.items() for k, _, w in pr}
    for (tid, topic_id), xs in per_topic.items():
        j0 = inst.fixed_per_topic[tid, topic_id]
        values = step_values(weights[tid, topic_id], s.max_steps_per_topic, s)[j0:]
        y = [solver.NumVar(0, 1, "") for _ in values]
        solver.Add(solver.Sum(xs) == solver.Sum(y))  # the j-th step on the topic, j >= j0
        value_terms += [v * yj for v, yj in zip(values, y)]
        if j0 == 0:
            first_steps.append(y[0])
    value_terms += [
        s.local_bonus * var for (tid, oid), var in x.items()
        if is_local(place_of(inst.teacher_by_id[tid]), inst.offerings[oid])
    ]
    coverage, value = solver.Sum(first_steps), solver.Sum(value_terms)
    solver.Maximize(coverage)
    _solve(solver)
    covered = solver.Objective().Value()
    if s.coverage_first:
        solver.Add(coverage >= covered - 1e-7)
    solver.Maximize(value)
    _solve(solver)
    return covered, solver.Objective().Value()


def _solve(solver: pywraplp.Solver) -> None:
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        raise RuntimeError(f"GLOP failed with status {status}")
