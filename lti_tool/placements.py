"""What an instructor can place in a course by deep linking, contributed by each area.

An area lists its placeable items in `lti_tool/<area>/placements.py` as `PLACEMENTS`, a list of
`Placement`. The LTI package collects them for the deep-linking picker and, at launch, sends the
user to `endpoint` with `{id_arg: target_id}`. Plain values only: no pylti1p3 here.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class PlacementItem:
    """One placeable thing, with the AGS line item to create for it when it is graded."""

    target_id: int | None
    title: str
    # {"label": str, "scoreMaximum": float, "resourceId": str, "tag": str} or None (not graded)
    line_item: dict | None = None
    custom: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    """A kind of placeable thing (survey, event, resource map, route, dashboard)."""

    kind: str
    label: Callable[[], str]  # translated at request time
    endpoint: str
    id_arg: str | None = None
    # (session, network_id) -> items; None for a single fixed page (the map, the dashboard)
    items: Callable[[Session, int], list[PlacementItem]] | None = None
    roles: tuple[str, ...] = ()  # tool roles that can open it; empty = everyone in the network


AREAS_WITH_PLACEMENTS = ("surveys", "events", "resource_map", "pathways", "reports")


def all_placements() -> dict[str, Placement]:
    """Every area's placements by kind (areas without a placements module contribute none)."""
    result: dict[str, Placement] = {}
    for area in AREAS_WITH_PLACEMENTS:
        try:
            module = importlib.import_module(f"lti_tool.{area}.placements")
        except ModuleNotFoundError as exc:
            if exc.name != f"lti_tool.{area}.placements":
                raise
            continue
        for placement in module.PLACEMENTS:
            result[placement.kind] = placement
    return result
