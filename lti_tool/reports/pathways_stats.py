"""Routes (ИПОМ) figures for the dashboard, from the pathways area, with the share of steps done."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..pathways import reporting
from .period import Period


def summary(session: Session, network_id: int, period: Period) -> dict:
    """Published routes of the period, their active steps, steps done and the progress (None: no steps)."""
    figures = reporting.summary(session, network_id, period.start, period.end)
    steps, done = figures.get("steps") or 0, figures.get("steps_done") or 0
    return {"published": figures.get("published", 0), "steps": steps, "steps_done": done,
            "progress": done / steps if steps else None, "consultations": figures.get("consultations", 0),
            "consultation_hours": round(figures.get("consultation_minutes", 0) / 60, 1)}
