"""The route planner: hard rules, optimality against brute force, baseline, order, determinism."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from lti_tool.pathways.planner import (
    DEFAULT_FORM_ORDER,
    REASON_NO_NEED,
    REASON_NO_OFFERINGS,
    REASON_NO_SEATS,
    REASON_NOT_ASSIGNED,
    REASON_STEP_LIMIT,
    OfferingSlot,
    Plan,
    PlannerSettings,
    PlanningError,
    TeacherNeeds,
    coverage_top3,
    evaluate_plan,
    lp_upper_bound,
    plan_greedy,
    plan_routes,
)

YEAR_START = date(2024, 9, 1)
TOWNS = [None, "Томск", "Северск"]


def random_instance(rng: random.Random, teachers: int, offerings: int, topics: int = 3, forms: int = 3):
    """Messy small instances: missing needs, tiny or zero capacities, expired offerings, locality."""
    ts = [
        TeacherNeeds(
            teacher_id=10 + i,
            needs={k: round(rng.random(), 2) for k in range(topics) if rng.random() < 0.75},
            cluster_id=rng.choice([None, 1, 2]),
            municipality=rng.choice(TOWNS),
            max_steps=rng.choice([None, None, 1, 2]),
        )
        for i in range(teachers)
    ]
    os = [
        OfferingSlot(
            offering_id=500 + j,
            topic_id=rng.randrange(topics),
            form=rng.choice(DEFAULT_FORM_ORDER[:forms]),
            capacity=rng.choice([0, 1, 1, 2, 3]),
            starts_on=date(2024, rng.randint(1, 12), 1),
            ends_on=rng.choice([None, date(2024, 5, 31), date(2025, 5, 31)]),
            cluster_id=rng.choice([None, 1, 2]),
            municipality=rng.choice(TOWNS),
        )
        for j in range(offerings)
    ]
    return ts, os


def random_settings(rng: random.Random, **overrides) -> PlannerSettings:
    """Settings with every knob that changes the model's shape varied."""
    values = dict(
        steps_per_teacher=rng.choice([1, 2, 3]),
        topics_per_teacher=rng.choice([2, 3]),
        max_steps_per_topic=rng.choice([1, 2]),
        local_bonus=rng.choice([0.0, 0.1, 0.4]),
        form_variety_bonus=rng.choice([0.0, 0.05, 0.3]),
        coverage_first=rng.choice([True, False]),
        plan_start=YEAR_START,
    )
    values.update(overrides)
    return PlannerSettings(**values)


def random_fixed(rng: random.Random, ts, os, settings: PlannerSettings) -> PlannerSettings:
    """Add a few manual steps that fit capacity, and a few exclusions that do not clash."""
    seats = Counter()
    fixed = []
    for t in rng.sample(ts, k=min(2, len(ts))):
        o = rng.choice(os)
        if seats[o.offering_id] < o.capacity:
            seats[o.offering_id] += 1
            fixed.append((t.teacher_id, o.offering_id))
    excluded = {(t.teacher_id, rng.choice(os).offering_id) for t in rng.sample(ts, k=min(2, len(ts)))}
    return replace(settings, fixed=tuple(fixed), excluded=frozenset(excluded - set(fixed)))


def capacity_violations(plan: Plan, offerings) -> int:
    """Seats beyond capacity, counted from the assignments alone (not from plan.seats_used)."""
    capacity = {o.offering_id: o.capacity for o in offerings}
    used = Counter(a.offering_id for a in plan.assignments)
    return sum(max(0, n - capacity[oid]) for oid, n in used.items())


# --- An oracle written from the model's definition, independent of the planner's code ----------


def priorities(t: TeacherNeeds, s: PlannerSettings):
    top = sorted((k for k, n in t.needs.items() if n >= s.min_need and n > 0), key=lambda k: (-t.needs[k], k))
    top = top[: s.topics_per_teacher]
    return {k: t.needs[k] * s.rank_weights[min(r, len(s.rank_weights) - 1)] for r, k in enumerate(top)}


def teacher_value(t: TeacherNeeds, chosen, s: PlannerSettings) -> tuple[int, float]:
    """(priority needs covered, objective) of one teacher's steps."""
    prio = priorities(t, s)
    per_topic = Counter(o.topic_id for o in chosen)
    covered, value = 0, 0.0
    for k, w in prio.items():
        covered += per_topic[k] > 0
        prev = None
        for j in range(per_topic[k]):
            v = w if j == 0 else w * s.repeat_decay**j + s.form_variety_bonus
            prev = v if prev is None else min(prev, v)
            value += prev
    for o in chosen:
        local = (t.cluster_id is not None and t.cluster_id == o.cluster_id) or (
            t.municipality is not None and t.municipality == o.municipality
        )
        value += s.local_bonus * local
    return covered, value


def teacher_options(t: TeacherNeeds, os, s: PlannerSettings):
    """Every feasible set of steps for one teacher (fixed steps included)."""
    by_id = {o.offering_id: o for o in os}
    fixed = [by_id[oid] for tid, oid in s.fixed if tid == t.teacher_id]
    limit = s.steps_per_teacher if t.max_steps is None else t.max_steps
    prio = priorities(t, s)
    allowed = [
        o for o in os
        if o.topic_id in prio and o.capacity > 0 and (t.teacher_id, o.offering_id) not in s.excluded
        and not (o.ends_on and o.ends_on < s.plan_start) and o not in fixed
    ]
    options = []

    def extend(start, chosen):
        steps = fixed + chosen
        options.append(steps)
        if len(steps) >= limit:
            return
        for i in range(start, len(allowed)):
            o = allowed[i]
            if any((c.topic_id, c.form) == (o.topic_id, o.form) for c in steps):
                continue
            if sum(c.topic_id == o.topic_id for c in steps) >= s.max_steps_per_topic:
                continue
            extend(i + 1, chosen + [o])

    extend(0, [])
    return options


def brute_force(ts, os, s: PlannerSettings) -> tuple[int, float]:
    """Best (covered, objective) over all feasible plans, compared as the settings say."""
    options = [
        [(steps, teacher_value(t, steps, s)) for steps in teacher_options(t, os, s)] for t in ts
    ]
    capacity = {o.offering_id: o.capacity for o in os}
    best = None

    def key(covered, value):
        return (covered, value) if s.coverage_first else (value,)

    def search(i, seats, covered, value):
        nonlocal best
        if i == len(ts):
            if best is None or key(covered, value) > key(*best):
                best = (covered, value)
            return
        for steps, (c, v) in options[i]:
            if all(seats[o.offering_id] < capacity[o.offering_id] for o in steps):
                for o in steps:
                    seats[o.offering_id] += 1
                search(i + 1, seats, covered + c, value + v)
                for o in steps:
                    seats[o.offering_id] -= 1

    search(0, Counter(), 0, 0.0)
    return best


# --- Hard rules -----------------------------------------------------------------------------


def test_capacity_never_exceeded_on_random_instances():
    rng = random.Random(7)
    for _ in range(60):
        ts, os = random_instance(rng, teachers=40, offerings=25, topics=5, forms=4)
        s = random_fixed(rng, ts, os, random_settings(rng))
        for plan in (plan_routes(ts, os, s), plan_routes(ts, os, s, aggregate=False), plan_greedy(ts, os, s)):
            assert capacity_violations(plan, os) == 0
            assert set(s.fixed) <= {(a.teacher_id, a.offering_id) for a in plan.assignments}


def test_pooled_offerings_keep_their_capacities():
    """Many teachers on one topic and form: the pooled flow is split back seat by seat."""
    ts = [TeacherNeeds(i, {1: 0.9}, municipality="Томск" if i % 3 == 0 else "Асино") for i in range(50)]
    os = [OfferingSlot(100 + j, 1, "tutorial", capacity=1 + j % 4, municipality="Томск" if j < 2 else None)
          for j in range(8)]
    plan = plan_routes(ts, os)
    assert capacity_violations(plan, os) == 0
    assert plan.covered == sum(o.capacity for o in os)
    assert plan.seats_used == {o.offering_id: o.capacity for o in os}


def test_manual_steps_are_kept_and_take_seats_first():
    ts = [TeacherNeeds(1, {7: 0.3}), TeacherNeeds(2, {7: 1.0})]
    os = [OfferingSlot(100, 7, "tutorial", capacity=1)]
    plan = plan_routes(ts, os, PlannerSettings(fixed=((1, 100),)))
    assert [(a.teacher_id, a.offering_id, a.fixed) for a in plan.assignments] == [(1, 100, True)]
    assert plan.unmet[2][0].reason == REASON_NO_SEATS


def test_manual_steps_beyond_capacity_are_rejected():
    ts = [TeacherNeeds(1, {7: 0.3}), TeacherNeeds(2, {7: 1.0})]
    os = [OfferingSlot(100, 7, "tutorial", capacity=1)]
    with pytest.raises(PlanningError):
        plan_routes(ts, os, PlannerSettings(fixed=((1, 100), (2, 100))))


def test_teacher_without_need_gets_no_steps():
    ts = [TeacherNeeds(1, {}), TeacherNeeds(2, {7: 0.1, 8: 0.0}), TeacherNeeds(3, {7: 0.5})]
    os = [OfferingSlot(100, 7, "tutorial", 5), OfferingSlot(101, 8, "consultation", 5)]
    for plan in (plan_routes(ts, os), plan_greedy(ts, os)):
        assert {a.teacher_id for a in plan.assignments} == {3}
        assert [u.reason for u in plan.unmet[1] + plan.unmet[2]] == [REASON_NO_NEED, REASON_NO_NEED]


def test_expired_and_late_offerings_are_not_used():
    ts = [TeacherNeeds(1, {7: 0.9})]
    os = [
        OfferingSlot(100, 7, "tutorial", 5, date(2024, 3, 1), date(2024, 5, 31)),
        OfferingSlot(101, 7, "consultation", 5, date(2025, 9, 1), None),
    ]
    s = PlannerSettings(plan_start=YEAR_START, plan_end=date(2025, 6, 30))
    for plan in (plan_routes(ts, os, s), plan_greedy(ts, os, s)):
        assert plan.assignments == []
        assert plan.unmet[1][0].reason == REASON_NO_OFFERINGS


def test_route_rules_hold_on_random_instances():
    rng = random.Random(11)
    for _ in range(40):
        ts, os = random_instance(rng, teachers=30, offerings=30, topics=5, forms=4)
        s = random_fixed(rng, ts, os, random_settings(rng))
        plan = plan_routes(ts, os, s)
        by_id = {o.offering_id: o for o in os}
        fixed = set(s.fixed)
        free = [a for a in plan.assignments if (a.teacher_id, a.offering_id) not in fixed]
        for t in ts:
            steps = [a for a in free if a.teacher_id == t.teacher_id]
            route = plan.route(t.teacher_id)
            limit = s.steps_per_teacher if t.max_steps is None else t.max_steps
            assert len(steps) <= max(0, limit - (len(route) - len(steps)))
            assert {a.topic_id for a in steps} <= set(priorities(t, s))
            assert len({(a.topic_id, a.form) for a in route}) == len(route)
            assert all(Counter(a.topic_id for a in route)[a.topic_id] <= s.max_steps_per_topic for a in steps)
        assert not {(a.teacher_id, a.offering_id) for a in free} & s.excluded
        assert all(not (by_id[a.offering_id].ends_on or date.max) < YEAR_START for a in free)
        reasons = {u.reason for needs in plan.unmet.values() for u in needs}
        assert REASON_NOT_ASSIGNED not in reasons


def test_unmet_reasons():
    ts = [TeacherNeeds(1, {7: 0.9, 8: 0.8, 9: 0.7}, max_steps=1), TeacherNeeds(2, {7: 0.9, 8: 0.5})]
    os = [OfferingSlot(100, 7, "tutorial", 1), OfferingSlot(101, 8, "tutorial", 1)]
    plan = plan_routes(ts, os)
    reasons = {(u.teacher_id, u.topic_id): u.reason for needs in plan.unmet.values() for u in needs}
    assert reasons[1, 9] == REASON_NO_OFFERINGS
    assert REASON_NO_SEATS in reasons.values()
    plan = plan_routes([ts[0]], os)
    reasons = {u.topic_id: u.reason for u in plan.unmet[1]}
    assert reasons == {8: REASON_STEP_LIMIT, 9: REASON_NO_OFFERINGS}
    full = [OfferingSlot(100, 7, "tutorial", 0)]  # e.g. every seat held by published routes
    assert plan_routes([ts[1]], full).unmet[2][0].reason == REASON_NO_SEATS


def test_prefers_offerings_in_own_cluster_or_municipality():
    ts = [TeacherNeeds(1, {7: 0.9}, cluster_id=3, municipality="Томск"),
          TeacherNeeds(2, {7: 0.9}, cluster_id=4, municipality="Северск")]
    os = [OfferingSlot(100, 7, "tutorial", 1, municipality="Северск"),
          OfferingSlot(101, 7, "tutorial", 1, cluster_id=3, municipality="Асино")]
    plan = plan_routes(ts, os)
    assert {(a.teacher_id, a.offering_id) for a in plan.assignments} == {(1, 101), (2, 100)}
    assert plan.objective == pytest.approx(2 * 0.9 + 2 * PlannerSettings().local_bonus)


def test_excluded_pairs_and_manual_forms_are_respected():
    ts = [TeacherNeeds(1, {7: 0.9}, max_steps=2)]
    os = [OfferingSlot(100, 7, "tutorial", 5), OfferingSlot(101, 7, "tutorial", 5),
          OfferingSlot(102, 7, "consultation", 5), OfferingSlot(103, 7, "master_class", 5)]
    s = PlannerSettings(fixed=((1, 100),), excluded=frozenset({(1, 102)}))
    plan = plan_routes(ts, os, s)
    # 101 repeats the manual step's form, 102 is excluded: the second step can only be 103.
    assert [(a.offering_id, a.fixed) for a in plan.assignments] == [(100, True), (103, False)]


# --- Optimality -----------------------------------------------------------------------------


def test_optimal_against_brute_force():
    rng = random.Random(2024)
    for case in range(300):
        ts, os = random_instance(rng, teachers=4, offerings=5)
        s = random_settings(rng)
        if case % 3 == 0:
            s = random_fixed(rng, ts, os, s)
        plan = plan_routes(ts, os, s)
        covered, value = brute_force(ts, os, s)
        if s.coverage_first:
            assert plan.covered == covered, case
        assert plan.objective == pytest.approx(value, abs=1e-3), case  # costs: 1e-4 units
        assert evaluate_plan(plan.assignments, ts, os, s).objective == pytest.approx(plan.objective)


def test_lexicographic_weight_grows_until_coverage_is_maximal(monkeypatch):
    """Starting from no coverage weight at all, the solver must still reach max coverage."""
    from lti_tool.pathways.planner import flow as planner_flow

    rng, escalated = random.Random(8), 0
    for case in range(60):
        ts, os = random_instance(rng, teachers=4, offerings=5)
        s = random_settings(rng, coverage_first=True)
        expected = plan_routes(ts, os, s)
        monkeypatch.setattr(planner_flow, "FIRST_BIG_M_STEPS", 0)
        plan = plan_routes(ts, os, s)
        monkeypatch.undo()
        covered, value = brute_force(ts, os, s)
        assert plan.covered == expected.covered == covered, case
        assert plan.objective == pytest.approx(value, abs=1e-3), case
        escalated += plan.stats["flow_solves"] > 1
    assert escalated  # the test exercised the retry


def test_aggregated_graph_matches_plain_graph_and_lp_bound():
    rng = random.Random(5)
    for _ in range(12):
        ts, os = random_instance(rng, teachers=60, offerings=40, topics=6, forms=5)
        s = random_fixed(rng, ts, os, random_settings(rng))
        pooled, plain = plan_routes(ts, os, s), plan_routes(ts, os, s, aggregate=False)
        bound = lp_upper_bound(ts, os, s, method="lp")
        assert pooled.covered == plain.covered
        assert pooled.objective == pytest.approx(plain.objective, abs=1e-3)
        assert pooled.objective == pytest.approx(bound.objective, abs=1e-3)
        if s.coverage_first:
            assert pooled.covered == pytest.approx(bound.covered)
        for method in ("flow", "flow_plain"):
            other = lp_upper_bound(ts, os, s, method=method)
            assert other.objective == pytest.approx(bound.objective, abs=1e-3)


def test_covers_at_least_as_much_as_greedy():
    rng = random.Random(99)
    for _ in range(40):
        ts, os = random_instance(rng, teachers=50, offerings=20, topics=5, forms=4)
        s = random_settings(rng, coverage_first=True, topics_per_teacher=3)
        best, greedy = plan_routes(ts, os, s), plan_greedy(ts, os, s)
        assert best.covered >= greedy.covered
        assert coverage_top3(best, ts, s.min_need) >= coverage_top3(greedy, ts, s.min_need)


def test_coverage_top3_counts_top_needs_only():
    ts = [TeacherNeeds(1, {1: 0.9, 2: 0.8, 3: 0.7, 4: 0.6, 5: 0.1}), TeacherNeeds(2, {})]
    os = [OfferingSlot(100, 1, "tutorial", 1), OfferingSlot(101, 4, "tutorial", 1)]
    plan = plan_routes(ts, os, PlannerSettings(topics_per_teacher=4))
    assert {a.topic_id for a in plan.assignments} == {1, 4}
    assert coverage_top3(plan, ts) == pytest.approx(1 / 3)


def test_forms_vary_across_topics_when_seats_allow():
    ts = [TeacherNeeds(1, {1: 0.9, 2: 0.8, 3: 0.7})]
    os = [OfferingSlot(100 + k, k, "consultation", 5) for k in (1, 2, 3)] + [
        OfferingSlot(200 + k, k, form, 5) for k, form in ((2, "tutorial"), (3, "master_class"))
    ]
    plan = plan_routes(ts, os)
    assert sorted(a.form for a in plan.assignments) == ["consultation", "master_class", "tutorial"]
    assert plan.objective == pytest.approx(0.9 + 0.8 * 0.85 + 0.7 * 0.7)


# --- Order and determinism ------------------------------------------------------------------


def test_steps_follow_form_progression_then_dates():
    ts = [TeacherNeeds(1, {1: 0.9, 2: 0.8, 3: 0.7}, max_steps=5)]
    os = [
        OfferingSlot(100, 1, "internship", 3, date(2024, 10, 1)),
        OfferingSlot(101, 1, "consultation", 3, date(2025, 2, 1)),
        OfferingSlot(102, 2, "consultation", 3, date(2024, 11, 1)),
        OfferingSlot(103, 2, "master_class", 3, date(2024, 9, 15)),
        OfferingSlot(104, 3, "tutorial", 3, date(2025, 3, 1)),
    ]
    plan = plan_routes(ts, os, PlannerSettings(steps_per_teacher=5))
    assert [(a.order, a.offering_id) for a in plan.assignments] == [
        (1, 102), (2, 101), (3, 104), (4, 103), (5, 100)
    ]


def test_same_input_same_plan():
    rng = random.Random(3)
    ts, os = random_instance(rng, teachers=200, offerings=60, topics=6, forms=5)
    s = random_settings(rng)
    first = plan_routes(ts, os, s)
    again = plan_routes(list(reversed(ts)), list(reversed(os)), s)
    assert first.assignments == again.assignments
    assert first.unmet == again.unmet and first.seats_used == again.seats_used
    assert first.objective == again.objective
