"""Individual professional-development routes (ИПОМ): the planner's public API.

Pure functions over plain frozen dataclasses — no Flask, no SQLAlchemy — so the database layer
adapts to them and tests call them directly::

    plan = plan_routes(teachers, offerings, PlannerSettings(plan_start=date(2024, 9, 1)))

* :func:`plan_routes` — the optimiser (min-cost flow, see ``planner_flow``; then
  ``planner_variety``);
* :func:`plan_greedy` — the first-come baseline benchmarks compare against;
* :func:`lp_upper_bound` — the LP-relaxation bound for gap reporting;
* :func:`evaluate_plan` and :func:`coverage_top3` — metrics computed from assignments alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lti_tool.pathways.planner.bound import lp_bound
from lti_tool.pathways.planner.flow import solve_flow
from lti_tool.pathways.planner.greedy import greedy_pairs
from lti_tool.pathways.planner.instance import Instance, finalize, score
from lti_tool.pathways.planner.model import (
    DEFAULT_FORM_ORDER,
    REASON_NO_NEED,
    REASON_NO_OFFERINGS,
    REASON_NO_SEATS,
    REASON_NOT_ASSIGNED,
    REASON_STEP_LIMIT,
    Assignment,
    LPBound,
    OfferingSlot,
    Plan,
    PlannerSettings,
    PlanningError,
    Score,
    TeacherNeeds,
    UnmetNeed,
)
from lti_tool.pathways.planner.variety import diversify_forms

__all__ = [
    "DEFAULT_FORM_ORDER", "REASON_NO_NEED", "REASON_NO_OFFERINGS", "REASON_NO_SEATS",
    "REASON_NOT_ASSIGNED", "REASON_STEP_LIMIT", "Assignment", "LPBound", "OfferingSlot", "Plan",
    "PlannerSettings", "PlanningError", "Score", "TeacherNeeds", "UnmetNeed", "coverage_top3",
    "evaluate_plan", "lp_upper_bound", "plan_greedy", "plan_routes",
]

_DEFAULT = PlannerSettings()


def plan_routes(
    teachers: Sequence[TeacherNeeds],
    offerings: Sequence[OfferingSlot],
    settings: PlannerSettings = _DEFAULT,
    *,
    aggregate: bool = True,
) -> Plan:
    """Optimal routes: max priority needs covered, then max need weight and bonuses; among
    optimal routes, repeated forms across a teacher's topics are swapped for new ones."""
    inst = Instance(teachers, offerings, settings)
    pairs, stats = solve_flow(inst, aggregate=aggregate)
    pairs = diversify_forms(inst, pairs)
    return finalize(inst, pairs, "min_cost_flow" if aggregate else "min_cost_flow_plain", stats)


def plan_greedy(
    teachers: Sequence[TeacherNeeds],
    offerings: Sequence[OfferingSlot],
    settings: PlannerSettings = _DEFAULT,
) -> Plan:
    """First-come baseline: teachers by id take the first free offering on their top topics."""
    inst = Instance(teachers, offerings, settings)
    pairs, stats = greedy_pairs(inst)
    return finalize(inst, pairs, "greedy", stats)


def lp_upper_bound(
    teachers: Sequence[TeacherNeeds],
    offerings: Sequence[OfferingSlot],
    settings: PlannerSettings = _DEFAULT,
    *,
    method: str = "auto",
) -> LPBound:
    """LP-relaxation bounds of coverage and objective: method "lp" (GLOP), "flow", "flow_plain"
    or "auto" (GLOP up to 50,000 teacher-offering pairs, else "flow")."""
    return lp_bound(Instance(teachers, offerings, settings), method)


def evaluate_plan(
    assignments: Iterable[Assignment | tuple[int, int]],
    teachers: Sequence[TeacherNeeds],
    offerings: Sequence[OfferingSlot],
    settings: PlannerSettings = _DEFAULT,
) -> Score:
    """The model's coverage and objective of any set of steps (e.g. one edited by hand)."""
    inst = Instance(teachers, offerings, settings)
    pairs = [(a.teacher_id, a.offering_id) if isinstance(a, Assignment) else a for a in assignments]
    return score(inst, pairs)


def coverage_top3(plan: Plan, teachers: Sequence[TeacherNeeds], min_need: float = 0.2) -> float:
    """Share of teachers' top-3 needs (need >= min_need) that have at least one step (1.0 if none)."""
    taken = {(a.teacher_id, a.topic_id) for a in plan.assignments}
    total = covered = 0
    for t in teachers:
        top = sorted(((-n, k) for k, n in t.needs.items() if n >= min_need and n > 0))[:3]
        total += len(top)
        covered += sum((t.teacher_id, k) in taken for _, k in top)
    return covered / total if total else 1.0
