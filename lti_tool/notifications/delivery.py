"""The worker's side of the email outbox: claim due rows safely, send, retry with backoff.

A claim is exclusive: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, then a guarded UPDATE that
repeats the conditions (on SQLite, which has no row locks, the UPDATE alone decides: a row another
process claimed meanwhile no longer matches). A claimed row is `sending` until its lease ends, so
two workers — or two drains started by two beat processes — never hold the same row. Only if a
worker dies between the SMTP server's "250 OK" and the write of `sent` does the row come back when
its lease runs out; the copy then carries the same Message-ID.

At sending time the person's choices are read again: an unsubscribed person's rows are
`suppressed`, a digest reader's wait as `digest`, quiet hours and the hourly limit move the row later.
"""
from __future__ import annotations

import logging
import smtplib
import time as clock
from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import orm

from sync.backoff import backoff_seconds
from sync.db import among

from ..core.accounts import User
from ..core.clock import utcnow
from ..core.db import is_sqlite
from ..core.notices import Notice
from ..core.reference import Person
from .models import NotificationPreference, NotificationProfile
from .rendering import Recipient, compose, compose_digest
from .smtp import Mailer, parse_smtp_url

log = logging.getLogger(__name__)


def permanent(exc: Exception) -> bool:
    """A 5xx answer about this message (a refused address): retrying would not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def claim(sessions: orm.sessionmaker, now: datetime, limit: int, lease: float) -> list[int]:
    """Claim up to `limit` due rows (pending, or sending with a lapsed lease) for this worker."""
    due = sa.and_(Notice.email_status.in_(("pending", "sending")), Notice.next_attempt_at <= now)
    with sessions.begin() as s:
        query = sa.select(Notice.id).where(due).order_by(Notice.next_attempt_at, Notice.id).limit(limit)
        if not is_sqlite(s):
            query = query.with_for_update(skip_locked=True)
        ids = list(s.scalars(query))
        if not ids:
            return []
        return list(s.scalars(
            sa.update(Notice).where(among(s, Notice.id, ids), due)
            .values(email_status="sending", next_attempt_at=now + timedelta(seconds=lease),
                    attempts=Notice.attempts + 1)
            .returning(Notice.id).execution_options(synchronize_session=False)))


def load(sessions: orm.sessionmaker, ids: list[int]) -> list[dict]:
    """The claimed rows with the person's address, language and choices (one statement)."""
    n, p, pref, prof = Notice, Person, NotificationPreference, NotificationProfile
    with sessions() as s:
        rows = s.execute(
            sa.select(n.id, n.person_id, n.kind, n.params, n.link, n.object_key, n.idempotency_key, n.attempts,
                      p.full_name, sa.func.coalesce(p.email, User.email).label("email"), User.locale,
                      pref.enabled.label("email_pref"), prof.daily_digest, prof.quiet_from, prof.quiet_until,
                      prof.email_off)
            .join(p, p.id == n.person_id).outerjoin(User, User.id == p.user_id)
            .outerjoin(pref, sa.and_(pref.person_id == n.person_id, pref.kind == n.kind, pref.channel == "email"))
            .outerjoin(prof, prof.person_id == n.person_id)
            .where(among(s, n.id, ids)).order_by(n.id)).mappings().all()
    return [dict(r) for r in rows]


def in_quiet_hours(local: datetime, start: time | None, end: time | None) -> datetime | None:
    """If `local` falls in the quiet hours [start, end) (overnight when start > end), when they end."""
    if start is None or end is None or start == end:
        return None
    t = local.time()
    quiet = start <= t < end if start < end else (t >= start or t < end)
    if not quiet:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ends if ends > local else ends + timedelta(days=1)


def sent_last_hour(sessions: orm.sessionmaker, person_ids: list[int], now: datetime) -> Counter:
    """Emails sent to each of these people in the past hour (the per-person limit)."""
    with sessions() as s:
        return Counter(dict(s.execute(
            sa.select(Notice.person_id, sa.func.count()).where(
                among(s, Notice.person_id, sorted(set(person_ids))), Notice.email_status == "sent",
                Notice.sent_at > now - timedelta(hours=1)).group_by(Notice.person_id)).all()))


def drain(sessions: orm.sessionmaker, settings: dict, *, now_fn=utcnow) -> Counter:
    """Send due emails batch by batch until none is due or NOTIFY_DRAIN_SECONDS have passed."""
    smtp = parse_smtp_url(settings.get("SMTP_URL"), default_sender=f"TutorNet <noreply@{_host(settings)}>")
    totals: Counter = Counter()
    deadline = clock.monotonic() + float(settings["NOTIFY_DRAIN_SECONDS"])
    mailer = Mailer(smtp) if smtp else None
    try:
        while clock.monotonic() < deadline:
            now = now_fn()
            ids = claim(sessions, now, int(settings["NOTIFY_BATCH_SIZE"]), float(settings["NOTIFY_LEASE_SECONDS"]))
            if not ids:
                break
            totals.update(_batch(sessions, settings, load(sessions, ids), mailer,
                                 smtp.sender if smtp else "", now))
    finally:
        if mailer:
            mailer.close()
    return totals


def _host(settings: dict) -> str:
    from .rendering import tool_host

    return tool_host(settings["TOOL_BASE_URL"])


def _batch(sessions, settings, rows: list[dict], mailer: Mailer | None, sender: str, now: datetime) -> Counter:
    """Decide, render and send one claimed batch; write every outcome in one transaction."""
    tz = ZoneInfo(settings.get("EVENTS_TIMEZONE") or "Europe/Moscow")
    local = now.astimezone(tz)
    sent_before = sent_last_hour(sessions, [r["person_id"] for r in rows], now)
    limit = int(settings["NOTIFY_RATE_PER_HOUR"])
    updates: list[dict] = []
    smtp_down: str | None = None
    for row in rows:
        out = {"b_id": row["id"], "b_status": "pending", "b_next": now, "b_error": None, "b_sent": None,
               "b_to": None, "b_subject": None, "b_body": None, "b_refund": 0}
        updates.append(out)
        if row["email_off"] or row["email_pref"] is False:
            out["b_status"] = "suppressed"
            continue
        if not row["email"]:
            out.update(b_status="none", b_error="no email address")
            continue
        if row["daily_digest"]:
            out["b_status"] = "digest"
            continue
        ends = in_quiet_hours(local, row["quiet_from"], row["quiet_until"])
        if ends is not None or sent_before[row["person_id"]] >= limit:
            # Not an attempt: it waits for the end of the quiet hours or of the hour.
            out.update(b_next=ends.astimezone(now.tzinfo) if ends else now + timedelta(hours=1), b_refund=1)
            continue
        if smtp_down is not None:
            out.update(b_next=_retry_at(settings, row["attempts"], now), b_error=smtp_down)
            continue
        to = Recipient(row["person_id"], row["full_name"], row["email"], row["locale"])
        message, text = compose(row, to, base_url=settings["TOOL_BASE_URL"], secret=settings["SECRET_KEY"],
                                sender=sender or f"TutorNet <noreply@{_host(settings)}>",
                                open_url=_open_url(settings, row))
        out.update(b_to=row["email"], b_subject=text.title[:512])
        if mailer is None:
            out.update(b_status="kept", b_body=message.get_body(("plain",)).get_content())
            continue
        try:
            mailer.send(message)
        except (smtplib.SMTPException, OSError) as exc:
            if permanent(exc):
                out.update(b_status="failed", b_error=f"{type(exc).__name__}: {exc}"[:2000])
                continue
            # The server is down or asks to come back later: this row and the rest of the batch wait.
            smtp_down = f"{type(exc).__name__}: {exc}"[:2000]
            mailer.close()
            out.update(b_next=_retry_at(settings, row["attempts"], now), b_error=smtp_down)
            continue
        sent_before[row["person_id"]] += 1
        out.update(b_status="sent", b_sent=now)
    for out, row in zip(updates, rows, strict=True):
        if out["b_status"] == "pending" and out["b_error"] and row["attempts"] >= int(settings["NOTIFY_MAX_ATTEMPTS"]):
            out["b_status"] = "failed"
    _write(sessions, updates)
    if smtp_down:
        log.warning("SMTP server unavailable, %d emails wait: %s", sum(1 for u in updates if u["b_error"]), smtp_down)
    return Counter(u["b_status"] for u in updates)


def _retry_at(settings: dict, attempts: int, now: datetime) -> datetime:
    return now + timedelta(seconds=backoff_seconds(attempts, float(settings["NOTIFY_BACKOFF_BASE_SECONDS"]),
                                                   float(settings["NOTIFY_BACKOFF_MAX_SECONDS"])))


def _open_url(settings: dict, row: dict) -> str | None:
    """The LMS course page (LMS_COURSE_URL_TEMPLATE) for notifications about a course's event; else
    the tool's own /notifications/open/<id>, which sends a signed-in person on and tells the others
    to open TutorNet from their course."""
    template = settings.get("LMS_COURSE_URL_TEMPLATE")
    context = (row.get("params") or {}).get("lms_context_id")
    if template and context:
        return template.replace("{context_id}", str(context))
    return None


def _write(sessions: orm.sessionmaker, updates: list[dict]) -> None:
    """Every outcome of a batch in one transaction, guarded by the claim (status `sending`)."""
    with sessions.begin() as s:
        s.connection().execute(
            sa.update(Notice.__table__).where(Notice.__table__.c.id == sa.bindparam("b_id"),
                                              Notice.__table__.c.email_status == "sending")
            .values(email_status=sa.bindparam("b_status"), next_attempt_at=sa.bindparam("b_next"),
                    last_error=sa.bindparam("b_error"), sent_at=sa.bindparam("b_sent"),
                    email_to=sa.func.coalesce(sa.bindparam("b_to"), Notice.__table__.c.email_to),
                    subject=sa.func.coalesce(sa.bindparam("b_subject"), Notice.__table__.c.subject),
                    body_text=sa.func.coalesce(sa.bindparam("b_body"), Notice.__table__.c.body_text),
                    attempts=Notice.__table__.c.attempts - sa.bindparam("b_refund")),
            updates)





def digest_due_at(now_local: datetime, hour: int) -> datetime | None:
    """Today's digest time (local) once it has come; None before it."""
    today = now_local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if now_local >= today else None


def send_digests(sessions: orm.sessionmaker, settings: dict, now: datetime) -> Counter:
    """One email per person with everything that waits as `digest`, once a day.

    Each person's digest is claimed by a guarded UPDATE of her profile's `last_digest_at` (two beat
    processes: one wins), then her rows by moving them from `digest` to `sending`.
    """
    tz = ZoneInfo(settings.get("EVENTS_TIMEZONE") or "Europe/Moscow")
    since = digest_due_at(now.astimezone(tz), int(settings["NOTIFY_DIGEST_HOUR"]))
    if since is None:
        return Counter()
    since = since.astimezone(now.tzinfo)
    smtp = parse_smtp_url(settings.get("SMTP_URL"), default_sender=f"TutorNet <noreply@{_host(settings)}>")
    with sessions() as s:
        people = list(s.scalars(sa.select(Notice.person_id).distinct().where(Notice.email_status == "digest")))
    totals: Counter = Counter()
    mailer = Mailer(smtp) if smtp else None
    try:
        for person_id in people:
            totals.update(_digest_of(sessions, settings, person_id, since, now, mailer, smtp))
    finally:
        if mailer:
            mailer.close()
    return totals


def _digest_of(sessions, settings, person_id: int, since: datetime, now: datetime, mailer, smtp) -> Counter:
    prof = NotificationProfile
    with sessions.begin() as s:
        previous = s.scalar(sa.select(prof.last_digest_at).where(prof.person_id == person_id))
        won = s.execute(sa.update(prof).where(prof.person_id == person_id, sa.or_(
            prof.last_digest_at.is_(None), prof.last_digest_at < since)).values(last_digest_at=now)).rowcount
        if not won:
            return Counter()
        ids = list(s.scalars(sa.update(Notice).where(Notice.person_id == person_id, Notice.email_status == "digest")
                             .values(email_status="sending", next_attempt_at=now + timedelta(hours=1))
                             .returning(Notice.id).execution_options(synchronize_session=False)))
    rows = load(sessions, ids) if ids else []
    if not rows:
        return Counter()
    first = rows[0]
    to = Recipient(person_id, first["full_name"], first["email"] or "", first["locale"])
    message = compose_digest(rows, to, base_url=settings["TOOL_BASE_URL"], secret=settings["SECRET_KEY"],
                             sender=smtp.sender if smtp else "", day=since.date().isoformat())
    status, error = "sent", None
    if not to.email or first["email_off"]:
        status = "suppressed"
    elif mailer is None:
        status = "kept"
    else:
        try:
            mailer.send(message)
        except (smtplib.SMTPException, OSError) as exc:
            status, error = "digest", f"{type(exc).__name__}: {exc}"[:2000]
    with sessions.begin() as s:
        s.execute(sa.update(Notice).where(among(s, Notice.id, ids), Notice.email_status == "sending")
                  .values(email_status=status, last_error=error, sent_at=now if status == "sent" else None,
                          email_to=to.email or None, subject=str(message["Subject"]),
                          body_text=message.get_body(("plain",)).get_content() if status == "kept" else None)
                  .execution_options(synchronize_session=False))
        if status == "digest":  # not sent: the next run tries again
            s.execute(sa.update(prof).where(prof.person_id == person_id).values(last_digest_at=previous))
    return Counter({status: len(ids)})
