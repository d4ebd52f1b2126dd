"""Tutor pairing benchmark: the min-cost flow against the greedy baseline.

    python benchmarks/bench_pairing.py --tutees 20000 --tutors 1000 --seed 1

Builds a seeded region-sized instance (tutees' needs Zipf-skewed over topics, so tutors of popular
topics are scarce; 15% young specialists; load limits 5-30), runs each method, checks every load
limit independently from the pairs and prints a side-by-side table: time, tutees matched, young
specialists matched, top needs covered and the objective.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lti_tool.pathways.pairing import PairingSettings, Tutee, Tutor, pair_greedy, pair_tutees  # noqa: E402

TOPICS = 21
ORGANIZATIONS = 400
CLUSTERS = 60


def make_instance(tutees: int, tutors: int, seed: int):
    """Seeded tutees and tutors: demand skewed toward a few topics, tutors' topics much flatter."""
    rng = np.random.default_rng(seed)
    demand = 1.0 / np.arange(1, TOPICS + 1) ** 1.1
    demand /= demand.sum()
    supply = 1.0 / np.arange(1, TOPICS + 1) ** 0.3
    supply /= supply.sum()
    org_cluster = {o: int(rng.integers(0, CLUSTERS)) for o in range(ORGANIZATIONS) if rng.random() < 0.5}
    tes = []
    for i in range(tutees):
        org = int(rng.integers(0, ORGANIZATIONS))
        count = 0 if rng.random() < 0.05 else int(rng.integers(2, 7))
        topics = rng.choice(TOPICS, size=count, replace=False, p=demand)
        needs = {int(k): round(float(rng.beta(2, 2)), 2) for k in topics}
        young = rng.random() < 0.15
        tes.append(Tutee(i + 1, needs, org, frozenset({org_cluster[org]} if org in org_cluster else ()),
                         int(rng.integers(0, 3)) if young else int(rng.integers(3, 35))))
    trs = []
    for j in range(tutors):
        org = int(rng.integers(0, ORGANIZATIONS))
        topics = frozenset(int(k) for k in rng.choice(TOPICS, size=int(rng.integers(1, 4)), replace=False, p=supply))
        trs.append(Tutor(100_000 + j, topics, org, frozenset({org_cluster[org]} if org in org_cluster else ()),
                         int(rng.integers(5, 31))))
    return tes, trs


def quality(result, tutees, tutors, settings):
    """Figures computed from the pairs alone, with the load limits checked independently."""
    limits = {t.person_id: t.load_limit for t in tutors}
    load = Counter(p.tutor_id for p in result.pairs)
    over = sum(load[t] > limits[t] for t in load)
    young = sum(1 for t in tutees if t.experience_years is not None and t.experience_years < settings.young_years)
    top_total = sum(min(settings.top_needs, sum(1 for n in t.needs.values() if n >= settings.min_need))
                    for t in tutees)
    covered = sum(len(p.topics) for p in result.pairs)
    return {
        "matched": f"{result.score.matched} / {len(tutees)}",
        "young matched": f"{result.score.young_matched} / {young}",
        "top needs covered": f"{covered / top_total:.1%}" if top_total else "-",
        "same cluster": f"{sum(p.same_cluster for p in result.pairs)}",
        "same organization": f"{sum(p.same_organization for p in result.pairs)}",
        "objective (units)": f"{result.score.value}",
        "loads over limit": str(over),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tutees", type=int, default=20_000)
    parser.add_argument("--tutors", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--candidates", type=int, default=60, help="arcs kept per tutee (0: all)")
    args = parser.parse_args()
    tutees, tutors = make_instance(args.tutees, args.tutors, args.seed)
    settings = PairingSettings(candidates_per_tutee=args.candidates or None)
    print(f"{args.tutees} tutees × {args.tutors} tutors, capacity {sum(t.load_limit for t in tutors)}, "
          f"seed {args.seed}, candidates per tutee {args.candidates or 'all'}")
    rows = {}
    for name, method in (("min-cost flow", pair_tutees), ("greedy", pair_greedy)):
        started = time.perf_counter()
        result = method(tutees, tutors, settings)
        seconds = time.perf_counter() - started
        rows[name] = {"time, s": f"{seconds:.2f}", **quality(result, tutees, tutors, settings)}
    width = max(len(k) for k in next(iter(rows.values())))
    print(f"{'':{width}}  " + "  ".join(f"{n:>16}" for n in rows))
    for key in next(iter(rows.values())):
        print(f"{key:{width}}  " + "  ".join(f"{rows[n][key]:>16}" for n in rows))


if __name__ == "__main__":
    main()
