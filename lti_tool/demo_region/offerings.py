"""The resource map of the year (МРКМП): offerings of tutors, organizations, clusters and sites.

Internship sites offer modules of their topic, clusters offer group forms on theirs, open
demonstrations and open days come from organizations, the rest from tutors on topics of their
kind of organization. A quarter has no seat limit (online formats); the rest 8–30 seats.
"""
from __future__ import annotations

from datetime import timedelta

from . import parts
from .context import Region

TUTOR_FORMS = {"consultation": 4, "tutorial": 6, "master_class": 4, "training": 2, "expert_review": 1,
               "problem_group": 1}
ORG_FORMS = {"open_demo": 3, "open_day": 2, "master_class": 1}
CLUSTER_FORMS = ("problem_group", "immersion_seminar", "master_class")
SERIES = {"tutorial", "problem_group", "training", "internship", "immersion_seminar"}


def offerings(region: Region) -> None:
    """`sizes.offerings` offerings, then their search text as the map's editor would keep it."""
    b, rng, total = region.bulk, region.rng("offerings"), region.sizes.offerings
    names = {t: n for t, n, _a in region.topics}
    plan: list[tuple[str, int, int, str]] = []  # (provider kind, provider id, topic, form)
    for site in region.sites:
        plan += [("internship_site", site["id"], site["topic"], "internship")] * rng.randint(1, 3)
    for cluster in region.clusters:
        plan += [("cluster", cluster["id"], cluster["topic"], rng.choice(CLUSTER_FORMS)) for _ in range(rng.randint(3, 6))]
    plan = plan[:total]
    tutors = region.kind("tutor")
    staffed = [o for o in region.organizations if o[1] != "methodological_centre"]
    busy = [rng.paretovariate(1.5) for _ in tutors]  # a few tutors offer a lot
    while len(plan) < total:
        if rng.random() < 0.22 and staffed:
            org = rng.choice(staffed)
            plan.append(("organization", org[0], _topic(rng, region, org[1]), _pick(rng, ORG_FORMS)))
        elif tutors:
            tutor = rng.choices(tutors, busy)[0]
            plan.append(("person", tutor["id"], _topic(rng, region, tutor["org_kind"]), _pick(rng, TUTOR_FORMS)))
        else:
            break
    ids = b.ids("offering", len(plan))
    rows = []
    span = max(30, (region.year_end - region.year_start).days - 100)
    for offering_id, (kind, provider, topic, form) in zip(ids, plan):
        starts = None if rng.random() < 0.15 else region.year_start + timedelta(days=10 + rng.randrange(span))
        ends = starts + timedelta(days=rng.randint(14, 90)) if starts and form in SERIES else starts
        capacity = None if rng.random() < 0.25 else rng.choice((8, 10, 12, 15, 20, 25, 30))
        title = f"{parts.FORM_NAMES_RU[form]} «{names[topic]}»"
        delivery = rng.choices(("in_person", "online", "mixed"), (6, 2, 2))[0]
        rows.append((offering_id, region.network_id, region.year_id, topic, form,
                     *(provider if kind == k else None for k in ("person", "organization", "cluster", "internship_site")),
                     title, None, capacity, "по согласованию с тьютором" if kind == "person" else None, starts, ends,
                     delivery, region.past(region.year_start - timedelta(days=rng.randint(1, 20)))))
        region.offerings.append({"id": offering_id, "topic": topic, "form": form, "kind": kind, "provider": provider,
                                 "title": title, "capacity": capacity, "starts": starts, "ends": ends})
    b.insert("offering", ("id", "network_id", "year_id", "topic_id", "form", "person_id", "organization_id",
                          "cluster_id", "internship_site_id", "title", "description", "capacity", "schedule",
                          "starts_on", "ends_on", "delivery", "created_at"), rows)
    parts.refresh_search_text(region.bulk.session, region.network_id)


def _pick(rng, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _topic(rng, region: Region, org_kind: str) -> int:
    """A topic of the provider's kind of organization (kindergarten or school), any for centres."""
    want = "school" if org_kind == "school" else "preschool" if org_kind == "kindergarten" else None
    pool = [t for t, _n, a in region.topics if want is None or a in (want, "any")]
    return rng.choice(pool)
