"""The route model as a min-cost flow (OR-Tools SimpleMinCostFlow), built with numpy arrays.

Network (one unit of flow = one step of one teacher; each teacher supplies their steps left)::

    teacher -> sink                cap = steps left, cost 0: a step is only taken if worth it
    teacher -> teacher×topic       one arc per possible j-th step on the topic, cap 1,
                                   cost -(value of the j-th step): non-increasing, so the
                                   parallel arcs fill in order (diminishing returns)
    teacher×topic -> pool(topic, form, place)
                                   cap 1: one step per teacher, topic and form
    pool -> offering               cap = seats left, cost -local_bonus if the offering is in
                                   the pool's place (the teacher's cluster or municipality)
    offering -> sink               cap = seats left

Teachers of one place (cluster, municipality) see the same offerings as local, so they share a
pool per topic and form: about one arc per teacher, topic and form instead of one per offering.
Every plan is a flow of the same cost and back, so the flow optimum is the model optimum. Pool
units are paired with the pool's seats in id order; any pairing keeps capacities (the offering's
arc to the sink bounds all pools together) and value (all members of a pool value its offerings
alike). A teacher with an excluded offering in a (topic, form) gets direct arcs there instead.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from ortools.graph.python import min_cost_flow

from lti_tool.pathways.planner_instance import Instance, is_local, place_of, step_values

SINK = 0
UNITS = 100_000  # integer cost units per 1.0 of objective; rounding stays far below any weight
_COST_LIMIT = 2**62


class _Graph:
    """Nodes handed out in order; arcs collected as array blocks. Besides capacity and cost
    (the weight and bonus terms) each arc carries: is it a first step on a priority topic
    (the coverage term), and the teacher/offering/pool ids needed to decode the flow."""

    COLUMNS = 8

    def __init__(self) -> None:
        self.nodes = 1
        self.blocks: list[tuple[np.ndarray, ...]] = []

    def node(self, count: int = 1) -> int:
        first, self.nodes = self.nodes, self.nodes + count
        return first

    def add(self, tails, heads, caps, costs, teacher=-1, offering=-1, pool=-1, first=False) -> None:
        tails = np.asarray(tails, dtype=np.int32)
        cols = [(heads, np.int32), (caps, np.int64), (costs, np.int64), (teacher, np.int64),
                (offering, np.int64), (pool, np.int64), (first, np.bool_)]
        self.blocks.append((tails, *(np.broadcast_to(np.asarray(v, dtype=t), tails.shape)
                                     for v, t in cols)))

    def arrays(self) -> list[np.ndarray]:
        return [np.concatenate([b[i] for b in self.blocks]) for i in range(self.COLUMNS)]


def solve_flow(
    inst: Instance, *, aggregate: bool = True, coverage_only: bool = False
) -> tuple[list[tuple[int, int]], dict[str, float]]:
    """Optimal (teacher_id, offering_id) steps besides the fixed ones, and solver statistics.

    ``coverage_only`` maximises the number of newly covered priority needs alone (for bounds);
    ``aggregate=False`` connects every teacher to every offering (the plain graph, for checks).
    """
    started = time.perf_counter()
    g, supplies, step_units = _build(inst, aggregate)
    tail, head, cap, cost, arc_teacher, arc_offering, arc_pool, first = g.arrays()
    built = time.perf_counter()
    solves = 1
    if coverage_only:
        flow = _min_cost_flow(g.nodes, tail, head, cap, -first.astype(np.int64), supplies)
    elif not inst.settings.coverage_first:
        flow = _min_cost_flow(g.nodes, tail, head, cap, cost, supplies)
    else:
        # Lexicographic: coverage weighs big_m per need. Any big_m above the total of the other
        # terms is safe but slows cost scaling; a small one is exact as soon as its optimum
        # reaches the maximum coverage, which a coverage-only flow (costs 0/1, fast) tells.
        best = _covered(first, _min_cost_flow(g.nodes, tail, head, cap, -first.astype(np.int64), supplies))
        safe = int(step_units * sum(supplies.values())) + 1
        big_m = 4 * step_units
        while True:
            big_m = min(big_m, safe)
            if big_m * (g.nodes + 1) * 4 >= _COST_LIMIT:
                raise OverflowError("instance too large for integer cost scaling")
            flow = _min_cost_flow(g.nodes, tail, head, cap, cost - big_m * first, supplies)
            solves += 1
            if _covered(first, flow) == best or big_m == safe:
                break
            big_m *= 64
    solved = time.perf_counter()
    stats = {
        "nodes": float(g.nodes), "arcs": float(len(tail)), "flow_solves": float(solves),
        "build_s": built - started, "solve_s": solved - built,
        "flow_covered": float(_covered(first, flow)),
        "flow_value": -float(np.dot(flow, cost)) / UNITS,
    }
    return _decode(flow, arc_teacher, arc_offering, arc_pool), stats


def _covered(first: np.ndarray, flow: np.ndarray) -> int:
    return int(flow[first].sum())


def _min_cost_flow(nodes, tail, head, cap, cost, supplies: dict[int, int]) -> np.ndarray:
    """Arc flows of a min-cost flow; every supply can drain to the sink at cost 0."""
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tail, head, cap, np.ascontiguousarray(cost))
    if supplies:
        solver.set_nodes_supplies(np.fromiter(supplies, dtype=np.int32, count=len(supplies)),
                                  np.fromiter(supplies.values(), dtype=np.int64, count=len(supplies)))
        solver.set_node_supply(SINK, -sum(supplies.values()))
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return solver.flows(np.arange(len(tail), dtype=np.int32))


def _build(inst: Instance, aggregate: bool) -> tuple[_Graph, dict[int, int], int]:
    """The network, the teachers' supplies (steps left) and the largest value of one step."""
    s = inst.settings
    g = _Graph()
    offers = [o for o in inst.usable if inst.residual[o.offering_id] > 0]
    offer_node = {o.offering_id: g.node() for o in offers}
    slots: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for o in offers:
        slots[o.topic_id][o.form].append(o)
    rows, groups, teacher_node = _teacher_topic_nodes(inst, g, slots)
    top_weight = max((row[3] for row in rows), default=0.0)
    step_units = int(UNITS * (top_weight + s.form_variety_bonus + s.local_bonus)) + 2

    supplies = {node: inst.steps_left[tid] for tid, node in teacher_node.items()}
    g.add(list(supplies), SINK, list(supplies.values()), 0)  # steps left unused
    tails, heads, costs, firsts = [], [], [], []
    for node, tid, _topic, weight, j0, forms in rows:
        last = min(s.max_steps_per_topic, j0 + forms)
        for j, value in enumerate(step_values(weight, last, s)[j0:], start=j0):
            tails.append(teacher_node[tid])
            heads.append(node)
            costs.append(-round(UNITS * value))
            firsts.append(j == 0)
    g.add(tails, heads, 1, costs, first=firsts)

    bonus = round(UNITS * s.local_bonus)
    pools: dict[tuple, int] = {}
    for (place, topic_id, blocked, excluded), members in sorted(groups.items(), key=_group_order):
        outlets = []  # per form: [(head node, cost, offering id, pool node), ...]
        for form, slot in slots[topic_id].items():
            if form in blocked:
                continue
            if aggregate and not any(o.offering_id in excluded for o in slot):
                if (topic_id, form, place) not in pools:
                    pools[topic_id, form, place] = g.node()
                pool = pools[topic_id, form, place]
                outlets.append([(pool, 0, -1, pool)])
            elif direct := [(offer_node[o.offering_id], -bonus * is_local(place, o), o.offering_id, -1)
                            for o in slot if o.offering_id not in excluded]:
                outlets.append(direct)
        _fan_out(g, members, outlets)
    for (topic_id, form, place), pool in sorted(pools.items(), key=lambda kv: kv[1]):
        slot = slots[topic_id][form]
        g.add([pool] * len(slot), [offer_node[o.offering_id] for o in slot],
              [inst.residual[o.offering_id] for o in slot],
              [-bonus * is_local(place, o) for o in slot], -1, [o.offering_id for o in slot], pool)
    g.add(list(offer_node.values()), SINK, [inst.residual[oid] for oid in offer_node], 0)
    return g, supplies, step_units


def _teacher_topic_nodes(inst: Instance, g: _Graph, slots):
    """Teacher and teacher×topic nodes; the latter grouped by everything their arcs depend on."""
    s = inst.settings
    use_place = s.local_bonus > 0
    rows: list[tuple[int, int, int, float, int, int]] = []  # node, teacher, topic, weight, j0, forms
    groups: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    teacher_node: dict[int, int] = {}
    for t in inst.teachers:
        tid = t.teacher_id
        if inst.steps_left[tid] <= 0:
            continue
        excluded_here = inst.excluded.get(tid, set())
        for topic_id, _need, weight in inst.priorities[tid]:
            blocked = frozenset(inst.blocked_forms.get((tid, topic_id), ()))
            forms = [f for f in slots.get(topic_id, {}) if f not in blocked]
            j0 = inst.fixed_per_topic[tid, topic_id]
            if not forms or j0 >= s.max_steps_per_topic:
                continue
            if tid not in teacher_node:
                teacher_node[tid] = g.node()
            excluded = frozenset(
                o.offering_id for f in forms for o in slots[topic_id][f] if o.offering_id in excluded_here
            ) if excluded_here else frozenset()
            node = g.node()
            place = place_of(t) if use_place else (None, None)
            groups[place, topic_id, blocked, excluded].append((node, tid))
            rows.append((node, tid, topic_id, weight, j0, len(forms)))
    return rows, groups, teacher_node


def _group_order(item):
    (place, topic_id, blocked, excluded), members = item
    return members[0][0]  # first teacher×topic node: input order, hence deterministic


def _fan_out(g: _Graph, members, outlets) -> None:
    """Arcs from every teacher×topic node of a group to its outlets (numpy broadcasting).

    ``outlets`` holds one list per form: a pool alone gets one arc of capacity 1; several direct
    offerings of one form go through a teacher×topic×form node of capacity 1 instead.
    """
    tt = np.array([m[0] for m in members], dtype=np.int32)
    teachers = np.array([m[1] for m in members], dtype=np.int64)
    n = len(tt)
    single = [outs[0] for outs in outlets if len(outs) == 1]
    multi = [outs for outs in outlets if len(outs) > 1]
    if single:
        head, cost, offering, pool = (np.array(c) for c in zip(*single))
        k = len(single)
        g.add(np.repeat(tt, k), np.tile(head, n), 1, np.tile(cost, n),
              np.repeat(teachers, k), np.tile(offering, n), np.tile(pool, n))
    if multi:
        m = len(multi)
        ttf = (g.node(n * m) + np.arange(n * m, dtype=np.int32)).reshape(n, m)
        g.add(np.repeat(tt, m), ttf.ravel(), 1, 0)
        flat = [(i, *out) for i, outs in enumerate(multi) for out in outs]
        form, head, cost, offering, pool = (np.array(c) for c in zip(*flat))
        k = len(flat)
        g.add(ttf[:, form].ravel(), np.tile(head, n), 1, np.tile(cost, n),
              np.repeat(teachers, k), np.tile(offering, n), np.tile(pool, n))


def _decode(flow, arc_teacher, arc_offering, arc_pool) -> list[tuple[int, int]]:
    """Steps from arc flows: direct arcs as they are, pooled units paired with pool seats."""
    used = flow > 0
    direct = used & (arc_teacher >= 0) & (arc_offering >= 0)
    pairs = list(zip(arc_teacher[direct].tolist(), arc_offering[direct].tolist()))
    into = used & (arc_teacher >= 0) & (arc_pool >= 0)
    out = used & (arc_teacher < 0) & (arc_pool >= 0)
    in_order = np.lexsort((arc_teacher[into], arc_pool[into]))
    seats_pool = np.repeat(arc_pool[out], flow[out])
    seats_offering = np.repeat(arc_offering[out], flow[out])
    out_order = np.lexsort((seats_offering, seats_pool))
    if not np.array_equal(arc_pool[into][in_order], seats_pool[out_order]):
        raise AssertionError("pool flow is not conserved")
    pairs += zip(arc_teacher[into][in_order].tolist(), seats_offering[out_order].tolist())
    return pairs
