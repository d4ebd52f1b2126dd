"""What the admin console shows and does, always inside one network."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core import scores
from ..core.accounts import Network, User
from ..core.courses import Course, Enrollment, RosterSync
from ..core.grades import LineItem, ScoreOutbox
from ..lti.models import Deployment, Platform

FAILED_LIMIT = 200
# The email side of notifications (core/notices.py) as the outbox page names it.
EMAIL_STATUS_LABELS = {"pending": _l("waiting"), "sending": _l("being sent"), "sent": _l("sent"),
                       "kept": _l("kept (no SMTP server)"), "digest": _l("for the daily digest"),
                       "suppressed": _l("unsubscribed"), "failed": _l("given up")}


@dataclass
class DeploymentRow:
    """A deployment with its sync figures: latest roster pull and grade pushes by status."""

    deployment: Deployment
    network: Network
    courses: int = 0
    last_roster: RosterSync | None = None
    outbox: dict[str, int] = field(default_factory=dict)
    # Active enrollments that only launches created, in courses the worker pulls rosters of:
    # people who open the tool but are not in the LMS roster (a site administrator, say).
    launch_only: int = 0


@dataclass
class PlatformRow:
    platform: Platform
    network: Network
    deployments: list[DeploymentRow] = field(default_factory=list)


def platform_in_network(session: Session, network_id: int, platform_id: int) -> Platform | None:
    """The platform if it belongs to the network (registered there); None otherwise."""
    platform = session.get(Platform, platform_id)
    return platform if platform is not None and platform.network_id == network_id else None


def overview(session: Session, network_id: int) -> list[PlatformRow]:
    """Platforms registered in the network or deploying into it, with their deployments there."""
    deployments = list(session.scalars(sa.select(Deployment).where(Deployment.network_id == network_id)))
    platform_ids = {d.platform_id for d in deployments}
    platforms = session.scalars(
        sa.select(Platform).where(sa.or_(Platform.network_id == network_id, Platform.id.in_(platform_ids)))
        .order_by(Platform.created_at, Platform.id)).all()
    networks = {n.id: n for n in session.scalars(sa.select(Network).where(
        Network.id.in_({p.network_id for p in platforms} | {network_id})))}
    rows = {p.id: PlatformRow(p, networks[p.network_id]) for p in platforms}
    stats = _deployment_stats(session, [d.id for d in deployments])
    for d in sorted(deployments, key=lambda d: d.id):
        row = DeploymentRow(d, networks[network_id], **stats.get(d.id, {}))
        rows[d.platform_id].deployments.append(row)
    return list(rows.values())


def _deployment_stats(session: Session, deployment_ids: list[int]) -> dict[int, dict]:
    if not deployment_ids:
        return {}
    stats: dict[int, dict] = {d: {"courses": 0, "last_roster": None, "outbox": {}, "launch_only": 0}
                              for d in deployment_ids}
    course_counts = session.execute(sa.select(Course.deployment_id, sa.func.count()).where(
        Course.deployment_id.in_(deployment_ids)).group_by(Course.deployment_id))
    for dep_id, count in course_counts:
        stats[dep_id]["courses"] = count
    syncs = session.execute(
        sa.select(Course.deployment_id, RosterSync).join(Course, Course.id == RosterSync.course_id)
        .where(Course.deployment_id.in_(deployment_ids)))
    for dep_id, sync in syncs:
        best = stats[dep_id]["last_roster"]
        if best is None or _when(sync) > _when(best):
            stats[dep_id]["last_roster"] = sync
    outbox = session.execute(
        sa.select(Course.deployment_id, ScoreOutbox.status, sa.func.count())
        .join(Course, Course.id == ScoreOutbox.course_id)
        .where(Course.deployment_id.in_(deployment_ids)).group_by(Course.deployment_id, ScoreOutbox.status))
    for dep_id, status, count in outbox:
        stats[dep_id]["outbox"][status] = count
    launch_only = session.execute(
        sa.select(Course.deployment_id, sa.func.count()).join(Enrollment, Enrollment.course_id == Course.id)
        .where(Course.deployment_id.in_(deployment_ids), Course.nrps_url.is_not(None),
               Enrollment.launch_only())
        .group_by(Course.deployment_id))
    for dep_id, count in launch_only:
        stats[dep_id]["launch_only"] = count
    return stats


def _when(sync: RosterSync) -> datetime:
    moment = sync.finished_at or sync.started_at
    return moment.replace(tzinfo=None) if moment else datetime.min


@dataclass(frozen=True)
class FailedPush:
    outbox: ScoreOutbox
    course: Course
    user: User
    line_item: LineItem


def failed_pushes(session: Session, network_id: int, limit: int = FAILED_LIMIT) -> list[FailedPush]:
    """Grade pushes the worker gave up on, newest first, with course, person and line item."""
    query = (sa.select(ScoreOutbox, Course, User, LineItem)
             .join(Course, Course.id == ScoreOutbox.course_id)
             .join(User, User.id == ScoreOutbox.user_id)
             .join(LineItem, LineItem.id == ScoreOutbox.line_item_id)
             .where(ScoreOutbox.network_id == network_id, ScoreOutbox.status == "failed")
             .order_by(ScoreOutbox.created_at.desc(), ScoreOutbox.id.desc()).limit(limit))
    return [FailedPush(*row) for row in session.execute(query)]


def count_failed(session: Session, network_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox).where(
        ScoreOutbox.network_id == network_id, ScoreOutbox.status == "failed")) or 0


def retry_pushes(session: Session, network_id: int, outbox_id: int | None = None) -> int:
    """Queue failed pushes again (one, or all of the network) with the worker's own retry: pending,
    due now, attempts reset so its backoff starts over. Returns how many were queued."""
    return scores.retry_failed(session, network_id, [outbox_id] if outbox_id is not None else None)
