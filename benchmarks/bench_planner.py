"""Route planner benchmark: the optimiser against the first-come greedy baseline.

    python benchmarks/bench_planner.py --teachers 10000 --offerings 2000 --seed 1

Builds a seeded region-sized instance (needs skewed toward a few popular topics, so their seats
are scarce; capacities 5-30), runs each method in a forked child (so peak RSS is per method),
checks capacities independently from the assignments and prints a side-by-side table.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lti_tool.pathways.planner import (  # noqa: E402
    DEFAULT_FORM_ORDER,
    OfferingSlot,
    PlannerSettings,
    TeacherNeeds,
    coverage_top3,
    lp_upper_bound,
    plan_greedy,
    plan_routes,
)

TOPICS = 21
MUNICIPALITIES = 20
CLUSTERS = 60
YEAR_START = date(2024, 9, 1)
# How often each form appears on the resource map (consultations are many, internships few).
FORM_SHARE = dict(zip(DEFAULT_FORM_ORDER, [0.2, 0.15, 0.08, 0.12, 0.06, 0.08, 0.05, 0.08, 0.04, 0.06, 0.08]))


def make_instance(teachers: int, offerings: int, seed: int):
    """Seeded teachers and offerings: demand Zipf-skewed over topics, supply much flatter."""
    rng = np.random.default_rng(seed)
    demand = 1.0 / np.arange(1, TOPICS + 1) ** 1.1
    demand /= demand.sum()
    supply = 1.0 / np.arange(1, TOPICS + 1) ** 0.3
    supply /= supply.sum()
    cluster_town = rng.integers(0, MUNICIPALITIES, CLUSTERS)
    ts = []
    for i in range(teachers):
        town = int(rng.integers(0, MUNICIPALITIES))
        in_cluster = rng.random() < 0.6
        cluster = int(rng.choice(np.flatnonzero(cluster_town == town))) if in_cluster and (
            cluster_town == town).any() else None
        count = 0 if rng.random() < 0.03 else int(rng.integers(2, 7))
        topics = rng.choice(TOPICS, size=count, replace=False, p=demand)
        needs = {int(k): round(float(rng.beta(2, 2)), 2) for k in topics}
        ts.append(TeacherNeeds(i + 1, needs, cluster, f"МО-{town}"))
    forms, shares = list(FORM_SHARE), np.array(list(FORM_SHARE.values()))
    os = []
    for j in range(offerings):
        start = YEAR_START + timedelta(days=int(rng.integers(-60, 270)))
        cluster = int(rng.integers(0, CLUSTERS)) if rng.random() < 0.5 else None
        town = int(cluster_town[cluster]) if cluster is not None else int(rng.integers(0, MUNICIPALITIES))
        os.append(OfferingSlot(
            offering_id=1000 + j,
            topic_id=int(rng.choice(TOPICS, p=supply)),
            form=str(rng.choice(forms, p=shares / shares.sum())),
            capacity=int(rng.integers(5, 31)),
            starts_on=start,
            ends_on=start + timedelta(days=int(rng.integers(0, 60))),
            cluster_id=cluster,
            municipality=None if rng.random() < 0.1 else f"МО-{town}",
        ))
    return ts, os


def measure(name, run, ts, os, settings, out):
    """Run one method in this (child) process and send its figures back."""
    started, cpu = time.perf_counter(), time.process_time()
    plan = run(ts, os, settings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    capacity = {o.offering_id: o.capacity for o in os}
    used = Counter(a.offering_id for a in plan.assignments)
    routes: dict[int, list[str]] = {}
    for a in plan.assignments:
        routes.setdefault(a.teacher_id, []).append(a.form)
    long_routes = [forms for forms in routes.values() if len(forms) > 1]
    repeated = sum(len(set(forms)) < len(forms) for forms in long_routes) / max(1, len(long_routes))
    out.send(dict(
        name=name, seconds=seconds, cpu=cpu, seats=sum(used.values()),
        violations=sum(max(0, n - capacity[oid]) for oid, n in used.items()),
        repeated=repeated, top3=coverage_top3(plan, ts, settings.min_need), covered=plan.covered, objective=plan.objective,
        rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, stats=plan.stats,
    ))


def bound(ts, os, settings, method, out):
    """The LP bound, in a child too (for its time and memory)."""
    b = lp_upper_bound(ts, os, settings, method=method)
    out.send(dict(covered=b.covered, objective=b.objective, method=b.method, seconds=b.seconds,
                  rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def in_child(target, *args):
    """Run target(*args, pipe) in a forked process and return what it sent."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, send))
    proc.start()
    result = receive.recv()
    proc.join()
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=10_000)
    parser.add_argument("--offerings", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="also run the non-aggregated graph")
    parser.add_argument("--bound", default="auto", choices=["auto", "lp", "flow", "flow_plain"],
                        help="how to compute the LP bound (see lp_upper_bound)")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    ts, os = make_instance(args.teachers, args.offerings, args.seed)
    settings = PlannerSettings(plan_start=YEAR_START, plan_end=date(2025, 5, 31))
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"instance: {len(ts)} teachers, {len(os)} offerings, {sum(o.capacity for o in os)} seats, "
          f"{TOPICS} topics, {len(FORM_SHARE)} forms, seed {args.seed}; "
          f"built in {time.perf_counter() - t0:.1f} s, RSS {base_rss:.0f} MB")

    methods = [("planner (min-cost flow)", plan_routes), ("greedy (first come)", plan_greedy)]
    if args.plain:
        methods.insert(1, ("planner, plain graph", lambda t, o, s: plan_routes(t, o, s, aggregate=False)))
    rows = [in_child(measure, name, run, ts, os, settings) for name, run in methods]
    b = in_child(bound, ts, os, settings, args.bound)

    header = (f"{'method':<24}{'time s':>8}{'cpu s':>7}{'seats':>8}{'cap.viol':>9}{'top-3 %':>9}"
              f"{'covered':>9}"
              f"{'objective':>11}{'gap obj %':>10}{'gap cov %':>10}{'rep.form %':>11}{'peak RSS MB':>12}")
    print(header)
    print("-" * len(header))
    for r in rows:
        # Below 0.001 % the difference is the 1e-4 rounding of integer costs, not a gap.
        gap_obj = _pct(b["objective"] - r["objective"], b["objective"])
        gap_cov = _pct(b["covered"] - r["covered"], b["covered"])
        print(f"{r['name']:<24}{r['seconds']:>8.2f}{r['cpu']:>7.2f}{r['seats']:>8}{r['violations']:>9}"
              f"{100 * r['top3']:>9.2f}{r['covered']:>9}{r['objective']:>11.1f}{gap_obj:>10.3f}"
              f"{gap_cov:>10.3f}{100 * r['repeated']:>11.1f}{r['rss_mb']:>12.0f}")
    print(f"{'LP bound (' + b['method'] + ')':<24}{b['seconds']:>8.2f}{'':>7}{'':>8}{'':>9}{'':>9}"
          f"{b['covered']:>9.0f}{b['objective']:>11.1f}{'':>10}{'':>10}{'':>11}{b['rss_mb']:>12.0f}")
    flow = rows[0]["stats"]
    print(f"flow graph: {flow['nodes']:.0f} nodes, {flow['arcs']:.0f} arcs; build {flow['build_s']:.2f} s, "
          f"{flow['flow_solves']:.0f} solve(s) {flow['solve_s']:.2f} s; machine load {os_load()}")
    print("time s = wall clock, cpu s = process CPU; rep.form % = routes of 2+ steps repeating a form;\n"
          "peak RSS = of the forked child that ran the method (includes the instance)")


def _pct(diff: float, whole: float) -> float:
    pct = 100 * diff / whole if whole else 0.0
    return 0.0 if abs(pct) < 1e-3 else pct


def os_load() -> str:
    """1-minute load average: other work on the machine inflates wall times."""
    import os

    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


if __name__ == "__main__":
    main()
