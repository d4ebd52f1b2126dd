"""The route model as a min-cost flow (OR-Tools SimpleMinCostFlow), built with numpy arrays.

Network (one unit of flow = one step of one teacher)::

    source -> teacher            cap = steps left, cost 0
    teacher -> teacher×topic     one arc per possible j-th step on the topic, cap 1,
                                 cost -(value of the j-th step) (non-increasing: diminishing returns)
    teacher×topic -> (teacher×topic×form) -> outlet
                                 cap 1 per form: one step per teacher, topic and form
    outlet = offering            (a local offering, cost -local_bonus)
           | pool(topic, form)   (any offering of that topic and form, cost 0)
    pool(topic, form) -> offering -> sink    cap = seats left
    source -> sink               bypass, cost 0: a step is only taken if it is worth something

A teacher reaches local offerings directly and all others through the pool of their topic and
form, so the graph has about one arc per teacher, topic and form instead of one per offering.
The flow optimum equals the model optimum: every plan is a flow of the same value, and a flow
maps to a plan worth at least as much (a pooled step that lands on a local offering only adds).
Pool units are paired with pool seats in id order, which keeps every capacity (flow conservation
at the offering node). Teachers with excluded offerings in a (topic, form) skip its pool.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from ortools.graph.python import min_cost_flow

from lti_tool.pathways.planner_instance import Instance, is_local, step_values

SOURCE, SINK = 0, 1
UNITS = 100_000  # integer cost units per 1.0 of objective; rounding stays far below any weight
_COST_LIMIT = 2**62


class _Arcs:
    """Arc blocks collected as arrays; teacher/offering/pool ids ride along for decoding."""

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, ...]] = []

    def add(self, tails, heads, caps, costs, teacher=-1, offering=-1, pool=-1) -> None:
        tails = np.asarray(tails, dtype=np.int32)
        n = len(tails)
        col = lambda v, dt: np.broadcast_to(np.asarray(v, dtype=dt), (n,))  # noqa: E731
        self.blocks.append(
            (tails, col(heads, np.int32), col(caps, np.int64), col(costs, np.int64),
             col(teacher, np.int64), col(offering, np.int64), col(pool, np.int64))
        )

    def arrays(self) -> list[np.ndarray]:
        return [np.concatenate([b[i] for b in self.blocks]) for i in range(7)]


def solve_flow(
    inst: Instance, *, aggregate: bool = True, coverage_only: bool = False
) -> tuple[list[tuple[int, int]], dict[str, float]]:
    """Optimal (teacher_id, offering_id) steps besides the fixed ones, and solver statistics.

    ``coverage_only`` scores 1 per newly covered priority need and nothing else (for bounds);
    ``aggregate=False`` connects every teacher to every offering (the plain graph, for checks).
    """
    started = time.perf_counter()
    s = inst.settings
    use_local = s.local_bonus > 0 and not coverage_only
    offers = [o for o in inst.usable if inst.residual[o.offering_id] > 0]
    node_of_offering = {o.offering_id: 2 + i for i, o in enumerate(offers)}
    next_node = 2 + len(offers)
    pools: dict[tuple[int, str], int] = {}
    pool_members: dict[tuple[int, str], list[int]] = defaultdict(list)
    for o in offers:
        pool_members[o.topic_id, o.form].append(o.offering_id)
    if aggregate:
        for key in sorted(pool_members):
            pools[key] = next_node
            next_node += 1
    by_topic_form: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for o in offers:
        by_topic_form[o.topic_id][o.form].append(o)

    # Teacher×topic nodes, grouped by everything their outgoing arcs depend on.
    tt_rows: list[tuple[int, int, int, float, int, int]] = []  # node, teacher, topic, weight, j0, k
    groups: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    teacher_nodes: dict[int, int] = {}
    for t in inst.teachers:
        tid = t.teacher_id
        if inst.steps_left[tid] <= 0:
            continue
        for topic_id, _need, weight in inst.priorities[tid]:
            blocked = frozenset(inst.blocked_forms.get((tid, topic_id), ()))
            forms = [f for f in by_topic_form.get(topic_id, {}) if f not in blocked]
            j0 = inst.fixed_per_topic[tid, topic_id]
            if not forms or j0 >= s.max_steps_per_topic:
                continue
            if tid not in teacher_nodes:
                teacher_nodes[tid] = next_node
                next_node += 1
            excluded = frozenset(
                o.offering_id for f in forms for o in by_topic_form[topic_id][f]
                if o.offering_id in inst.excluded[tid]
            ) if tid in inst.excluded else frozenset()
            local_key = (t.cluster_id, t.municipality) if use_local else None
            groups[local_key, topic_id, blocked, excluded].append((next_node, tid))
            tt_rows.append((next_node, tid, topic_id, weight, j0, len(forms)))
            next_node += 1

    arcs = _Arcs()
    units = UNITS
    top_weight = max((row[3] for row in tt_rows), default=0.0)
    step_units = units * (top_weight + s.form_variety_bonus + s.local_bonus) + 2
    total_steps = sum(inst.steps_left[tid] for tid in teacher_nodes)
    # Larger than any total of the other terms: coverage first, then weight (lexicographic).
    big_m = int(total_steps * step_units) + 1 if s.coverage_first else 0
    if coverage_only:
        big_m, units = 1, 0
    if big_m * (next_node + 1) * 4 >= _COST_LIMIT:
        raise OverflowError("instance too large for integer cost scaling")

    tids = np.fromiter(teacher_nodes, dtype=np.int64, count=len(teacher_nodes))
    tnodes = np.fromiter(teacher_nodes.values(), dtype=np.int32, count=len(teacher_nodes))
    arcs.add(np.zeros(len(tnodes)), tnodes, [inst.steps_left[t] for t in tids.tolist()], 0)
    tails, heads, costs = [], [], []
    for node, tid, _topic, weight, j0, nforms in tt_rows:
        last = min(s.max_steps_per_topic, j0 + nforms)
        for j, value in enumerate(step_values(weight, last, s)[j0:], start=j0):
            tails.append(teacher_nodes[tid])
            heads.append(node)
            costs.append(-(round(units * value) + (big_m if j == 0 else 0)))
    arcs.add(tails, heads, 1, costs)

    bonus = round(units * s.local_bonus)
    for (local_key, topic_id, blocked, excluded), members in sorted(groups.items(), key=_group_order):
        teacher = inst.teacher_by_id[members[0][1]]
        forms = [f for f in by_topic_form[topic_id] if f not in blocked]
        outlets = []  # per form: list of (head node, cost, offering id, pool node)
        for f in forms:
            slot = by_topic_form[topic_id][f]
            allowed = [o for o in slot if o.offering_id not in excluded]
            via_pool = aggregate and len(allowed) == len(slot)
            local = {o.offering_id for o in allowed if local_key is not None and is_local(teacher, o)}
            direct = [o.offering_id for o in allowed if o.offering_id in local or not via_pool]
            outs = [(node_of_offering[oid], -bonus if oid in local else 0, oid, -1) for oid in direct]
            if via_pool and len(local) < len(slot):
                outs.append((pools[topic_id, f], 0, -1, pools[topic_id, f]))
            if outs:
                outlets.append(outs)
        next_node = _instantiate(arcs, members, outlets, next_node)

    pool_keys = sorted(pools)
    for key in pool_keys:
        oids = pool_members[key]
        arcs.add([pools[key]] * len(oids), [node_of_offering[o] for o in oids],
                 [inst.residual[o] for o in oids], 0, -1, oids, pools[key])
    arcs.add([node_of_offering[o.offering_id] for o in offers], SINK,
             [inst.residual[o.offering_id] for o in offers], 0)
    arcs.add([SOURCE], SINK, total_steps, 0)

    tail, head, cap, cost, arc_teacher, arc_offering, arc_pool = arcs.arrays()
    built = time.perf_counter()
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
    solver.set_node_supply(SOURCE, total_steps)
    solver.set_node_supply(SINK, -total_steps)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flow = solver.flows(np.arange(len(tail), dtype=np.int32))
    solved = time.perf_counter()

    pairs = _decode(flow, arc_teacher, arc_offering, arc_pool)
    total = -solver.optimal_cost()
    covered = total // big_m if big_m else 0
    stats = {
        "nodes": float(next_node), "arcs": float(len(tail)),
        "build_s": built - started, "solve_s": solved - built,
        "flow_covered": float(covered),
        "flow_value": (total - covered * big_m) / units if units else 0.0,
    }
    return pairs, stats


def _group_order(item):
    (local_key, topic_id, blocked, excluded), _ = item
    return (repr(local_key), topic_id, sorted(blocked), sorted(excluded))


def _instantiate(arcs: _Arcs, members, outlets, next_node: int) -> int:
    """Add one group's arcs for all its teacher×topic nodes at once (numpy broadcasting)."""
    tt = np.array([m[0] for m in members], dtype=np.int32)
    teachers = np.array([m[1] for m in members], dtype=np.int64)
    n = len(tt)
    single = [outs[0] for outs in outlets if len(outs) == 1]
    multi = [outs for outs in outlets if len(outs) > 1]
    if single:
        head, cost, off, pool = (np.array(c) for c in zip(*single))
        k = len(single)
        arcs.add(np.repeat(tt, k), np.tile(head, n), 1, np.tile(cost, n),
                 np.repeat(teachers, k), np.tile(off, n), np.tile(pool, n))
    if multi:
        m = len(multi)
        ttf = (next_node + np.arange(n * m, dtype=np.int32)).reshape(n, m)
        next_node += n * m
        arcs.add(np.repeat(tt, m), ttf.ravel(), 1, 0)
        flat = [(i, *out) for i, outs in enumerate(multi) for out in outs]
        form_idx, head, cost, off, pool = (np.array(c) for c in zip(*flat))
        k = len(flat)
        arcs.add(ttf[:, form_idx].ravel(), np.tile(head, n), 1, np.tile(cost, n),
                 np.repeat(teachers, k), np.tile(off, n), np.tile(pool, n))
    return next_node


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
