"""Where a launch lands, what the deep-linking picker offers, and the signed response it returns.

Targets come from `lti_tool.web.placements.registered()` (each area's `placements.py`), plus the
built-in `home` placement (the start page) and `LTI_EXTRA_PLACEMENTS` from the app config (a list
of `Placement`, for installations and tests). An unknown kind, or one the actor's role may not
open, lands on the start page; methodists and administrators landing on the start page get the
methodist dashboard instead (`reports.dashboard`).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem as LtiLineItem
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from ..web.auth import ADMIN, METHODIST, Actor
from ..web.placements import Placement, PlacementItem, registered
from .roles import STAFF_ROLES

HOME = Placement(kind="home", label=lambda: _("TutorNet start page"), endpoint="home.index")
STAFF_HOME_ENDPOINT = "reports.dashboard"  # the landing page of methodists and administrators


def placements() -> dict[str, Placement]:
    """Every placement by kind: built-in, areas', configured extras."""
    result = {"home": HOME, **registered()}
    for placement in current_app.config.get("LTI_EXTRA_PLACEMENTS", ()):
        result[placement.kind] = placement
    return result


def target_url(actor: Actor, kind: str, target_id: int | None) -> str:
    """The tool URL a launch of (kind, id) opens for this actor."""
    placement = placements().get(kind)
    if placement is None or placement.kind == HOME.kind or (placement.roles and not actor.has(*placement.roles)):
        return home_url(actor)
    values = {placement.id_arg: target_id} if placement.id_arg and target_id is not None else {}
    try:
        return url_for(placement.endpoint, **values)
    except BuildError:  # a configured extra placement whose views are not registered: the start page
        current_app.logger.warning("LTI dispatch: cannot build %s for %s", placement.endpoint, kind)
        return home_url(actor)


def home_url(actor: Actor) -> str:
    """Where a launch of the start page lands: methodists and administrators get their dashboard,
    everyone else the start page."""
    return url_for(STAFF_HOME_ENDPOINT if actor.has(METHODIST, ADMIN) else HOME.endpoint)


def can_deep_link(actor: Actor) -> bool:
    """Only tutors, methodists and administrators place content in a course."""
    return actor.has(*STAFF_ROLES)


@dataclass(frozen=True)
class Choice:
    """One entry of the picker: `value` is what the form posts."""

    value: str
    kind: str
    group: str
    item: PlacementItem


def choices(session: Session, network_id: int) -> list[Choice]:
    """Everything the network can place, grouped by placement kind."""
    result = []
    for kind, placement in placements().items():
        items = placement.items(session, network_id) if placement.items else [PlacementItem(None, str(placement.label()))]
        for item in items:
            value = f"{kind}:{'' if item.target_id is None else item.target_id}"
            result.append(Choice(value, kind, str(placement.label()), item))
    return result


def content_item(choice: Choice, launch_url: str) -> DeepLinkResource:
    """The ltiResourceLink content item for a picked choice (with its AGS line item if graded)."""
    item = choice.item
    custom = {str(k): str(v) for k, v in item.custom.items()}
    custom.update({"tutornet_kind": choice.kind, "tutornet_id": "" if item.target_id is None else str(item.target_id)})
    resource = DeepLinkResource().set_url(launch_url).set_title(item.title)
    if item.line_item:
        li = item.line_item
        line_item = (LtiLineItem().set_label(li.get("label") or item.title)
                     .set_score_maximum(li.get("scoreMaximum", 100)).set_resource_id(li.get("resourceId"))
                     .set_tag(li.get("tag")))
        resource.set_lineitem(line_item)
        custom.update({"tutornet_resource_id": str(li.get("resourceId") or ""), "tutornet_tag": str(li.get("tag") or ""),
                       "tutornet_label": str(li.get("label") or item.title),
                       "tutornet_score_maximum": str(li.get("scoreMaximum", 100))})
    return resource.set_custom_params(custom)
