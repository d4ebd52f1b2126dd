"""Every page of a generated region with one client: time, SQL statements and size per page.

    .venv/bin/python benchmarks/bench_region_pages.py --database-url postgresql+psycopg://…/DB \
        [--slug region] [--repeat 3] [--only NAME …] [--json results.json]

The database holds a region made by `flask demo region` (lti_tool/demo_region). Each page is
requested in-process (Flask test client, CSRF off) as its representative person
(`lti_tool.demo_region.journeys`); GET pages `--repeat` times (median and best), POST pages once
(they change data: a second sign-up or survey answer would be refused), except "save grades"
which is re-sent with new marks. Statements are counted on the app's engine. The load averages
(1/5/15 min) are printed before and after: the machine is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="bench-region-"))

import sqlalchemy as sa  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.demo_region.journeys import grading_form, pages, representatives  # noqa: E402
from lti_tool.web.extensions import db  # noqa: E402
from tests.scaling.probe import open_page  # noqa: E402


def load() -> str:
    return "{:.2f}/{:.2f}/{:.2f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--slug", default="region")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="page names to measure (default: all)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database_url, "WTF_CSRF_ENABLED": False, "CELERY_BROKER_URL": "memory://",
                      "SECRET_KEY": "bench"})
    with app.app_context():
        network_id = db.session.execute(sa.text("SELECT id FROM network WHERE slug = :s"), {"s": args.slug}).scalar()
        if network_id is None:
            raise SystemExit(f"no network «{args.slug}»: run `flask demo region` first")
        picks = representatives(db.session, network_id)
        people = db.session.execute(sa.text("SELECT count(*) FROM person WHERE network_id = :n"),
                                    {"n": network_id}).scalar()
        todo = [p for p in pages(db.session, picks) if not args.only or p.name in args.only]
        rng = random.Random(1)
        forms = {p.name: [grading_form(db.session, picks.ids["grade_event"], rng) for _ in range(args.repeat)]
                 for p in todo if p.name == "save grades"}
    print(f"region «{args.slug}»: {people:,} people; load average before {load()}", flush=True)
    print(f"{'page':34s} {'role':9s} {'st':>3s} {'median ms':>10s} {'best ms':>9s} {'SQL':>7s} {'KB':>8s}  load")
    results = []
    for page in todo:
        runs = []
        times = args.repeat if page.method == "GET" or page.name in forms else 1
        for n in range(times):
            sent = replace(page, form=forms[page.name][n]) if page.name in forms else page
            runs.append(open_page(app, picks, sent))
        ms = [r.seconds * 1000 for r in runs]
        last = runs[-1]
        row = {"page": page.name, "role": page.role, "method": page.method, "path": page.path, "status": last.status,
               "median_ms": round(statistics.median(ms), 1), "best_ms": round(min(ms), 1),
               "statements": len(last.statements), "kb": round(last.size / 1024, 1), "runs": len(runs),
               "load": load()}
        results.append(row)
        print(f"{page.name:34s} {page.role:9s} {last.status:3d} {row['median_ms']:10.1f} {row['best_ms']:9.1f} "
              f"{row['statements']:7d} {row['kb']:8.1f}  {row['load']}", flush=True)
    print(f"load average after {load()}")
    if args.json:
        Path(args.json).write_text(json.dumps({"slug": args.slug, "people": people, "pages": results}, indent=1,
                                              ensure_ascii=False))


if __name__ == "__main__":
    main()
