"""Completion push over AGS 2.0: drain the outbox of one platform, several scores in flight.

Timestamps: each score of a (line item, user) is stamped at least a second later than the last
one sent for it (Moodle keeps them to the second and answers 409 otherwise); a re-send of the same
row repeats its timestamp.

Outcomes by answer: 2xx with an empty or JSON body delivered; **409**, a **2xx whose body is not a
platform's** ("Terminated: 15": a PHP worker stopped mid-request, nothing written) and a
**connection dropped without an answer** are unknown: the worker reads the user's result
(`sync.results`) — the platform holds the score: delivered; it does not: sent again at once with
a later timestamp (a few rounds, then retried later). 429 waits `Retry-After` and pauses the
whole platform; 5xx/timeouts back off exponentially with jitter (and after several in a row the
platform is left alone until the backoff ends); 401 refreshes the token once, then backs off; any
other 4xx fails the row with the platform's message, which tutors and admins see and can retry.
"""
from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import orm

from lti_tool.core.clock import as_utc, utcnow
from lti_tool.core.outbound import ConnectFailed, OutboundClient, OutboundError, TlsFailed
from lti_tool.core.scores import supersede_older
from lti_tool.lti.models import Platform

from .backoff import after, backoff_seconds, parse_retry_after
from .http import AGS_RESULT, MT_SCORE, PlatformClient, platform_message, push_scopes
from .lineitems import LineItemError, ensure_line_item, forget_line_item
from .outbox import Outcome, claim, load_claimed, record
from .results import ResultsError, holds, parse_timestamp, read_result, success_body
from .score_state import last_timestamps
from .tokens import PlatformRef, TokenError, TokenProvider

SECOND = timedelta(seconds=1)
ROUNDS = 3  # sends of one row in one attempt when the platform's result shows it did not keep it


@dataclass
class PushResult:
    platform_id: int
    batches: int = 0
    delivered: int = 0
    retry: int = 0
    failed: int = 0
    deferred: int = 0
    superseded: int = 0

    def add(self, outcomes: list[Outcome], superseded: int) -> None:
        self.batches += 1
        self.superseded += superseded
        for o in outcomes:
            setattr(self, o.kind, getattr(self, o.kind) + 1)


class Gate:
    """Shared by the threads pushing to one platform: pause after 429, circuit after repeated failures."""

    def __init__(self, threshold: int):
        self.threshold, self.failures, self.until = threshold, 0, None
        self.lock = threading.Lock()

    def blocked(self) -> datetime | None:
        with self.lock:
            return self.until

    def pause(self, until: datetime) -> None:
        with self.lock:
            self.until = max(self.until or until, until)

    def failure(self, until: datetime) -> None:
        with self.lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.until = max(self.until or until, until)

    def success(self) -> None:
        with self.lock:
            self.failures = 0


def iso_timestamp(ts: datetime) -> str:
    """The row's original timestamp in ISO 8601 UTC (naive values from SQLite are UTC)."""
    return as_utc(ts).astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def score_body(row: dict, timestamp: datetime | None = None) -> dict:
    """The AGS score JSON for an outbox row (stamped `timestamp`, by default the row's own)."""
    body = {"userId": row["sub"], "activityProgress": row["activity_progress"],
            "gradingProgress": row["grading_progress"], "timestamp": iso_timestamp(timestamp or row["timestamp"])}
    if row["score_given"] is not None:
        body["scoreGiven"] = row["score_given"]
        body["scoreMaximum"] = row["score_maximum"]
    if row["comment"]:
        body["comment"] = row["comment"]
    return body


def scores_url(lineitem_url: str) -> str:
    """The line item's scores endpoint: `/scores` appended to the path, query kept (AGS §3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


class Pusher:
    """Sends one platform's claimed rows; the per-batch state lives here, the rows stay plain dicts."""

    def __init__(self, platform: PlatformRef, tokens: TokenProvider, http: OutboundClient, settings: dict):
        self.platform, self.tokens, self.http, self.settings = platform, tokens, http, settings
        self.gate = Gate(settings["SYNC_CIRCUIT_FAILURES"])
        self.rng = random.Random()
        self.missing_line_items: set[tuple[int, str]] = set()
        self.clients: dict[tuple, PlatformClient] = {}
        self.score_urls: dict[str, str] = {}
        # The latest timestamp sent per (line item, user): from the database, then this drain's own.
        self.last: dict[tuple[int, int], datetime] = {}
        self.last_lock = threading.Lock()

    def client(self, scopes) -> PlatformClient:
        """One client per scope set (courses of a platform may grant different AGS scopes)."""
        key = push_scopes(scopes)
        if key not in self.clients:
            self.clients[key] = PlatformClient(self.platform, key, self.tokens, self.http)
        return self.clients[key]

    def scores_url(self, lineitem_url: str) -> str:
        url = self.score_urls.get(lineitem_url)
        if url is None:
            url = self.score_urls[lineitem_url] = scores_url(lineitem_url)
        return url

    def backoff(self, row: dict, error: str) -> Outcome:
        s = self.settings
        delay = backoff_seconds(row["attempts"], s["SYNC_BACKOFF_BASE_SECONDS"], s["SYNC_BACKOFF_MAX_SECONDS"], self.rng)
        return Outcome(row["id"], "retry", error, after(utcnow(), delay))

    def load_last(self, sessions: orm.sessionmaker, rows: list[dict]) -> None:
        """Fetch the latest timestamps sent for the rows' (line item, user) pairs (one query)."""
        with self.last_lock:
            pairs = {(r["line_item_id"], r["user_id"]) for r in rows} - set(self.last)
        if not pairs:
            return
        with sessions() as s:
            found = last_timestamps(s, pairs)
        with self.last_lock:
            for key, ts in found.items():
                if key not in self.last or ts > self.last[key]:
                    self.last[key] = ts

    def stamp(self, row: dict, fresh: bool = False) -> datetime:
        """The timestamp to send: the row's earlier one when it is still the latest sent for its
        line item and user (a re-send: 409 if taken), else the row's own moved to at least a second
        after the latest sent; `fresh` (the platform did not keep it): also not before now."""
        key = (row["line_item_id"], row["user_id"])
        with self.last_lock:
            last = self.last.get(key)
            sent = as_utc(row["sent_timestamp"]) if row.get("sent_timestamp") else None
            if sent is not None and not fresh and (last is None or sent >= last):
                ts = sent
            else:
                ts = as_utc(row["timestamp"])
                if fresh:
                    ts = max(ts, utcnow())
                if last is not None and ts < last + SECOND:
                    ts = last + SECOND
            if last is None or ts > last:
                self.last[key] = ts
            row["sent_timestamp"] = ts
        return ts

    def send(self, row: dict) -> Outcome:
        """POST one score and classify the answer; unknown answers are verified against the
        platform's result and the score sent again (later timestamp) if it was not kept."""
        blocked = self.gate.blocked()
        if blocked is not None:
            return Outcome(row["id"], "deferred", None, blocked)
        fresh, doubt = False, ""
        for _ in range(ROUNDS):
            outcome, doubt = self.send_once(row, fresh)
            if outcome is None:
                outcome = self.verify(row, doubt)
            if outcome is not None:
                outcome.sent = row["sent_timestamp"]
                return outcome
            fresh = True
        outcome = self.backoff(row, f"the platform did not keep the score ({doubt})"[:500])
        outcome.sent = row["sent_timestamp"]
        return outcome

    def send_once(self, row: dict, fresh: bool) -> tuple[Outcome | None, str]:
        """One POST: (outcome, "") when the answer decides, (None, why) when it must be verified."""
        body = json.dumps(score_body(row, self.stamp(row, fresh))).encode()
        try:
            resp = self.client(row["scopes"]).send_repeatable("POST", self.scores_url(row["url"]), body, MT_SCORE)
        except TokenError as exc:
            outcome = self.backoff(row, str(exc))
            self.gate.failure(outcome.next_at)
            return outcome, ""
        except OutboundError as exc:
            if not exc.transient:  # the URL is refused (another host, private address …): no retry helps
                return Outcome(row["id"], "failed", f"request refused: {exc}"[:500]), ""
            if isinstance(exc, ConnectFailed) and not isinstance(exc, TlsFailed):
                return None, f"no answer: {exc}"  # the platform may have written it
            outcome = self.backoff(row, f"request failed: {exc}"[:500])
            self.gate.failure(outcome.next_at)
            return outcome, ""
        return self.classify(row, resp)

    def verify(self, row: dict, doubt: str) -> Outcome | None:
        """Read the user's result: delivered when it holds the score, None (send again) when not,
        a backoff when it cannot be read. Without the result scope only 409 and odd 2xx answers
        are sent again (a later timestamp is harmless); a connection failure is retried later."""
        client = self.client(row["scopes"])
        if AGS_RESULT not in client.scopes:
            if doubt.startswith("no answer"):
                outcome = self.backoff(row, f"request failed: {doubt}"[:500])
                self.gate.failure(outcome.next_at)
                return outcome
            return None
        try:
            result = read_result(client, row["url"], row["sub"])
        except (OutboundError, TokenError, ResultsError) as exc:
            outcome = self.backoff(row, f"{doubt}; the result could not be read: {exc}"[:500])
            self.gate.failure(outcome.next_at)
            return outcome
        if holds(result, row["score_given"], row["score_maximum"]):
            self.gate.success()
            return Outcome(row["id"], "delivered")
        self.note_held(row, result)
        return None

    def note_held(self, row: dict, result: dict | None) -> None:
        """The platform holds another grade stamped later than ours (a teacher's own grade, another
        clock): the next send must be later still."""
        held = parse_timestamp((result or {}).get("timestamp"))
        key = (row["line_item_id"], row["user_id"])
        if held is not None:
            with self.last_lock:
                if key not in self.last or held > self.last[key]:
                    self.last[key] = held

    def classify(self, row: dict, resp) -> tuple[Outcome | None, str]:
        """The row's outcome from the platform's answer, or (None, why) when the answer proves nothing."""
        code = resp.status_code
        if 200 <= code < 300:
            if success_body(resp):
                self.gate.success()
                return Outcome(row["id"], "delivered"), ""
            return None, f"{code} with an unexpected answer"
        if code == 409:  # not later than the stored timestamp: ours, or another score's?
            return None, "409"
        return self._classify_error(row, resp), ""

    def _classify_error(self, row: dict, resp) -> Outcome:
        """The outcome of an error answer other than 409."""
        code = resp.status_code
        if code == 429:
            wait = parse_retry_after(resp.headers.get("Retry-After"), utcnow())
            outcome = self.backoff(row, platform_message(resp)) if wait is None else \
                Outcome(row["id"], "retry", platform_message(resp), after(utcnow(), wait))
            self.gate.pause(outcome.next_at)
            return outcome
        if code >= 500 or code in (401, 408):
            outcome = self.backoff(row, platform_message(resp))
            self.gate.failure(outcome.next_at)
            return outcome
        if code == 404:
            self.missing_line_items.add((row["line_item_id"], row["url"]))
        return Outcome(row["id"], "failed", platform_message(resp))

    def resolve_line_items(self, sessions: orm.sessionmaker, rows: list[dict]) -> list[Outcome]:
        """Fill in line item URLs (find or create); rows whose line item failed get their outcome."""
        outcomes, known = [], {}
        for row in rows:
            if row["url"] or row["line_item_id"] in known:
                continue
            try:
                known[row["line_item_id"]] = ensure_line_item(
                    sessions, row["line_item_id"], self.client(row["scopes"]), row["lineitems_url"], self.tokens.cache,
                    self.settings["SYNC_LINEITEM_SETTLE_SECONDS"])
            except (LineItemError, TokenError) as exc:
                known[row["line_item_id"]] = exc
        for row in rows:
            found = known.get(row["line_item_id"])
            if isinstance(found, str):
                row["url"] = found
            elif found is not None:
                outcomes.append(self.line_item_outcome(row, found))
        return outcomes

    def line_item_outcome(self, row: dict, exc: Exception) -> Outcome:
        """Outcome of a row whose line item could not be resolved (429 pauses the platform)."""
        if not getattr(exc, "transient", True):
            return Outcome(row["id"], "failed", str(exc))
        wait = getattr(exc, "retry_after", None)
        if wait is None:
            return self.backoff(row, str(exc))
        outcome = Outcome(row["id"], "retry", str(exc), after(utcnow(), wait))
        self.gate.pause(outcome.next_at)
        return outcome


def push_platform(sessions: orm.sessionmaker, platform_id: int, tokens: TokenProvider, http: OutboundClient,
                  settings: dict, deadline: float | None = None) -> PushResult:
    """Drain the due outbox rows of one platform, batch by batch, until none is due or time is up."""
    result = PushResult(platform_id)
    with sessions() as s:
        platform = s.get(Platform, platform_id)
        if platform is None:
            return result
        ref = PlatformRef.of(platform)
    pusher = Pusher(ref, tokens, http, settings)
    deadline = deadline or time.monotonic() + settings["SYNC_DRAIN_SECONDS"]
    with ThreadPoolExecutor(max_workers=settings["SYNC_PER_PLATFORM_CONCURRENCY"],
                            thread_name_prefix=f"ags-{platform_id}") as pool:
        # Two batches overlap: the next one is claimed and queued while the previous one's last
        # requests are in flight, and the previous outcomes are written meanwhile.
        previous = None
        while time.monotonic() < deadline and pusher.gate.blocked() is None:
            ids = claim(sessions, platform_id, utcnow(), settings["SYNC_BATCH_SIZE"], settings["SYNC_LEASE_SECONDS"])
            if not ids:
                break
            rows, superseded = supersede_older(load_claimed(sessions, ids))
            # A (line item, user) still in flight in the previous batch waits for the next claim:
            # two scores of one user never race each other to the platform.
            busy = previous[3] if previous else set()
            early = [Outcome(r["id"], "deferred", None, utcnow()) for r in rows
                     if (r["line_item_id"], r["user_id"]) in busy]
            early += pusher.resolve_line_items(sessions, [r for r in rows if (r["line_item_id"], r["user_id"]) not in busy])
            done = {o.id for o in early}
            pusher.load_last(sessions, [r for r in rows if r["id"] not in done])
            futures = [pool.submit(pusher.send, r) for r in rows if r["id"] not in done]
            if previous:
                _finish(sessions, pusher, result, *previous)
            sent = {r["id"]: r for r in rows if r["id"] not in done}
            previous = (early, futures, superseded, {(r["line_item_id"], r["user_id"]) for r in sent.values()}, sent)
        if previous:
            _finish(sessions, pusher, result, *previous)
    return result


def _finish(sessions: orm.sessionmaker, pusher: Pusher, result: PushResult, early: list[Outcome],
            futures: list, superseded: list[int], _pairs: set, sent: dict[int, dict]) -> None:
    """Wait for a batch's requests and record its outcomes."""
    outcomes = early + [f.result() for f in futures]
    record(sessions, outcomes, superseded, sent)
    for line_item_id, url in list(pusher.missing_line_items):
        forget_line_item(sessions, line_item_id, url)
    pusher.missing_line_items.clear()
    result.add(outcomes, len(superseded))
