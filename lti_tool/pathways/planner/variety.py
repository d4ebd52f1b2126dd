"""Form variety across a teacher's topics: a post-pass that never changes the objective.

Within a topic the model already forces variety (one step per teacher, topic and form). Variety
across topics — not three consultations on three topics — couples forms and topics in a way a
single flow cannot express, so it is a tie-break after the optimum: a step moves to another
offering of the same topic in a form the teacher has no step in yet, with a free seat and the
same locality. Topic counts and bonuses stay, so coverage and objective are unchanged.
"""

from __future__ import annotations

from collections import Counter

from lti_tool.pathways.planner.instance import Instance, is_local, place_of


def diversify_forms(inst: Instance, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The same steps, with repeated forms swapped for new ones where seats allow."""
    fixed = set(inst.fixed)
    free = Counter(inst.residual)
    free.subtract(offering_id for _, offering_id in pairs)
    by_teacher: dict[int, list[int]] = {}
    for teacher_id, offering_id in sorted(pairs):
        by_teacher.setdefault(teacher_id, []).append(offering_id)
    fixed_forms: dict[int, list[str]] = {}
    for teacher_id, offering_id in inst.fixed:
        fixed_forms.setdefault(teacher_id, []).append(inst.offerings[offering_id].form)
    # Offerings with a free seat, per topic; full ones drop out as seats are taken.
    open_offers = {k: [o for o in offers if free[o.offering_id] > 0] for k, offers in inst.by_topic.items()}
    result = []
    for teacher_id, offering_ids in by_teacher.items():
        place = place_of(inst.teacher_by_id[teacher_id])
        excluded = inst.excluded.get(teacher_id, set())
        forms = Counter(fixed_forms.get(teacher_id, []))
        forms.update(inst.offerings[oid].form for oid in offering_ids)
        for i, oid in enumerate(offering_ids):
            o = inst.offerings[oid]
            if forms[o.form] < 2 or (teacher_id, oid) in fixed:
                continue
            local = is_local(place, o)
            swap = next((
                alt for alt in open_offers[o.topic_id]
                if forms[alt.form] == 0 and alt.offering_id not in excluded and is_local(place, alt) == local
            ), None)
            if swap is not None:
                free[oid] += 1
                free[swap.offering_id] -= 1
                if free[swap.offering_id] == 0:
                    open_offers[o.topic_id].remove(swap)
                forms[o.form] -= 1
                forms[swap.form] += 1
                offering_ids[i] = swap.offering_id
        result += [(teacher_id, oid) for oid in offering_ids]
    return result
