"""The region's network, year, topics, organizations, people, clusters and internship sites.

Organizations: one methodological centre per municipality, then kindergartens and schools, more
of them in the big city. People belong to an organization (schools are bigger), mostly women;
each has a few topics they struggle with (the latent profile the survey answers follow).
"""
from __future__ import annotations

from datetime import timedelta

from . import parts
from .context import Region, at
from .vocabulary import M_NAMES, M_PATRONYMS, MUNICIPALITIES, SCHOOL_POSITIONS, SCHOOL_TOPICS, STREETS

SIZE = {"kindergarten": 1.0, "school": 1.8, "methodological_centre": 0.15}
WOMEN = {"kindergarten": 0.98, "school": 0.85, "methodological_centre": 0.9}
GENERAL_TOPICS = ("ИКТ в работе с дошкольниками", "Проектирование педагогических проектов и программ")


def network_and_year(region: Region, name: str) -> None:
    """The network, its current school year and its topics (the seed topics plus school topics)."""
    b = region.bulk
    region.network_id = b.ids("network", 1)[0]
    b.insert("network", ("id", "name", "slug", "created_at"),
             [(region.network_id, name, region.slug, at(region.year_start - timedelta(days=30)))])
    region.year_id = b.ids("academic_year", 1)[0]
    title = f"{region.year_start.year}/{region.year_end.year}"
    b.insert("academic_year", ("id", "network_id", "title", "starts_on", "ends_on", "is_current"),
             [(region.year_id, region.network_id, title, region.year_start, region.year_end, True)])
    names = [(n, "preschool") for n in parts.SEED_TOPICS_RU] + [(n, "school") for n in SCHOOL_TOPICS]
    ids = b.ids("topic", len(names))
    region.topics = [(i, n, "any" if n in GENERAL_TOPICS else audience) for i, (n, audience) in zip(ids, names)]
    b.insert("topic", ("id", "network_id", "name", "description"),
             [(i, region.network_id, n, None) for i, n, _a in region.topics])


def organizations(region: Region) -> None:
    """One methodological centre per municipality, then kindergartens and schools by weight."""
    b, rng, sizes = region.bulk, region.rng("organizations"), region.sizes
    towns = MUNICIPALITIES[:max(1, min(sizes.municipalities, len(MUNICIPALITIES)))]
    plan = [("methodological_centre", m) for m in range(len(towns))][:sizes.organizations]
    weights = [w for _n, _la, _lo, w in towns]
    while len(plan) < sizes.organizations:
        plan.append(("kindergarten" if rng.random() < 0.55 else "school", rng.choices(range(len(towns)), weights)[0]))
    ids = b.ids("organization", len(plan))
    numbers: dict[tuple[str, int], int] = {}
    rows = []
    for org_id, (kind, m) in zip(ids, plan):
        town, lat, lon, _w = towns[m]
        numbers[(kind, m)] = numbers.get((kind, m), 0) + rng.randint(1, 4)
        number = numbers[(kind, m)]
        where = f" ({town})"
        name = {"kindergarten": f"МАДОУ «Детский сад № {number}»{where}",
                "school": f"МАОУ «Средняя общеобразовательная школа № {number}»{where}",
                "methodological_centre": f"Информационно-методический центр{where}"}[kind]
        spread = 0.05 if m == 0 else 0.08
        rows.append((org_id, region.network_id, kind, None if kind == "methodological_centre" else str(number), name,
                     town, f"{rng.choice(STREETS)}, {rng.randint(1, 150)}", round(lat + rng.uniform(-spread, spread), 5),
                     round(lon + rng.uniform(-spread, spread) * 1.6, 5)))
        region.organizations.append((org_id, kind, m, name))
    b.insert("organization", ("id", "network_id", "kind", "number", "name", "municipality", "address", "latitude",
                              "longitude"), rows)


def plan_people(region: Region) -> None:
    """Methodists, tutors and teachers in roster order; each with an organization and hard topics."""
    rng, sizes = region.rng("people"), region.sizes
    orgs = region.organizations
    centres = [o for o in orgs if o[1] == "methodological_centre"]
    staffed = [o for o in orgs if o[1] != "methodological_centre"] or orgs
    plan = ([("methodist", centres[0] if centres else orgs[0])] * sizes.methodists
            + [("tutor", o) for o in rng.choices(staffed + centres, [SIZE[o[1]] for o in staffed + centres],
                                                 k=sizes.tutors)]
            + [("teacher", o) for o in rng.choices(staffed, [SIZE[o[1]] for o in staffed], k=sizes.teachers)])
    ids = region.bulk.ids("person", len(plan))
    emails: set[str] = set()
    for person_id, (kind, org) in zip(ids, plan):
        given, family = _name(rng, org[1])
        first = given.split()[0]
        local = f"{parts.translit(first)}.{parts.translit(family)}"
        domain = f"{ {'kindergarten': 'dou', 'school': 'sch'}.get(org[1], 'imc')}{org[0]}.example.ru"
        n = 1
        while f"{local}{n if n > 1 else ''}@{domain}" in emails:
            n += 1
        email = f"{local}{n if n > 1 else ''}@{domain}"
        emails.add(email)
        position = ("методист" if kind == "methodist" else
                    rng.choice(SCHOOL_POSITIONS) if org[1] == "school" else
                    rng.choices(parts.POSITIONS, (8, 2, 1, 1, 1, 1))[0])
        region.people.append({
            "id": person_id, "kind": kind, "org": org[0], "org_kind": org[1], "town": org[2],
            "given": given, "family": family, "full_name": f"{family} {given}", "email": email,
            "position": position, "experience": rng.randint(8, 35) if kind != "teacher" else min(
                45, int(rng.expovariate(1 / 11))),
        })
    _hard_topics(region)


def insert_people(region: Region) -> None:
    """The persons, linked to their LTI users (`lms.accounts` runs first)."""
    region.bulk.insert("person", ("id", "network_id", "user_id", "organization_id", "full_name", "email", "position",
                                  "is_tutor", "experience_years"),
                       [(p["id"], region.network_id, p["user_id"], p["org"], p["full_name"], p["email"],
                         p["position"], p["kind"] == "tutor", p["experience"]) for p in region.people])


def _name(rng, org_kind: str) -> tuple[str, str]:
    """(given name with patronymic, surname)."""
    if rng.random() < WOMEN.get(org_kind, 0.9):
        return f"{rng.choice(parts.F_NAMES)} {rng.choice(parts.PATRONYMS)}", rng.choice(parts.SURNAMES)
    return f"{rng.choice(M_NAMES)} {rng.choice(M_PATRONYMS)}", rng.choice(parts.SURNAMES).removesuffix("а")


def _hard_topics(region: Region) -> None:
    """2–5 topics each person struggles with; some topics are hard for many (a skewed popularity)."""
    rng = region.rng("hard-topics")
    popularity = {t: rng.paretovariate(1.2) for t, _n, _a in region.topics}
    for p in region.people:
        audience = "school" if p["org_kind"] == "school" else "preschool"
        pool = [t for t, _n, a in region.topics if a in (audience, "any")]
        weights = [popularity[t] for t in pool]
        chosen: set[int] = set()
        for _ in range(rng.randint(2, 5)):
            chosen.add(rng.choices(pool, weights)[0])
        region.hard_topics[p["id"]] = sorted(chosen)


def clusters_and_sites(region: Region) -> None:
    """Methodological clusters (organizations and people with proven results on a topic) and
    internship sites of the year."""
    b, rng, sizes = region.bulk, region.rng("clusters"), region.sizes
    staffed = [o for o in region.organizations if o[1] != "methodological_centre"]
    tutors_by_org: dict[int, list[dict]] = {}
    teachers_by_org: dict[int, list[dict]] = {}
    for p in region.people:
        (tutors_by_org if p["kind"] == "tutor" else teachers_by_org).setdefault(p["org"], []).append(p)
    topics = rng.sample(region.topics, k=min(sizes.clusters, len(region.topics)))
    ids = b.ids("cluster", len(topics))
    rows, member_orgs, member_people = [], [], []
    for cluster_id, (topic_id, topic_name, audience) in zip(ids, topics):
        fitting = [o for o in staffed if audience == "any" or (o[1] == "school") == (audience == "school")] or staffed
        orgs = rng.sample(fitting, k=min(len(fitting), rng.randint(15, 40)))
        tutors = [p for o in orgs for p in tutors_by_org.get(o[0], [])][:12]
        teachers = rng.sample([p for o in orgs for p in teachers_by_org.get(o[0], [])],
                              k=min(25, sum(len(teachers_by_org.get(o[0], [])) for o in orgs)))
        coordinator = tutors[0]["id"] if tutors else None
        rows.append((cluster_id, region.network_id, f"ММК «{topic_name}»", topic_id, coordinator,
                     "Команда организаций и педагогов с результативным опытом по теме."))
        member_orgs += [(cluster_id, o[0]) for o in orgs]
        member_people += list(dict.fromkeys((cluster_id, p["id"]) for p in tutors + teachers))
        region.clusters.append({"id": cluster_id, "topic": topic_id, "orgs": {o[0] for o in orgs}})
    b.insert("cluster", ("id", "network_id", "name", "topic_id", "coordinator_id", "description"), rows)
    b.insert("cluster_organization", ("cluster_id", "organization_id"), member_orgs)
    b.insert("cluster_person", ("cluster_id", "person_id"), member_people)
    region.cluster_people = member_people
    _sites(region, staffed, rng)


def _sites(region: Region, staffed, rng) -> None:
    sites = rng.sample(staffed, k=min(region.sizes.internship_sites, len(staffed)))
    rows = []
    for site_id, org in zip(region.bulk.ids("internship_site", len(sites)), sites):
        pool = [t for t, _n, a in region.topics if a in ("any", "school" if org[1] == "school" else "preschool")]
        topic = rng.choice(pool)
        rows.append((site_id, region.network_id, org[0], topic, region.year_id, "active"))
        region.sites.append({"id": site_id, "org": org[0], "topic": topic})
    region.bulk.insert("internship_site", ("id", "network_id", "organization_id", "topic_id", "year_id", "status"),
                       rows)


def cluster_of(region: Region) -> dict[int, int]:
    """{person id: their cluster} as a survey response snapshots it: own membership, else the
    organization's (the smallest id, as `answering._cluster_of` does)."""
    by_org: dict[int, int] = {}
    for c in sorted(region.clusters, key=lambda c: c["id"]):
        for org in c["orgs"]:
            by_org.setdefault(org, c["id"])
    own: dict[int, int] = {}
    for cluster_id, person_id in region.cluster_people:
        own[person_id] = min(own.get(person_id, cluster_id), cluster_id)
    return {p["id"]: own.get(p["id"]) or by_org.get(p["org"]) for p in region.people}
