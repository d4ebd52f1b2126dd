"""The "Tutor" status commission of the year: candidate files, two meetings and their decisions.

Candidates are experienced teachers with completed events; most criteria are assessed. Decisions
follow the commission's rules (`commission/services.decide`): an award makes the person a tutor
and grants the tool role.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from .context import Region

CRITERIA = ("experience", "higher_education", "tutor_training", "methodological_work", "extra_activities",
            "organizing_growth", "open_lessons", "network_design", "qualification")
OUTCOMES = (("awarded", 5), ("refused", 2), ("postponed", 3))


def commission(region: Region) -> None:
    """Candidacies with their criteria, meetings, decisions and the awarded tutors' role grants."""
    b, rng = region.bulk, region.rng("commission")
    methodists = region.kind("methodist") or region.kind("tutor")
    candidates = sorted((p for p in region.kind("teacher") if p["experience"] >= 3),
                        key=lambda p: (-len(region.completed.get(p["id"], ())), p["id"]))[:region.sizes.candidacies]
    ids = b.ids("commission_candidacy", len(candidates))
    opened = region.past(region.year_start + timedelta(days=45), 10)
    b.insert("commission_candidacy", ("id", "network_id", "person_id", "nominated_by_id", "statement", "created_at"),
             [(i, region.network_id, p["id"], methodists[0]["user_id"], "Рекомендация тьюторского совета.", opened)
              for i, p in zip(ids, candidates)])
    b.insert("commission_criterion", ("candidacy_id", "code", "position", "met", "evidence", "updated_at"),
             [(i, code, n, None if rng.random() < 0.15 else rng.random() < 0.8,
               "Документы в портфолио" if rng.random() < 0.6 else None, opened)
              for i in ids for n, code in enumerate(CRITERIA)])
    days = [d for d in (region.year_start + timedelta(days=60), region.today - timedelta(days=10)) if d < region.today]
    meeting_ids = b.ids("commission_meeting", len(days))
    members = [{"name": p["full_name"], "role": role} for p, role in zip(methodists, ("chair", "secretary", "member"))]
    b.insert("commission_meeting", ("id", "network_id", "held_on", "title", "members", "created_at"),
             [(m, region.network_id, d, f"Заседание комиссии № {n}", members, region.past(d, 17))
              for n, (m, d) in enumerate(zip(meeting_ids, days), 1)])
    if not meeting_ids:
        return
    decisions, awarded = [], []
    for candidacy_id, p in zip(ids, candidates):
        if rng.random() < 0.35:
            continue
        outcome = rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0]
        meeting, day = rng.choice(list(zip(meeting_ids, days)))
        decisions.append((candidacy_id, meeting, outcome, "Решение принято по итогам рассмотрения критериев.",
                          methodists[0]["user_id"], region.past(day, 17)))
        if outcome == "awarded":
            awarded.append(p)
    b.insert("commission_decision", ("candidacy_id", "meeting_id", "outcome", "reasons", "decided_by_id", "decided_at"),
             decisions)
    person = b.table("person")
    if awarded:
        b.session.execute(sa.update(person).where(person.c.id.in_([p["id"] for p in awarded])).values(is_tutor=True))
    b.insert("role_grant", ("network_id", "user_id", "role", "granted_by_id", "reason", "created_at"),
             [(region.network_id, p["user_id"], "tutor", methodists[0]["user_id"], "commission decision", region.now)
              for p in awarded])
