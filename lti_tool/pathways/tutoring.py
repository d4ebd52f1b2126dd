"""The database ↔ pairing adapter: who is whose tutor for the year.

Tutees are the network's teachers (``planning.network_teachers``) with their needs profiles; tutors
are active persons marked as tutors, with the topics of their offerings on the year's resource map.
Clusters are a person's own memberships and her organization's.

Tutors already attached to a tutee's route of the year stay (they are fixed pairs and use the
tutor's load); a run pairs the others. A methodist adjusts the stored proposal (a pair set by hand
is `manual`; a removed pair is excluded), may re-run keeping those changes, and confirms: the pairs
become `RouteTutor` rows on the tutees' routes of the year (draft routes are created if missing).
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import asdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.reference import Person
from ..resource_map.models import Offering, cluster_organization, cluster_person
from ..surveys.needs import needs_profiles
from . import pairing
from .models import PairingRun, Route, RouteTutor
from .pairing import PairingSettings, Tutee, Tutor
from .planning import network_teachers
from .services import PathwayError

DEFAULT_LOAD_LIMIT = 5


def _clusters(session: Session, people: list[Person]) -> dict[int, frozenset[int]]:
    """{person: cluster ids}: own memberships and the organization's."""
    by_person, by_org = defaultdict(set), defaultdict(set)
    for pid, cid in session.execute(sa.select(cluster_person.c.person_id, cluster_person.c.cluster_id)):
        by_person[pid].add(cid)
    for oid, cid in session.execute(sa.select(cluster_organization.c.organization_id,
                                              cluster_organization.c.cluster_id)):
        by_org[oid].add(cid)
    return {p.id: frozenset(by_person[p.id] | by_org.get(p.organization_id, set())) for p in people}


def network_tutors(session: Session, network_id: int) -> list[Person]:
    """Active persons marked as tutors."""
    return list(session.scalars(sa.select(Person).where(Person.network_id == network_id, Person.is_tutor.is_(True),
                                                        Person.retired_at.is_(None)).order_by(Person.id)))


def attached_pairs(session: Session, network_id: int, year_id: int) -> list[tuple[int, int]]:
    """(tutee, tutor) of every tutor attached to a route of the year."""
    return [tuple(r) for r in session.execute(
        sa.select(Route.person_id, RouteTutor.tutor_id).join(RouteTutor, RouteTutor.route_id == Route.id)
        .where(Route.network_id == network_id, Route.year_id == year_id).order_by(RouteTutor.id))]


def build_inputs(session: Session, network_id: int, year_id: int, limits: dict[int, int], default_limit: int):
    """(tutees, tutors) as the pairing's dataclasses."""
    teachers = network_teachers(session, network_id)
    tutors = network_tutors(session, network_id)
    profiles = needs_profiles(session, network_id, person_ids=[p.id for p in teachers]) if teachers else {}
    clusters = _clusters(session, teachers + tutors)
    topics = defaultdict(set)
    for pid, tid in session.execute(sa.select(Offering.person_id, Offering.topic_id).where(
            Offering.network_id == network_id, Offering.year_id == year_id, Offering.retired_at.is_(None),
            Offering.person_id.is_not(None))):
        topics[pid].add(tid)
    tutees = [Tutee(p.id, profiles.get(p.id, {}), p.organization_id, clusters[p.id], p.experience_years)
              for p in teachers]
    return tutees, [Tutor(p.id, frozenset(topics[p.id]), p.organization_id, clusters[p.id],
                          limits.get(p.id, default_limit)) for p in tutors]


def run_pairing(session: Session, network_id: int, year_id: int, *, default_limit: int = DEFAULT_LOAD_LIMIT,
                young_years: int = 3, limits: dict[int, int] | None = None, manual=(), excluded=(),
                created_by_id: int | None = None) -> PairingRun:
    """Pair the year's tutees without a tutor and store the proposal (nothing is attached yet)."""
    if not 0 <= default_limit <= 1000 or not 0 <= young_years <= 50:
        raise PathwayError(_l("The load limit or the experience of young specialists is out of range."))
    limits = dict(limits or {})
    tutees, tutors = build_inputs(session, network_id, year_id, limits, default_limit)
    ids_in, tutor_ids = {t.person_id for t in tutees}, {t.person_id for t in tutors}
    kept = [(a, b) for a, b in attached_pairs(session, network_id, year_id) if a in ids_in and b in tutor_ids]
    kept_tutees = {a for a, _ in kept}
    manual = [(a, b) for a, b in manual if a in ids_in and b in tutor_ids and a not in kept_tutees]
    settings = PairingSettings(young_years=young_years)
    started = time.perf_counter()
    result = pairing.pair_tutees(tutees, tutors, settings, fixed=kept + manual, excluded=excluded)
    seconds = time.perf_counter() - started
    kept_set = set(kept)
    pairs = [{"tutee": p.tutee_id, "tutor": p.tutor_id, "value": p.value, "topics": list(p.topics),
              "org": p.same_organization, "cluster": p.same_cluster, "young": p.young,
              "manual": p.manual and (p.tutee_id, p.tutor_id) not in kept_set,
              "kept": (p.tutee_id, p.tutor_id) in kept_set} for p in result.pairs]
    young = sum(1 for t in tutees if pairing.instance.is_young(t, settings))
    run = PairingRun(
        network_id=network_id, year_id=year_id, created_by_id=created_by_id,
        settings={**asdict(settings), "default_limit": default_limit},
        proposal={"pairs": pairs, "unmatched": sorted(result.unmatched.items()),
                  "limits": {str(t.person_id): t.load_limit for t in tutors},
                  "excluded": sorted({tuple(x) for x in excluded})},
        figures={"tutees": len(tutees), "tutors": len(tutors), "matched": result.score.matched,
                 "young": young, "young_matched": result.score.young_matched, "value": result.score.value,
                 "capacity": sum(t.load_limit for t in tutors), "seconds": round(seconds, 3)})
    session.add(run)
    session.flush()
    return run


def loads(run: PairingRun) -> Counter:
    """{tutor: tutees} in the proposal."""
    return Counter(p["tutor"] for p in run.proposal.get("pairs", []))


def _editable(run: PairingRun) -> None:
    if run.status != "proposed":
        raise PathwayError(_l("This proposal can no longer be changed."))


def remove_pair(run: PairingRun, tutee_id: int) -> None:
    """Take the tutee's proposed pair out; the pair is excluded from re-runs of this proposal."""
    _editable(run)
    pair = next((p for p in run.proposal["pairs"] if p["tutee"] == tutee_id and not p["kept"]), None)
    if pair is None:
        raise PathwayError(_l("Tutors already attached are detached on the route itself."))
    pairs = [p for p in run.proposal["pairs"] if p is not pair]
    excluded = sorted({tuple(x) for x in run.proposal.get("excluded", [])} | {(tutee_id, pair["tutor"])})
    unmatched = sorted((dict(run.proposal["unmatched"]) | {tutee_id: pairing.REASON_EXCLUDED}).items())
    run.proposal = {**run.proposal, "pairs": pairs, "excluded": excluded, "unmatched": unmatched}


def set_pair(run: PairingRun, tutee_id: int, tutor_id: int) -> None:
    """Pair the tutee with the tutor by hand (replacing her proposed pair); the load limit holds."""
    _editable(run)
    limit = run.proposal["limits"].get(str(tutor_id))
    if limit is None:
        raise PathwayError(_l("Unknown tutor."))
    pairs = run.proposal["pairs"]
    if any(p["tutee"] == tutee_id and p["kept"] for p in pairs):
        raise PathwayError(_l("Tutors already attached are detached on the route itself."))
    in_scope = any(p["tutee"] == tutee_id for p in pairs) or tutee_id in dict(run.proposal["unmatched"])
    if not in_scope:
        raise PathwayError(_l("This teacher is not in the proposal."))
    pairs = [p for p in pairs if p["tutee"] != tutee_id]
    if sum(p["tutor"] == tutor_id for p in pairs) >= limit:
        raise PathwayError(_l("This tutor's load limit is reached."))
    pairs.insert(0, {"tutee": tutee_id, "tutor": tutor_id, "value": 0, "topics": [], "org": False,
                     "cluster": False, "young": False, "manual": True, "kept": False})
    unmatched = [u for u in run.proposal["unmatched"] if u[0] != tutee_id]
    run.proposal = {**run.proposal, "pairs": pairs, "unmatched": unmatched}


def set_limit(run: PairingRun, tutor_id: int, limit: int) -> None:
    """Change one tutor's load limit (not below the tutees she already has in the proposal)."""
    _editable(run)
    if str(tutor_id) not in run.proposal["limits"]:
        raise PathwayError(_l("Unknown tutor."))
    if not 0 <= limit <= 1000 or loads(run)[tutor_id] > limit:
        raise PathwayError(_l("The limit cannot be below the tutor's tutees in the proposal."))
    run.proposal = {**run.proposal, "limits": {**run.proposal["limits"], str(tutor_id): limit}}


def rerun(session: Session, run: PairingRun, created_by_id: int | None) -> PairingRun:
    """A new proposal from this one's settings, limits, manual and excluded pairs; this one is set aside."""
    _editable(run)
    manual = [(p["tutee"], p["tutor"]) for p in run.proposal["pairs"] if p["manual"]]
    new = run_pairing(session, run.network_id, run.year_id, default_limit=run.settings["default_limit"],
                      young_years=run.settings["young_years"],
                      limits={int(k): v for k, v in run.proposal["limits"].items()}, manual=manual,
                      excluded=[tuple(x) for x in run.proposal.get("excluded", [])], created_by_id=created_by_id)
    run.status = "discarded"
    session.flush()
    return new


def confirm(session: Session, run: PairingRun, confirmed_by_id: int | None) -> int:
    """Attach every new pair's tutor to the tutee's route of the year, all or nothing; returns how many.

    Tutees who got a tutor by hand since the proposal keep theirs; a tutor's load (attached now plus
    new pairs) may not exceed her limit."""
    with session.begin_nested():
        claimed = session.execute(sa.update(PairingRun).where(PairingRun.id == run.id,
                                                              PairingRun.status == "proposed")
                                  .values(status="confirmed", confirmed_at=utcnow(), confirmed_by_id=confirmed_by_id))
        if claimed.rowcount != 1:
            raise PathwayError(_l("This proposal can no longer be changed."))
        attached = attached_pairs(session, run.network_id, run.year_id)
        has_tutor = {a for a, _ in attached}
        new = [p for p in run.proposal["pairs"] if not p["kept"] and p["tutee"] not in has_tutor]
        load = Counter(b for _, b in attached) + Counter(p["tutor"] for p in new)
        over = [t for t, n in load.items() if str(t) in run.proposal["limits"] and n > run.proposal["limits"][str(t)]]
        if over:
            raise PathwayError(_l("Some tutors' load limits would be exceeded; run the pairing again."))
        tutees = [p["tutee"] for p in new]
        routes = {r.person_id: r for r in session.scalars(sa.select(Route).where(
            Route.year_id == run.year_id, Route.person_id.in_(tutees)))} if tutees else {}
        for pid in tutees:
            if pid not in routes:
                routes[pid] = Route(network_id=run.network_id, person_id=pid, year_id=run.year_id,
                                    created_by_id=confirmed_by_id)
                session.add(routes[pid])
        session.flush()
        session.add_all(RouteTutor(route_id=routes[p["tutee"]].id, tutor_id=p["tutor"]) for p in new)
        session.flush()
    session.refresh(run)
    return len(new)


def discard(session: Session, run: PairingRun) -> None:
    """Set the proposal aside."""
    _editable(run)
    run.status = "discarded"
    session.flush()
