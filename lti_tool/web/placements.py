"""What an instructor can place in a course by deep linking, contributed by each area.

An area lists its placeable items in `lti_tool/<area>/placements.py` as `PLACEMENTS`, a list of
`Placement`; the app factory registers each area's list (`register`). The LTI package reads them
(`registered`) for the deep-linking picker and, at launch, sends the user to `endpoint` with
`{id_arg: target_id}`. Plain values only: no pylti1p3 here, and no import of any area.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app
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


_KEY = "tutornet_placements"


def register(app: Flask, placements: list[Placement]) -> None:
    """Add an area's placements to the app's registry (a later kind of the same name replaces one)."""
    registry = app.extensions.setdefault(_KEY, {})
    for placement in placements:
        registry[placement.kind] = placement


def registered() -> dict[str, Placement]:
    """The current app's placements by kind, in the order the areas were registered."""
    return dict(current_app.extensions.get(_KEY, {}))
