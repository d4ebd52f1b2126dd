"""Fault injection and request statistics for tests and benchmarks.

Everything here is in memory and per app; the ``/_control/`` paths are never slowed down or
failed, so a test can always reset the platform.

Rules are checked in order; the first rule that matches a request and still has a count left
is applied and its count decremented (``count: null`` = forever). Fields of a rule:
``path_prefix`` (default "/"), ``method`` (default any), ``status`` (answer this status with a
JSON body instead of handling the request), ``retry_after`` (seconds, sent as Retry-After),
``timeout`` (sleep this many seconds first; without ``status`` the request is then handled
normally, like a server that applies a change after the client gave up), ``latency_ms``,
``text`` (with ``status``: answer this plain text instead of JSON), ``drop`` ("before": close the
connection without handling the request or answering; "after": handle it — a score is written —
then close the connection without an answer).

Two of Moodle's real answers have names (:data:`TERMINATED`, :data:`DROP_AFTER_WRITE`): a PHP
process told to stop mid-request answers 200 with the body "Terminated: 15" from its shutdown
handler and writes nothing; a web server or proxy restarted after the grade was written leaves the
client with a closed connection and no answer.
"""
from __future__ import annotations

import copy
import threading
import time
from collections import Counter
from typing import Any

from flask import Flask, Response, g, jsonify, request

# Rule fields for Moodle's answers (merge with path_prefix/method/count).
TERMINATED = {"status": 200, "text": "Terminated: 15"}
DROP_AFTER_WRITE = {"drop": "after"}
DROP_BEFORE = "drop-before"  # what :meth:`Faults.admit` returns for a drop without handling
DROP_AFTER = "drop-after"  # ... and for "handle, then drop"
DROP_KEY = "demo_lms.drop"  # environ entry (set by demo_lms.server) that closes the connection


def drop_connection(environ: dict) -> bool:
    """Close the client's connection without an answer; False when the server cannot (no socket)."""
    drop = environ.get(DROP_KEY)
    if drop is None:
        return False
    drop()
    return True


class Faults:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency_ms = 0.0
        self.rules: list[dict[str, Any]] = []
        self.requests: Counter[str] = Counter()
        self.token_requests = 0
        self.tokens_issued = 0
        self.injected = 0

    def configure(self, body: dict[str, Any]) -> None:
        rules = []
        for rule in body.get("rules", []):
            rule = dict(rule)
            rule.setdefault("path_prefix", "/")
            rule.setdefault("count", 1)
            if rule.get("method"):
                rule["method"] = rule["method"].upper()
            rules.append(rule)
        with self.lock:
            self.latency_ms = float(body.get("latency_ms", 0) or 0)
            self.rules = rules

    def reset(self) -> None:
        with self.lock:
            self.latency_ms = 0.0
            self.rules = []
            self.requests.clear()
            self.token_requests = self.tokens_issued = self.injected = 0

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"latency_ms": self.latency_ms, "rules": copy.deepcopy(self.rules)}

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {"token_requests": self.token_requests, "tokens_issued": self.tokens_issued,
                    "faults_injected": self.injected, "requests": dict(self.requests)}

    def count_token_request(self, issued: bool) -> None:
        with self.lock:
            self.token_requests += 1
            self.tokens_issued += int(issued)

    def _take_rule(self, path: str, method: str) -> dict[str, Any] | None:
        with self.lock:
            for rule in self.rules:
                if not path.startswith(rule["path_prefix"]):
                    continue
                if rule.get("method") and rule["method"] != method:
                    continue
                if rule["count"] is not None:
                    if rule["count"] <= 0:
                        continue
                    rule["count"] -= 1
                self.injected += 1
                return dict(rule)
        return None

    def admit(self, method: str, path: str, rule: str | None) -> tuple[int, Any, dict[str, str]] | str | None:
        """Count the request, sleep the latency, apply a fault rule; returns the injected answer
        (status, JSON body or text, headers), :data:`DROP_BEFORE` / :data:`DROP_AFTER`, or None to
        handle the request normally.

        ``rule`` is the route's rule ("/api/courses/<int:course_id>/memberships"), the key of the
        request counters; without one the path is the key."""
        if path.startswith("/_control/") or path.startswith("/static/"):
            return None
        key = f"{method} {rule or path}"
        with self.lock:
            self.requests[key] += 1
            latency = self.latency_ms
        if latency:
            time.sleep(latency / 1000.0)  # outside the lock: a slow request never blocks others
        found = self._take_rule(path, method) if self.rules else None
        if found is None:
            return None
        if found.get("latency_ms"):
            time.sleep(float(found["latency_ms"]) / 1000.0)
        if found.get("timeout"):
            time.sleep(float(found["timeout"]))
        if found.get("drop"):
            return DROP_AFTER if found["drop"] == "after" else DROP_BEFORE
        if not found.get("status"):
            return None
        status = int(found["status"])
        headers = {} if found.get("retry_after") is None else {"Retry-After": str(found["retry_after"])}
        if found.get("text") is not None:
            return status, str(found["text"]), headers
        return status, found.get("body") or {"error": "injected fault", "status": status}, headers

    def before_request(self) -> Response | None:
        """Flask hook: :meth:`admit` for the current request."""
        injected = self.admit(request.method, request.path, request.url_rule.rule if request.url_rule else None)
        if injected is None:
            return None
        if injected == DROP_AFTER:
            g.demo_lms_drop_after = True
            return None
        if injected == DROP_BEFORE:
            return _dropped()
        status, body, headers = injected
        resp = Response(body, content_type="text/html; charset=UTF-8") if isinstance(body, str) else jsonify(body)
        resp.status_code = status
        resp.headers.update(headers)
        return resp

    @staticmethod
    def after_request(resp: Response) -> Response:
        """Flask hook: drop the connection of a request handled under a "drop after" rule."""
        if g.get("demo_lms_drop_after"):
            return _dropped()
        return resp


def _dropped() -> Response:
    """Close the connection now; the (empty) response is never sent. Without a socket (a test
    client), 502 stands for "no answer"."""
    if drop_connection(request.environ):
        return Response(b"", status=200)
    return Response(b"", status=502)


def install(app: Flask, faults: Faults) -> None:
    app.before_request(faults.before_request)
    app.after_request(faults.after_request)
