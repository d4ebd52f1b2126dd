"""Routes (ИПОМ) figures for the dashboard — only when the pathways area provides them.

The pathways area is built separately. The dashboard asks `lti_tool.pathways.reporting.summary(
session, network_id, start, end)` for `{"published": int, "steps": int, "steps_done": int}`;
until that module exists the dashboard shows "—" (docs/reports.md, "Routes").
"""
from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

from .period import Period

MODULE = "lti_tool.pathways.reporting"


def summary(session: Session, network_id: int, period: Period) -> dict | None:
    """The pathways area's route figures for the period, or None when it does not provide them."""
    try:
        module = importlib.import_module(MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in (MODULE, MODULE.rsplit(".", 1)[0]):
            raise
        return None
    figures = module.summary(session, network_id, period.start, period.end)
    steps, done = figures.get("steps") or 0, figures.get("steps_done") or 0
    return {"published": figures.get("published", 0), "steps": steps, "steps_done": done,
            "progress": done / steps if steps else None}
