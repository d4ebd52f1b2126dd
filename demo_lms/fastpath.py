"""WSGI fast path for AGS score POSTs: the same checks as the Flask view, without Flask.

A score POST is the hot path of the sync benchmark (hundreds a second). Flask's request
context, URL matching, `g`, the JSON provider and the response object took about two thirds of
the LMS's CPU per score, for a request whose handling is a few dictionary lookups and one SQL
statement. This middleware answers ``POST /api/courses/<id>/lineitems/<id>/scores`` itself, in
Flask's order: faults and latency (:meth:`Faults.admit`, counted under the Flask rule), the
bearer check (:func:`token.check_bearer`), then :func:`scores.accept_score` — the very functions
the Flask view uses. Every other request goes to Flask.
"""
from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any, Callable

from . import lti
from .faults import DROP_AFTER, DROP_BEFORE, drop_connection
from .scores import SCORES_RULE, accept_score
from .token import BearerRefused, check_bearer

_SCORES = re.compile(r"/api/courses/(\d+)/lineitems/(\d+)/scores\Z")
_EMPTY_200 = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "0")]


class ScoreFastPath:
    """Wraps the Flask app's ``wsgi_app``; ``state`` is the app's :class:`core.Lms`."""

    def __init__(self, wsgi_app: Callable, state: Any):
        self.wsgi_app, self.state = wsgi_app, state

    def __call__(self, environ: dict, start_response: Callable):
        if environ["REQUEST_METHOD"] != "POST":
            return self.wsgi_app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        match = _SCORES.match(path)
        if match is None:
            return self.wsgi_app(environ, start_response)
        return self.score(environ, start_response, path, int(match[1]), int(match[2]))

    def score(self, environ: dict, start_response: Callable, path: str, course_id: int, li_id: int):
        state = self.state
        injected = state.faults.admit("POST", path, SCORES_RULE)
        if injected == DROP_BEFORE:
            return _dropped(environ, start_response)
        if injected is not None and injected != DROP_AFTER:
            status, body, headers = injected
            if isinstance(body, str):  # a plain-text answer, e.g. PHP's "Terminated: 15"
                data = body.encode()
                start_response(_status_line(status), [("Content-Type", "text/html; charset=UTF-8"),
                                                      ("Content-Length", str(len(data))), *headers.items()])
                return [data]
            return _json(start_response, status, body, list(headers.items()))
        try:
            token = check_bearer(state.store, environ.get("HTTP_AUTHORIZATION", ""), (lti.S_SCORE,))
        except BearerRefused as exc:
            return _json(start_response, exc.status, {"error": exc.error, "error_description": exc.description},
                         [("WWW-Authenticate", exc.challenge)])
        length = environ.get("CONTENT_LENGTH") or "0"
        raw = environ["wsgi.input"].read(int(length)) if length.isdigit() else b""
        status, error, description = accept_score(state.store, token.tool_id, course_id, li_id,
                                                  environ.get("CONTENT_TYPE", ""), raw,
                                                  seconds=state.ags.second_timestamps)
        if injected == DROP_AFTER:  # handled (the grade is written), then no answer
            return _dropped(environ, start_response)
        if error is None:
            start_response(_status_line(status), list(_EMPTY_200))
            return [b""]
        return _json(start_response, status, {"error": error, "error_description": description}, [])


def _dropped(environ: dict, start_response: Callable):
    """Close the connection without an answer (502 when the server offers no socket)."""
    if drop_connection(environ):
        return []
    start_response("502 BAD GATEWAY", [("Content-Length", "0")])
    return [b""]


def _json(start_response: Callable, status: int, body: Any, headers: list[tuple[str, str]]):
    """A JSON answer shaped like Flask's ``jsonify`` (compact, UTF-8, a final newline)."""
    data = (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    start_response(_status_line(status),
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers])
    return [data]


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase.upper()}"
    except ValueError:
        return f"{status} UNKNOWN"
