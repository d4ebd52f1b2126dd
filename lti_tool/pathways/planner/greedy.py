"""First-come greedy baseline: the way routes are filled by hand, for benchmark comparison."""

from __future__ import annotations

import time
from collections import Counter

from lti_tool.pathways.planner.instance import Instance


def greedy_pairs(inst: Instance) -> tuple[list[tuple[int, int]], dict[str, float]]:
    """Teachers in id order; each takes, round by round over their priority topics (highest need
    first), the first offering (by id) with a free seat in a form not yet used on that topic.

    Same rules as the optimiser (fixed steps first, dates, exclusions, step and per-topic limits,
    one step per teacher, topic and form); only the choice is myopic.
    """
    started = time.perf_counter()
    s = inst.settings
    free = dict(inst.residual)
    # Offerings with seats left, per topic in id order; full ones are dropped as they fill up.
    open_by_topic = {
        k: [o for o in offers if free[o.offering_id] > 0] for k, offers in inst.by_topic.items()
    }
    chosen: list[tuple[int, int]] = []
    for t in inst.teachers:
        tid = t.teacher_id
        left = inst.steps_left[tid]
        excluded = inst.excluded.get(tid, set())
        on_topic = Counter({k: inst.fixed_per_topic[tid, k] for k, _, _ in inst.priorities[tid]})
        forms_used = {k: set(inst.blocked_forms.get((tid, k), ())) for k, _, _ in inst.priorities[tid]}
        for round_no in range(s.max_steps_per_topic):
            for topic_id, _need, _weight in inst.priorities[tid]:
                if left == 0:
                    break
                if on_topic[topic_id] != round_no:
                    continue
                offers = open_by_topic.get(topic_id, [])
                for o in offers:
                    if o.form in forms_used[topic_id] or o.offering_id in excluded:
                        continue
                    chosen.append((tid, o.offering_id))
                    forms_used[topic_id].add(o.form)
                    free[o.offering_id] -= 1
                    if free[o.offering_id] == 0:
                        offers.remove(o)
                    on_topic[topic_id] += 1
                    left -= 1
                    break
    return chosen, {"solve_s": time.perf_counter() - started}
