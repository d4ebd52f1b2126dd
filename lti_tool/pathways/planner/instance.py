"""Input checking and the shared parts of every planner: priorities, step values, scoring, results.

Both the optimiser and the greedy baseline read the same :class:`Instance` and build their
:class:`Plan` with :func:`finalize`, so their objective, order and reasons are comparable.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from lti_tool.pathways.planner.model import (
    REASON_NO_NEED,
    REASON_NO_OFFERINGS,
    REASON_NO_SEATS,
    REASON_NOT_ASSIGNED,
    REASON_STEP_LIMIT,
    Assignment,
    OfferingSlot,
    Plan,
    PlannerSettings,
    PlanningError,
    Score,
    TeacherNeeds,
    UnmetNeed,
)


def step_values(weight: float, count: int, settings: PlannerSettings) -> list[float]:
    """Values of the 1st, 2nd, ... step on one topic: non-increasing (diminishing returns)."""
    values: list[float] = []
    for j in range(count):
        value = weight if j == 0 else weight * settings.repeat_decay**j + settings.form_variety_bonus
        values.append(min(value, values[-1]) if values else value)
    return values


def is_local(place: tuple[int | None, str | None], offering: OfferingSlot) -> bool:
    """An offering in the teacher's own methodological cluster or municipality.

    ``place`` is the teacher's (cluster_id, municipality): teachers in one place see the same
    offerings as local, which lets the flow share one pool per place.
    """
    cluster_id, municipality = place
    same_cluster = cluster_id is not None and cluster_id == offering.cluster_id
    same_town = municipality is not None and municipality == offering.municipality
    return same_cluster or same_town


def place_of(teacher: TeacherNeeds) -> tuple[int | None, str | None]:
    """Where a teacher works, as far as the local bonus is concerned."""
    return teacher.cluster_id, teacher.municipality


class Instance:
    """Validated input with everything the planners look up repeatedly."""

    def __init__(
        self,
        teachers: Sequence[TeacherNeeds],
        offerings: Sequence[OfferingSlot],
        settings: PlannerSettings,
    ) -> None:
        self.settings = settings
        _check_settings(settings)
        self.teachers = sorted(teachers, key=lambda t: t.teacher_id)
        self.teacher_by_id = {t.teacher_id: t for t in self.teachers}
        self.offerings = {o.offering_id: o for o in offerings}
        if len(self.teacher_by_id) != len(teachers) or len(self.offerings) != len(offerings):
            raise PlanningError("teacher_id and offering_id must be unique")
        self.fixed = sorted({_pair(f) for f in settings.fixed})
        self.excluded: dict[int, set[int]] = defaultdict(set)
        for teacher_id, offering_id in settings.excluded:
            self.excluded[teacher_id].add(offering_id)
        self._check_fixed()
        fixed_seats = Counter(offering_id for _, offering_id in self.fixed)
        self.residual = {
            o.offering_id: o.capacity - fixed_seats[o.offering_id] for o in self.offerings.values()
        }
        # In the plan's dates; those without seats left (capacity 0 included) are "full", not absent.
        self.usable = sorted(
            (o for o in self.offerings.values() if self._in_dates(o)), key=lambda o: o.offering_id
        )
        self.by_topic: dict[int, list[OfferingSlot]] = defaultdict(list)
        for o in self.usable:
            self.by_topic[o.topic_id].append(o)
        self.fixed_per_topic: Counter[tuple[int, int]] = Counter()
        self.blocked_forms: dict[tuple[int, int], set[str]] = defaultdict(set)
        fixed_steps: Counter[int] = Counter()
        for teacher_id, offering_id in self.fixed:
            o = self.offerings[offering_id]
            self.fixed_per_topic[teacher_id, o.topic_id] += 1
            self.blocked_forms[teacher_id, o.topic_id].add(o.form)
            fixed_steps[teacher_id] += 1
        self.priorities = {t.teacher_id: self._priorities(t) for t in self.teachers}
        self.steps_left = {
            t.teacher_id: max(0, self.max_steps(t) - fixed_steps[t.teacher_id]) for t in self.teachers
        }

    def max_steps(self, teacher: TeacherNeeds) -> int:
        """The teacher's own step limit, or the network-wide one."""
        return self.settings.steps_per_teacher if teacher.max_steps is None else teacher.max_steps

    def _in_dates(self, o: OfferingSlot) -> bool:
        start, end = self.settings.plan_start, self.settings.plan_end
        ended = start is not None and o.ends_on is not None and o.ends_on < start
        too_late = end is not None and o.starts_on is not None and o.starts_on > end
        return not (ended or too_late)

    def _priorities(self, teacher: TeacherNeeds) -> list[tuple[int, float, float]]:
        """(topic, need, weight) of the teacher's top needs, highest first, ties by topic id."""
        s = self.settings
        needs = sorted(
            ((k, n) for k, n in teacher.needs.items() if n >= s.min_need and n > 0),
            key=lambda kn: (-kn[1], kn[0]),
        )[: s.topics_per_teacher]
        weights = s.rank_weights or (1.0,)
        return [(k, n, n * weights[min(r, len(weights) - 1)]) for r, (k, n) in enumerate(needs)]

    def _check_fixed(self) -> None:
        for teacher_id, offering_id in self.fixed:
            if teacher_id not in self.teacher_by_id or offering_id not in self.offerings:
                raise PlanningError(f"fixed step ({teacher_id}, {offering_id}) is unknown")
            if offering_id in self.excluded.get(teacher_id, ()):
                raise PlanningError(f"fixed step ({teacher_id}, {offering_id}) is also excluded")
        for offering_id, seats in Counter(o for _, o in self.fixed).items():
            if seats > self.offerings[offering_id].capacity:
                raise PlanningError(f"fixed steps overbook offering {offering_id}")


def _check_settings(s: PlannerSettings) -> None:
    # The flow needs diminishing returns and non-negative bonuses (its coverage weight
    # and the counting bound rely on them).
    if not 0 <= s.repeat_decay <= 1 or min(s.local_bonus, s.form_variety_bonus, *s.rank_weights) < 0:
        raise PlanningError("repeat_decay must be in [0, 1]; bonuses and rank weights non-negative")
    if min(s.steps_per_teacher, s.topics_per_teacher, s.max_steps_per_topic) < 0:
        raise PlanningError("step and topic limits must be non-negative")


def _pair(fixed: tuple[int, int] | Assignment) -> tuple[int, int]:
    if isinstance(fixed, Assignment):
        return fixed.teacher_id, fixed.offering_id
    teacher_id, offering_id = fixed
    return int(teacher_id), int(offering_id)


def score(inst: Instance, pairs: Iterable[tuple[int, int]]) -> Score:
    """The model objective of (teacher_id, offering_id) pairs, from scratch."""
    per_topic: Counter[tuple[int, int]] = Counter()
    bonus = 0.0
    for teacher_id, offering_id in pairs:
        o = inst.offerings[offering_id]
        per_topic[teacher_id, o.topic_id] += 1
        if is_local(place_of(inst.teacher_by_id[teacher_id]), o):
            bonus += inst.settings.local_bonus
    covered, value = 0, bonus
    for teacher_id, priorities in inst.priorities.items():
        for topic_id, _need, weight in priorities:
            count = per_topic[teacher_id, topic_id]
            covered += count > 0
            value += sum(step_values(weight, count, inst.settings))
    return Score(covered=covered, objective=value)


def finalize(
    inst: Instance, chosen: Iterable[tuple[int, int]], method: str, stats: dict[str, float]
) -> Plan:
    """Turn chosen (teacher, offering) pairs plus the fixed ones into an ordered Plan."""
    fixed = set(inst.fixed)
    pairs = sorted(fixed | set(chosen))
    rank = {form: i for i, form in enumerate(inst.settings.form_order)}
    by_teacher: dict[int, list[OfferingSlot]] = defaultdict(list)
    for teacher_id, offering_id in pairs:
        by_teacher[teacher_id].append(inst.offerings[offering_id])
    assignments: list[Assignment] = []
    for teacher_id in sorted(by_teacher):
        steps = sorted(
            by_teacher[teacher_id],
            key=lambda o: (rank.get(o.form, len(rank)), o.form, o.starts_on or date.max, o.offering_id),
        )
        assignments.extend(
            Assignment(teacher_id, o.offering_id, o.topic_id, o.form, i, (teacher_id, o.offering_id) in fixed)
            for i, o in enumerate(steps, start=1)
        )
    used = Counter(offering_id for _, offering_id in pairs)
    seats_used = {oid: used[oid] for oid in sorted(inst.offerings)}
    result = score(inst, pairs)
    unmet = unmet_needs(inst, assignments, seats_used)
    return Plan(assignments, unmet, seats_used, result.objective, result.covered, method, stats)


def unmet_needs(
    inst: Instance, assignments: Sequence[Assignment], seats_used: dict[int, int]
) -> dict[int, list[UnmetNeed]]:
    """Priority needs without a step, with the reason a methodist can act on."""
    topics_taken = {(a.teacher_id, a.topic_id) for a in assignments}
    steps_taken = Counter(a.teacher_id for a in assignments)
    free_by_topic = {
        k: [o.offering_id for o in offers if seats_used[o.offering_id] < o.capacity]
        for k, offers in inst.by_topic.items()
    }
    unmet: dict[int, list[UnmetNeed]] = {}
    for t in inst.teachers:
        tid, excluded = t.teacher_id, inst.excluded.get(t.teacher_id, set())
        if not inst.priorities[tid]:
            unmet[tid] = [UnmetNeed(tid, None, 0.0, REASON_NO_NEED)]
            continue
        missing = []
        for topic_id, need, _ in inst.priorities[tid]:
            if (tid, topic_id) in topics_taken:
                continue
            offers = [o for o in inst.by_topic.get(topic_id, ()) if o.offering_id not in excluded]
            if not offers:
                reason = REASON_NO_OFFERINGS
            elif not any(oid not in excluded for oid in free_by_topic[topic_id]):
                reason = REASON_NO_SEATS
            elif steps_taken[tid] >= inst.max_steps(t):
                reason = REASON_STEP_LIMIT
            else:
                reason = REASON_NOT_ASSIGNED
            missing.append(UnmetNeed(tid, topic_id, need, reason))
        if missing:
            unmet[tid] = missing
    return unmet
