"""Roster pull over NRPS 2.0: page through the membership container and upsert in bulk.

Moodle returns every member as Active and simply drops removed or suspended users, so removals
are found by difference: each pull stamps `updated_at` on every enrollment it sees, and at the
end of a complete pull the roster-known enrollments (`source="nrps"`: a pull has seen them) left
unstamped are marked deleted. An enrollment that only a launch created (a site administrator who
launched but is not enrolled, as in Moodle) was never in the roster: pulls leave it alone and the
console counts it as "not in the LMS roster".

A platform that sends a `differences` link (NRPS §2.4.3) gets an incremental pull next time: only
the members that changed since, leavers with status Deleted. When the platform refuses the link
(a 4xx answer: expired, unknown, no longer offered) the same run falls back to a full pull; when
it fails otherwise (5xx, timeout) the link is kept and tried again on the next run.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy import orm

from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course, Enrollment, RosterSync
from lti_tool.core.outbound import OutboundClient, OutboundError
from lti_tool.lti.models import Deployment, Platform

from .http import MT_MEMBERSHIPS, NRPS_SCOPE, PlatformClient, platform_message
from .links import parse_links
from .roster_store import claim_roster, upsert_page
from .tokens import PlatformRef, TokenError, TokenProvider


class RosterError(Exception):
    """The platform did not deliver the roster; the message is shown in the admin console."""


class DifferencesRefused(RosterError):
    """The platform answered a `differences` URL with a 4xx: it will not serve changes since then."""


DIFFERENCES_URL_MAX = 1024  # RosterSync.differences_url; a longer link is not kept (next pull is full)
# 4xx answers that are not a refusal of the differences URL itself (credentials, rate).
NOT_A_REFUSAL = {401, 403, 408, 429}


@dataclass
class PullResult:
    course_id: int
    status: str = "ok"  # ok | failed | busy | skipped
    pages: int = 0
    seen: int = 0
    added: int = 0
    removed: int = 0
    persons: int = 0
    error: str | None = None
    incremental: bool = False
    launch_only: int = 0  # enrollments only launches created (not in the LMS roster), left alone
    extra: dict = field(default_factory=dict)


def with_limit(url: str, limit: int) -> str:
    """`url` with `limit` set (Moodle returns no pages, and no next link, without it)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "limit"]
    query.append(("limit", str(limit)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def fetch_page(client: PlatformClient, url: str, differences: bool = False) -> tuple[list[dict], dict[str, str]]:
    """One membership page: (members, links by relation). `differences`: a page of a differences
    pull, whose 4xx answers are refusals (`DifferencesRefused`)."""
    try:
        resp = client.request("GET", url, headers={"Accept": MT_MEMBERSHIPS})
    except OutboundError as exc:
        raise RosterError(f"NRPS request failed: {exc}") from exc
    if resp.status_code != 200:
        refused = differences and 400 <= resp.status_code < 500 and resp.status_code not in NOT_A_REFUSAL
        raise (DifferencesRefused if refused else RosterError)("NRPS answered " + platform_message(resp))
    try:
        body = resp.json()
    except ValueError as exc:
        raise RosterError("NRPS answered something that is not JSON") from exc
    members = body.get("members") if isinstance(body, dict) else None
    if not isinstance(members, list):
        raise RosterError("NRPS answer has no members list")
    return members, parse_links(resp.headers.get("Link"))


def pull_roster(sessions: orm.sessionmaker, course_id: int, tokens: TokenProvider, http: OutboundClient,
                settings: dict) -> PullResult:
    """Pull one course's roster; records progress and the result in `RosterSync`."""
    result = PullResult(course_id)
    with sessions() as s:
        row = s.execute(
            sa.select(Course, Platform).join(Deployment, Deployment.id == Course.deployment_id)
            .join(Platform, Platform.id == Deployment.platform_id).where(Course.id == course_id)
        ).first()
        if row is None or not row[0].nrps_url:
            result.status = "skipped"
            return result
        course, platform = row
        ref, network_id, nrps_url = PlatformRef.of(platform), course.network_id, course.nrps_url
    started = utcnow()
    lease = timedelta(seconds=settings["SYNC_ROSTER_LEASE_SECONDS"])
    differences_url = claim_roster(sessions, course_id, started, lease)
    if differences_url is False:
        result.status = "busy"
        return result
    client = PlatformClient(ref, (NRPS_SCOPE,), tokens, http)
    pull = (course_id, network_id, ref.issuer)
    if differences_url:
        incremental = PullResult(course_id, incremental=True)
        try:
            return _run(sessions, client, differences_url, pull, started, incremental)
        except DifferencesRefused as exc:
            result.extra["differences_refused"] = str(exc)
            started = utcnow()  # what the refused pull stamped is not "seen by the full pull"
        except (RosterError, TokenError) as exc:
            # The changes are still to be fetched: keep the link for the next run.
            return _failed(sessions, incremental, exc, differences_url)
    try:
        return _run(sessions, client, with_limit(nrps_url, settings["SYNC_NRPS_PAGE_SIZE"]), pull, started, result)
    except (RosterError, TokenError) as exc:
        return _failed(sessions, result, exc, None)


def _failed(sessions, result: PullResult, exc: Exception, keep: str | None) -> PullResult:
    """Record a failed pull (nobody is removed); `keep` is the differences link for the next run."""
    result.status, result.error = "failed", str(exc)
    with sessions.begin() as s:
        s.execute(sa.update(RosterSync).where(RosterSync.course_id == result.course_id).values(
            status="failed", finished_at=utcnow(), last_error=result.error, differences_url=keep))
    return result


def _run(sessions, client: PlatformClient, url: str, pull: tuple[int, int, str], started: datetime,
         result: PullResult) -> PullResult:
    """One pull (full or incremental) from `url` to its recorded result."""
    differences = _pull_pages(sessions, client, url, *pull, result)
    _finish(sessions, pull[0], started, result, differences)
    return result


def _pull_pages(sessions, client: PlatformClient, url: str, course_id: int, network_id: int, issuer: str,
                result: PullResult) -> str | None:
    """Fetch pages (the next one downloads while the current one is written); return the first
    `differences` link met (the earliest point in time: no change made during the pull is lost)."""
    differences = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nrps-prefetch") as pool:
        pending = pool.submit(fetch_page, client, url, result.incremental)
        while pending is not None:
            members, links = pending.result()
            differences = differences or links.get("differences")
            nxt = links.get("next")
            pending = pool.submit(fetch_page, client, nxt, result.incremental) if nxt else None
            with sessions.begin() as s:
                added, removed, persons = upsert_page(s, course_id, network_id, issuer, members, utcnow())
                result.pages += 1
                result.seen += len(members)
                result.added += added
                result.removed += removed
                result.persons += persons
                s.execute(sa.update(RosterSync).where(RosterSync.course_id == course_id).values(
                    pages=result.pages, members_seen=result.seen))
    return differences


def _finish(sessions, course_id: int, started: datetime, result: PullResult, differences: str | None) -> None:
    """Mark vanished roster members (full pulls only) and record the result."""
    with sessions.begin() as s:
        if not result.incremental:
            result.removed += s.execute(
                sa.update(Enrollment).where(Enrollment.course_id == course_id, Enrollment.source == "nrps",
                                            Enrollment.updated_at < started, Enrollment.status != "deleted")
                .values(status="deleted", updated_at=utcnow())
            ).rowcount
        result.launch_only = launch_only_count(s, course_id)
        s.execute(sa.update(RosterSync).where(RosterSync.course_id == course_id).values(
            status="ok", finished_at=utcnow(), pages=result.pages, members_seen=result.seen,
            members_added=result.added, members_removed=result.removed, last_error=None,
            differences_url=differences if differences and len(differences) <= DIFFERENCES_URL_MAX else None))


def launch_only_count(session: orm.Session, course_id: int) -> int:
    """Enrollments of the course that only launches created (never seen in its roster)."""
    return session.scalar(sa.select(sa.func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course_id, Enrollment.launch_only())) or 0
