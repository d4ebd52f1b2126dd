"""The route model as a min-cost flow (OR-Tools SimpleMinCostFlow), built with numpy arrays.

Network (one unit of flow = one step of one teacher; each teacher supplies their steps left)::

    teacher -> sink                cap = steps left, cost 0: a step is only taken if worth it
    teacher -> teacher×topic       one arc per possible j-th step on the topic, cap 1,
                                   cost -(value of the j-th step): non-increasing, so the
                                   parallel arcs fill in order (diminishing returns)
    teacher×topic -> entry pool    one arc per form, cap 1: one step per teacher, topic and form
    pool(topic, form, place) -> offerings of that place, cost -local_bonus;
                             -> pool(topic, form), cost 0 (if other offerings exist)
    pool(topic, form) -> offering  every offering of that topic and form, cost 0
    offering -> sink               cap = seats left

A teacher enters pool(topic, form, place) if their place (cluster, municipality) has local
offerings of that topic and form, else pool(topic, form): about one arc per teacher, topic and
form instead of one per offering. Every plan is a flow of the same cost, and every flow is a plan
worth at least as much (a unit that reaches a local offering through the general pool only
gains), so the flow optimum is the model optimum. Units in a pool are paired with what leaves it
in id order; any pairing keeps capacities (each offering's arc to the sink bounds all pools
together) and value (all members of a pool value its exits alike). A teacher with an excluded
offering in a (topic, form) gets direct arcs there instead of the pool.

Coverage comes first through a weight big_m on first steps; see solve_flow for how it is chosen.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from lti_tool.pathways.planner.instance import Instance, is_local, place_of, step_values

SINK = 0
UNITS = 10_000  # integer cost units per 1.0 of objective (values are rounded to 1e-4)
_COST_LIMIT = 2**62
FIRST_BIG_M_STEPS = 4  # first try: coverage worth 4 steps of any other value


class _Graph:
    """Nodes handed out in order; arcs collected as array blocks. Besides capacity and cost
    (the weight and bonus terms) each arc carries: is it a first step on a priority topic
    (the coverage term), and the teacher/offering/pool ids needed to decode the flow."""

    COLUMNS = 9

    def __init__(self) -> None:
        self.nodes = 1
        self.blocks: list[tuple[np.ndarray, ...]] = []

    def node(self, count: int = 1) -> int:
        first, self.nodes = self.nodes, self.nodes + count
        return first

    def add(self, tails, heads, caps, costs, teacher=-1, offering=-1, into=-1, out_of=-1,
            first=False) -> None:
        """Arcs; ``into``/``out_of`` name the pool the arc enters/leaves (-1: none)."""
        tails = np.asarray(tails, dtype=np.int32)
        cols = [(heads, np.int32), (caps, np.int64), (costs, np.int64), (teacher, np.int64),
                (offering, np.int64), (into, np.int64), (out_of, np.int64), (first, np.bool_)]
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
    net = _build(inst, aggregate)
    tail, head, cap, cost, *ids, first = net.graph.arrays()
    built = time.perf_counter()
    if coverage_only:
        flow, solves = _min_cost_flow(tail, head, cap, -first.astype(np.int64), net.supplies), 1
    elif not inst.settings.coverage_first:
        flow, solves = _min_cost_flow(tail, head, cap, cost, net.supplies), 1
    else:
        flow, solves = _lexicographic(net, tail, head, cap, cost, first)
    solved = time.perf_counter()
    stats = {
        "nodes": float(net.graph.nodes), "arcs": float(len(tail)), "flow_solves": float(solves),
        "build_s": built - started, "solve_s": solved - built,
        "flow_covered": float(_covered(first, flow)),
        "flow_value": -float(np.dot(flow, cost)) / UNITS,
    }
    return _decode(flow, *ids, net.place_pools), stats


def _lexicographic(net: _Network, tail, head, cap, cost, first) -> tuple[np.ndarray, int]:
    """Max coverage, then max weight: coverage weighs big_m per need.

    Any big_m above the total of all other terms is safe, but large costs slow cost scaling
    down. A small big_m is exact as soon as its optimum reaches the maximum coverage: either the
    counting bound of _build, or — when that is not tight — a coverage-only flow (costs 0/1,
    fast). Otherwise big_m grows and the flow is solved again.
    """
    safe = net.step_units * sum(net.supplies.values()) + 1
    if safe * (net.graph.nodes + 1) * 4 >= _COST_LIMIT:
        raise OverflowError("instance too large for integer cost scaling")
    best, solves, big_m = net.coverage_cap, 0, FIRST_BIG_M_STEPS * net.step_units
    while True:
        big_m = min(big_m, safe)
        flow = _min_cost_flow(tail, head, cap, cost - big_m * first, net.supplies)
        covered, solves = _covered(first, flow), solves + 1
        if covered < best and solves == 1:
            best = _covered(first, _min_cost_flow(tail, head, cap, -first.astype(np.int64), net.supplies))
            solves += 1
        if covered == best or big_m == safe:
            return flow, solves
        big_m = big_m * 64 + 1


def _covered(first: np.ndarray, flow: np.ndarray) -> int:
    return int(flow[first].sum())


def _min_cost_flow(tail, head, cap, cost, supplies: dict[int, int]) -> np.ndarray:
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


@dataclass
class _Network:
    graph: _Graph
    supplies: dict[int, int]  # teacher node -> steps left
    step_units: int  # above the value of any one step, in cost units
    place_pools: np.ndarray  # node ids of the places' pools (decoded before the general ones)
    coverage_cap: int  # a counting upper bound on the number of first steps


def _build(inst: Instance, aggregate: bool) -> _Network:
    """The network for an instance."""
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
    pools = _Pools(g, slots, offer_node, inst.residual, bonus)
    for (place, topic_id, blocked, excluded), members in sorted(groups.items(), key=_group_order):
        outlets = []  # per form: [(head node, cost, offering id, pool entered), ...]
        for form, slot in slots[topic_id].items():
            if form in blocked:
                continue
            if aggregate and not (excluded and any(o.offering_id in excluded for o in slot)):
                pool = pools.entry(topic_id, form, place)
                outlets.append([(pool, 0, -1, pool)])
            elif direct := [(offer_node[o.offering_id], -bonus * is_local(place, o), o.offering_id, -1)
                            for o in slot if o.offering_id not in excluded]:
                outlets.append(direct)
        _fan_out(g, members, outlets)
    pools.add_arcs()
    g.add(list(offer_node.values()), SINK, [inst.residual[oid] for oid in offer_node], 0)
    # Each topic covers at most min(teachers wanting it, its seats); each teacher at most
    # min(steps left, topics). The smaller total is usually reached, which saves a solve.
    wanting = Counter(row[2] for row in rows if row[4] == 0)
    seats = Counter()
    for o in offers:
        seats[o.topic_id] += inst.residual[o.offering_id]
    per_teacher = Counter(row[1] for row in rows if row[4] == 0)
    cap = min(sum(min(n, seats[k]) for k, n in wanting.items()),
              sum(min(n, inst.steps_left[tid]) for tid, n in per_teacher.items()))
    return _Network(g, supplies, step_units, np.array(sorted(pools.place_pools), dtype=np.int64), cap)


class _Pools:
    """Pool nodes, created on first use.

    pool(topic, form) reaches every offering of that topic and form at cost 0. A place that has
    local offerings there gets pool(topic, form, place): those offerings at -bonus, and the rest
    through pool(topic, form) — so pool arcs stay about one per offering and place.
    """

    def __init__(self, g: _Graph, slots, offer_node, residual, bonus: int) -> None:
        self.g, self.slots, self.offer_node, self.residual, self.bonus = g, slots, offer_node, residual, bonus
        self.nodes: dict[tuple, int] = {}
        self.place_pools: set[int] = set()
        self.arcs: list[tuple[int, int, int, int]] = []  # pool, offering id or -1, pool entered, cost

    def entry(self, topic_id: int, form: str, place) -> int:
        """The pool a teacher of ``place`` enters for a step of this topic and form."""
        key = (topic_id, form, place)
        if key not in self.nodes:
            slot = self.slots[topic_id][form]
            local = [o for o in slot if place is not None and self.bonus and is_local(place, o)]
            if not local:
                self.nodes[key] = self.entry(topic_id, form, None) if place is not None else self._new(
                    [(o.offering_id, -1, 0) for o in slot])
            else:
                rest = [(-1, self.entry(topic_id, form, None), 0)] if len(local) < len(slot) else []
                self.nodes[key] = self._new([(o.offering_id, -1, -self.bonus) for o in local] + rest)
                self.place_pools.add(self.nodes[key])
        return self.nodes[key]

    def _new(self, outs) -> int:
        pool = self.g.node()
        self.arcs += [(pool, offering, into, cost) for offering, into, cost in outs]
        return pool

    def add_arcs(self) -> None:
        if not self.arcs:
            return
        pool, offering, into, cost = (np.array(c, dtype=np.int64) for c in zip(*self.arcs))
        heads = np.where(offering >= 0, [self.offer_node.get(o, -1) for o in offering.tolist()], into)
        caps = np.where(offering >= 0, [self.residual.get(o, 0) for o in offering.tolist()], 2**40)
        self.g.add(pool, heads, caps, cost, -1, offering, into, pool)


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


def _decode(flow, teacher, offering, into, out_of, place_pools) -> list[tuple[int, int]]:
    """Steps from arc flows: direct arcs as they are; units in a pool are paired, in id order,
    with what leaves it — seats, or (from a place's pool) the general pool, decoded next."""
    used = flow > 0
    direct = used & (teacher >= 0) & (offering >= 0)
    pairs = list(zip(teacher[direct].tolist(), offering[direct].tolist()))
    entering = used & (teacher >= 0) & (into >= 0)
    unit_pool, unit_teacher = into[entering], teacher[entering]
    for level in (np.isin(out_of, place_pools), ~np.isin(out_of, place_pools)):
        leaving = used & (out_of >= 0) & level
        here = np.isin(unit_pool, out_of[leaving])
        order = np.lexsort((unit_teacher[here], unit_pool[here]))
        pool_in, teacher_in = unit_pool[here][order], unit_teacher[here][order]
        n = flow[leaving]
        pool_out = np.repeat(out_of[leaving], n)
        seat, onward = np.repeat(offering[leaving], n), np.repeat(into[leaving], n)
        out_order = np.lexsort((seat, onward, pool_out))
        if not np.array_equal(pool_in, pool_out[out_order]):
            raise AssertionError("pool flow is not conserved")
        seat, onward = seat[out_order], onward[out_order]
        pairs += zip(teacher_in[seat >= 0].tolist(), seat[seat >= 0].tolist())
        unit_pool = np.concatenate([unit_pool[~here], onward[seat < 0]])
        unit_teacher = np.concatenate([unit_teacher[~here], teacher_in[seat < 0]])
    if len(unit_pool):
        raise AssertionError("pooled steps left undecoded")
    return pairs
