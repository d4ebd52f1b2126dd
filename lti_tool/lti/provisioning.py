"""Rows a validated launch leaves behind, so the tool and the sync worker can work without it.

User (issuer + sub), course (context of the deployment, in the deployment's network), enrollment
with the LTI roles, resource link with its target and AGS line item, the course's NRPS/AGS
endpoints and scopes, the network's person, and the platform's last launch time. A repeat launch
costs one SELECT and UPDATEs only what changed (last-seen times have a one-minute resolution).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..core import line_items
from ..core.accounts import RoleGrant, User
from ..core.clock import as_utc, utcnow
from ..core.courses import Course, Enrollment, ResourceLink
from ..core.grades import LineItem
from ..core.ids import parse_id
from ..core.member_roles import tool_roles
from ..core.people import ensure_person
from ..core.reference import Person
from ..core.roles import GRANTABLE_ROLES
from ..web.auth import Actor
from . import registration_cache
from .errors import LaunchRefused, state_used_message
from .models import Deployment, Platform
from .registration_lookup import deployment_disabled_message, platform_disabled_message
from .roles import map_roles

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
LAST_LAUNCH_RESOLUTION = timedelta(minutes=1)  # Platform.last_launch_at is not rewritten more often


@dataclass(frozen=True)
class Provisioned:
    """What the launch resolved to: the actor to sign in and where to send them."""

    actor: Actor
    launch_roles: frozenset[str]  # what the LTI roles alone give (grants are read at each request)
    platform_id: int
    deployment_id: int
    user: User
    course: Course | None
    link: ResourceLink | None
    target_kind: str
    target_id: int | None


def _set(row, **values) -> None:
    """Assign only changed values (unchanged rows cost no UPDATE)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def custom_target(claims: dict) -> tuple[str | None, int | None]:
    """The (kind, id) a deep-linked item carries in its custom parameters."""
    custom = claims.get(CLAIM + "custom") or {}
    kind = custom.get("tutornet_kind") if isinstance(custom, dict) else None
    if not kind or not isinstance(kind, str):
        return None, None
    raw = str(custom.get("tutornet_id") or "").strip()
    return kind, parse_id(raw)


def upsert_user(session: Session, issuer: str, claims: dict, user: User | None, network_id: int | None = None) -> User:
    """The platform's user by `sub` in the launch's network (`user` if already loaded), with this
    launch's personal data."""
    if user is None:
        user = User(network_id=network_id, issuer=issuer, sub=claims["sub"])
        session.add(user)
    locale = (claims.get(CLAIM + "launch_presentation") or {}).get("locale")
    # Only what was sent is updated: a launch without names does not erase known names.
    for field in ("name", "given_name", "family_name", "email"):
        if claims.get(field):
            _set(user, **{field: str(claims[field])[:255]})
    if locale:
        _set(user, locale=str(locale)[:16])
    now = utcnow()
    if user.last_seen_at is None or as_utc(user.last_seen_at) < now - LAST_LAUNCH_RESOLUTION:
        user.last_seen_at = now
    return user


@dataclass
class _Loaded:
    user: User | None = None
    person: Person | None = None
    course: Course | None = None
    enrollment: Enrollment | None = None
    link: ResourceLink | None = None
    granted: frozenset[str] = frozenset()
    platform_enabled: bool | None = None  # None: the platform row is gone
    deployment_enabled: bool | None = None
    last_launch_at: datetime | None = None
    marked: bool = False  # the state's single-use mark stored by this SELECT's CTE


@lru_cache(maxsize=4)
def _load_query(mark_insert=None):
    """User, person, course, enrollment, link, tool-side grants of a launch, and the current
    `enabled` flags of its platform and deployment: one SELECT.

    Built once per process with bind parameters (statement construction costs more than the
    query itself on a repeat launch). A one-row anchor outer-joins everything, so a missing user
    still finds the course and vice versa; a NULL context or link id matches nothing. The flags
    make the database, not the registration cache of this process, decide that the launch may
    write (registration_cache.py). With `mark_insert` (the shared cache's insert-or-fail of the state's
    single-use mark, PostgreSQL) the same statement stores the mark as a CTE and says whether it
    did: one round trip less per launch.
    """
    anchor = sa.select(sa.literal(1).label("one")).subquery("anchor")
    grants = [
        sa.exists().where(RoleGrant.network_id == sa.bindparam("network_id"), RoleGrant.user_id == User.id,
                          RoleGrant.role == role, RoleGrant.revoked_at.is_(None)).label(f"grant_{role}")
        for role in GRANTABLE_ROLES
    ]
    platform = sa.select(Platform.enabled, Platform.last_launch_at).where(
        Platform.id == sa.bindparam("platform_id")).subquery("platform")
    deployment_enabled = (sa.select(Deployment.enabled)
                          .where(Deployment.id == sa.bindparam("deployment_id"),
                                 Deployment.network_id == sa.bindparam("network_id"))
                          .scalar_subquery().label("deployment_enabled"))
    marked = []
    if mark_insert is not None:
        mark = mark_insert.cte("state_mark")
        marked = [sa.select(sa.func.count()).select_from(mark).scalar_subquery().label("marked")]
    return (
        sa.select(User, Person, Course, Enrollment, ResourceLink, *grants,
                  platform.c.enabled.label("platform_enabled"), deployment_enabled,
                  platform.c.last_launch_at.label("last_launch_at"), *marked)
        .select_from(anchor)
        .outerjoin(platform, sa.true())
        .outerjoin(User, sa.and_(User.network_id == sa.bindparam("network_id"), User.issuer == sa.bindparam("issuer"),
                                 User.sub == sa.bindparam("sub")))
        .outerjoin(Person, sa.and_(Person.user_id == User.id, Person.network_id == sa.bindparam("network_id")))
        .outerjoin(Course, sa.and_(Course.deployment_id == sa.bindparam("deployment_id"),
                                   Course.lti_context_id == sa.bindparam("context_id")))
        .outerjoin(Enrollment, sa.and_(Enrollment.course_id == Course.id, Enrollment.user_id == User.id))
        .outerjoin(ResourceLink, sa.and_(ResourceLink.course_id == Course.id,
                                         ResourceLink.lti_resource_link_id == sa.bindparam("link_id")))
        .limit(1)
    )


def _load(session: Session, platform_id: int, issuer: str, sub: str, deployment, context_id: str | None,
          link_id: str | None, mark=None) -> _Loaded:
    params = {"platform_id": platform_id, "issuer": issuer, "sub": sub, "network_id": deployment.network_id,
              "deployment_id": deployment.id, "context_id": context_id, "link_id": link_id}
    if mark is not None:
        params.update(mark[1])
    row = session.execute(_load_query(mark[0] if mark is not None else None), params).first()
    values = row._mapping
    flag = (lambda value: None if value is None else bool(value))
    return _Loaded(row[0], row[1], row[2], row[3], row[4],
                   granted=frozenset(role for role in GRANTABLE_ROLES if values[f"grant_{role}"]),
                   platform_enabled=flag(values["platform_enabled"]),
                   deployment_enabled=flag(values["deployment_enabled"]),
                   last_launch_at=values["last_launch_at"], marked=bool(mark is not None and values["marked"]))


def _refuse_unless_enabled(loaded: _Loaded) -> None:
    """The database's word on the platform and deployment, before anything is written."""
    if not loaded.platform_enabled or not loaded.deployment_enabled:
        registration_cache.forget()  # this process's copy said yes: read it again next time
        if not loaded.platform_enabled:
            raise LaunchRefused(403, platform_disabled_message() if loaded.platform_enabled is False else
                                _("This LMS is no longer registered in TutorNet."))
        raise LaunchRefused(403, deployment_disabled_message())


def upsert_course(session: Session, deployment: Deployment, claims: dict, course: Course | None) -> Course:
    """The context's course in the deployment's network, with its service endpoints."""
    context = claims[CLAIM + "context"]
    if course is None:
        course = Course(network_id=deployment.network_id, deployment_id=deployment.id, lti_context_id=str(context["id"]))
        session.add(course)
    _set(course, title=context.get("title") or course.title, label=context.get("label") or course.label)
    ags = claims.get(AGS_CLAIM) or {}
    if ags.get("lineitems"):
        _set(course, ags_lineitems_url=ags["lineitems"], ags_scopes=sorted(ags.get("scope") or []))
    nrps = claims.get(NRPS_CLAIM) or {}
    if nrps.get("context_memberships_url"):
        _set(course, nrps_url=nrps["context_memberships_url"])
    return course


def upsert_enrollment(session: Session, course: Course, user: User, lti_roles: list,
                      enrollment: Enrollment | None) -> Enrollment:
    """The membership with the roles of this launch (a launch re-activates it)."""
    if enrollment is None:
        enrollment = Enrollment(course=course, user=user, source="launch")
        session.add(enrollment)
    roles = [r for r in lti_roles if isinstance(r, str)]
    _set(enrollment, lti_roles=roles, status="active")
    return enrollment


def upsert_link(session: Session, course: Course, claims: dict, link: ResourceLink | None) -> ResourceLink:
    """The placed link; its target is recorded from the custom claim at its first launch."""
    link_claim = claims[CLAIM + "resource_link"]
    if link is None:
        if course.id is None:
            session.flush()  # a new course: its id is needed
        link = ResourceLink(course_id=course.id, lti_resource_link_id=str(link_claim["id"]), target_kind="home")
        session.add(link)
    kind, target_id = custom_target(claims)
    if kind and link.target_kind == "home" and link.target_id is None:
        _set(link, target_kind=kind[:32], target_id=target_id)
    ags = claims.get(AGS_CLAIM) or {}
    _set(link, title=link_claim.get("title") or link.title, ags_lineitem_url=ags.get("lineitem") or link.ags_lineitem_url)
    return link


def upsert_line_item(session: Session, course: Course, link: ResourceLink, claims: dict) -> LineItem | None:
    """The line item coupled to the link (Moodle sends `lineitem` only when exactly one is)."""
    url = (claims.get(AGS_CLAIM) or {}).get("lineitem")
    if not url:
        return None
    if link.id is None:
        session.flush()
    item = line_items.by_url(session, course.id, url)
    if item is not None:
        return item
    custom = claims.get(CLAIM + "custom") or {}
    try:
        maximum = float(custom.get("tutornet_score_maximum") or 100)
    except (TypeError, ValueError):
        maximum = 100.0
    item = line_items.find_or_create(
        session, course_id=course.id, resource_link_id=link.id,
        resource_id=str(custom.get("tutornet_resource_id") or "")[:255], tag=str(custom.get("tutornet_tag") or "")[:255],
        label=str(custom.get("tutornet_label") or link.title or "TutorNet")[:255], score_maximum=maximum, url=url)
    line_items.record_url(item, url)  # a line item the tool created before the platform coupled it
    return item


def provision(session: Session, platform, deployment, claims: dict, mark=None) -> Provisioned:
    """Upsert every row of a validated launch and return the actor (the caller commits).

    `platform` and `deployment` are the registration the launch was validated with (snapshots
    from registration_cache.py, or rows). A repeat launch reads with one query (user, person, course,
    enrollment, link, grants, current enabled flags) and writes only what changed. A platform or
    deployment disabled meanwhile is refused (`LaunchRefused`) before any write. `mark`: the
    state's single-use mark (`ToolMessageLaunch.state_mark()`), stored by the same SELECT; a state
    used already is refused before any other write.
    """
    network_id = deployment.network_id
    lti_roles = claims.get(CLAIM + "roles") or []
    context_id = (claims.get(CLAIM + "context") or {}).get("id")
    link_id = (claims.get(CLAIM + "resource_link") or {}).get("id") if context_id else None
    loaded = _load(session, platform.id, platform.issuer, claims["sub"], deployment,
                   str(context_id) if context_id else None, str(link_id) if link_id else None, mark)
    _refuse_unless_enabled(loaded)
    if mark is not None and not loaded.marked:
        raise LaunchRefused(401, state_used_message())
    new_user = loaded.user is None
    user = upsert_user(session, platform.issuer, claims, loaded.user, network_id)
    course = link = None
    if context_id:
        course = upsert_course(session, deployment, claims, loaded.course)
        upsert_enrollment(session, course, user, lti_roles, loaded.enrollment if not new_user else None)
        if link_id:
            link = upsert_link(session, course, claims, loaded.link)
            upsert_line_item(session, course, link, claims)
    person = loaded.person
    if person is None or (user.name and person.full_name in (None, "", user.sub)):
        ensure_person(session, network_id, user)  # flushes
    elif user.id is None:
        session.flush()
    roles = map_roles(lti_roles, loaded.granted)
    now = utcnow()
    if loaded.last_launch_at is None or as_utc(loaded.last_launch_at) < now - LAST_LAUNCH_RESOLUTION:
        session.execute(sa.update(Platform).where(Platform.id == platform.id).values(last_launch_at=now)
                        .execution_options(synchronize_session=False))
    if link is not None:
        if link.id is None:
            session.flush()
        kind, target_id = link.target_kind, link.target_id
    else:
        kind, target_id = custom_target(claims)
    actor = Actor(user_id=user.id, network_id=network_id, roles=roles, course_id=course.id if course else None,
                  resource_link_id=link.id if link else None, name=user.display_name)
    return Provisioned(actor, frozenset(tool_roles(lti_roles)), platform.id, deployment.id, user, course, link, kind or "home", target_id)
