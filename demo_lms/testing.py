"""Helpers for tests and benchmarks: run the demo LMS in a thread and drive LTI launches over HTTP.

    lms = start_demo_lms(tool_base_url="http://127.0.0.1:5001", data_dir=tmp_path / "lms")
    resp = launch(requests.Session(), lms.url, link_id=1, user_id="teacher")   # the tool's answer
    lms.set_faults(rules=[{"path_prefix": "/api/", "method": "POST", "status": 500, "count": 2}])
    lms.stop()

The server is threaded with keep-alive connections (:mod:`demo_lms.server`): the tool calls the
LMS while the LMS waits on the tool.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from . import create_app
from .server import make_server


class _Dispatcher:
    """WSGI app set after bind: the issuer must contain the port, known only once bound."""

    app: Any = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


class DemoLms:
    """A running demo LMS. ``url`` is its issuer; ``app`` the Flask app (same process)."""

    def __init__(self, server, thread: threading.Thread, app, url: str, data_dir: Path):
        self._server, self._thread, self.app, self.url, self.data_dir = server, thread, app, url, data_dir
        self.http = requests.Session()
        self._owns_data = False  # True when start_demo_lms made a temporary data folder

    # -- generic ---------------------------------------------------------------------------
    def control(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        """Call ``/_control/<path>`` and return the decoded JSON (raises on HTTP errors)."""
        r = self.http.request(method, f"{self.url}/_control/{path.lstrip('/')}", json=json, params=params or None,
                              timeout=60)
        r.raise_for_status()
        return r.json()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.http.close()
        if self._owns_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> "DemoLms":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- shortcuts over the control API ----------------------------------------------------
    def state(self) -> dict:
        return self.control("GET", "state")

    def stats(self) -> dict:
        return self.control("GET", "stats")

    def set_faults(self, rules: list[dict] | None = None, latency_ms: float = 0) -> dict:
        return self.control("POST", "faults", {"rules": rules or [], "latency_ms": latency_ms})

    def set_nrps(self, differences: bool | None = None, forget_history: bool = False) -> dict:
        """NRPS `differences` links on/off; `forget_history` makes every earlier link answer 410."""
        fields = {"forget_history": forget_history}
        if differences is not None:
            fields["differences"] = differences
        return self.control("POST", "nrps", fields)

    def set_ags(self, second_timestamps: bool) -> dict:
        """Score timestamps kept to the second (Moodle) or exactly (the default)."""
        return self.control("POST", "ags", {"second_timestamps": second_timestamps})

    def reset(self, data: bool = False) -> dict:
        return self.control("POST", "reset", {"data": data})

    def rotate_key(self) -> dict:
        """New platform signing key; returns {"kid", "previous_kid"} (both stay in the JWKS)."""
        return self.control("POST", "rotate_key")

    def course(self, course_id: int = 1) -> dict:
        return self.control("GET", f"courses/{course_id}")

    def create_course(self, **fields: Any) -> dict:
        return self.control("POST", "courses", fields)

    def members(self, course_id: int = 1) -> list[dict]:
        return self.control("GET", f"courses/{course_id}/members")

    def add_members(self, course_id: int = 1, users: list[dict] | None = None,
                    generate: dict[str, int] | None = None) -> list[str]:
        ids = self.control("POST", f"courses/{course_id}/members", {"users": users or [], "generate": generate or {}})
        return [str(i) for i in ids["user_ids"]]

    def remove_members(self, course_id: int, user_ids: list[str | int]) -> int:
        return self.control("POST", f"courses/{course_id}/members/remove", {"user_ids": user_ids})["removed"]

    def resize_roster(self, course_id: int = 1, **counts: int) -> dict:
        """counts: learners=, instructors=, methodists= (exact target numbers)."""
        return self.control("POST", f"courses/{course_id}/roster", counts)

    def register_tool(self, **fields: Any) -> dict:
        return self.control("POST", "tools", fields)

    def tools(self) -> list[dict]:
        return self.control("GET", "tools")

    def activate_tool(self, client_id: str) -> dict:
        return self.control("POST", f"tools/{client_id}/activate")

    def create_link(self, **fields: Any) -> dict:
        return self.control("POST", "links", fields)

    def lineitems(self, course_id: int | None = None) -> list[dict]:
        return self.control("GET", "lineitems", **({"course_id": course_id} if course_id else {}))

    def scores(self, **filters: Any) -> list[dict]:
        """filters: course_id=, lineitem_id=, user_id="""
        return self.control("GET", "scores", **filters)

    def mint_launch(self, link_id: int | None = None, user_id: str | int = "teacher", **fields: Any) -> dict:
        return self.control("POST", "launch", {"link_id": link_id, "user_id": str(user_id), **fields})

    def mint_id_token(self, link_id: int | None = None, user_id: str | int = "teacher", **fields: Any) -> dict:
        return self.control("POST", "id_token", {"link_id": link_id, "user_id": str(user_id), **fields})

    def registration_token(self, tool_url: str | None = None) -> dict:
        return self.control("POST", "registration_token", {"tool_url": tool_url} if tool_url else {})


def start_demo_lms(port: int = 0, tool_base_url: str = "http://localhost:5000",
                   data_dir: str | Path | None = None, *, host: str = "127.0.0.1",
                   client_id: str = "tutornet-demo", deployment_id: str = "1",
                   config: dict[str, Any] | None = None, quiet: bool = True) -> DemoLms:
    """Start the demo LMS on ``host:port`` (0 = a free port) in a daemon thread, control API on.

    Without ``data_dir`` a temporary folder is used and removed by ``stop()``. ``config`` adds or
    overrides create_app keys. ``quiet`` silences the per-request access log.
    """
    data = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="demo_lms_"))
    dispatcher = _Dispatcher()
    server = make_server(host, port, dispatcher, access_log=not quiet)
    url = f"http://{host}:{server.server_port}"
    app = create_app({"ISSUER": url, "TOOL_BASE_URL": tool_base_url, "DEMO_LMS_DATA": str(data),
                      "CLIENT_ID": client_id, "DEPLOYMENT_ID": deployment_id, "DEMO_LMS_CONTROL": True,
                      **(config or {})})
    dispatcher.app = app
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"demo-lms-{server.server_port}", daemon=True)
    thread.start()
    lms = DemoLms(server, thread, app, url, data)
    lms._owns_data = data_dir is None
    return lms


# ---- driving launches over HTTP --------------------------------------------------------------

class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": (a.get("method") or "get").upper(),
                               "fields": {}, "auto": "data-autosubmit" in a or a.get("id") == "lti-continue"})
            self._in_form = True
        elif tag in ("input", "textarea", "select") and self._in_form and a.get("name"):
            if a.get("type", "").lower() not in ("submit", "button", "checkbox", "radio") or "checked" in a:
                self.forms[-1]["fields"][a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


_LTI_FIELDS = {"id_token", "state", "iss", "login_hint", "JWT"}


def parse_form(html: str) -> tuple[str, str, dict[str, str]] | None:
    """(action, METHOD, fields) of the form a browser would submit on its own in ``html``, or None.

    A page may hold other forms (the tool's language switch): the auto-submitting one, or the one
    carrying LTI fields, is the step of the launch; otherwise the first form."""
    p = _FormParser()
    p.feed(html)
    if not p.forms:
        return None
    chosen = next((f for f in p.forms if f["auto"]), None) \
        or next((f for f in p.forms if _LTI_FIELDS & set(f["fields"])), None) or p.forms[0]
    return chosen["action"], chosen["method"], chosen["fields"]


_JS_REDIRECT = re.compile(r"""(?:window\.|document\.|top\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']""")
_META_REFRESH = re.compile(r"""<meta[^>]+http-equiv=["']?refresh["']?[^>]+url=([^"'>]+)""", re.I)


def _oidc_dance(session: requests.Session, start_url: str, follow_redirects: bool, timeout: float) -> requests.Response:
    r = session.get(start_url, timeout=timeout, allow_redirects=False)
    for _ in range(20):
        if r.is_redirect:
            r = session.get(urljoin(r.url, r.headers["Location"]), timeout=timeout, allow_redirects=False)
            continue
        if r.status_code != 200 or "html" not in r.headers.get("Content-Type", ""):
            return r
        form = parse_form(r.text)
        if form is None:
            m = _JS_REDIRECT.search(r.text) or _META_REFRESH.search(r.text)
            if not m:
                return r
            r = session.get(urljoin(r.url, m.group(1).strip()), timeout=timeout, allow_redirects=False)
            continue
        action, method, fields = form
        final = "id_token" in fields  # our /auth answer: what the tool receives is the result
        r = session.request(method, urljoin(r.url, action), data=fields if method == "POST" else None,
                            params=fields if method == "GET" else None, timeout=timeout,
                            allow_redirects=follow_redirects if final else False)
        if final:
            return r
    raise RuntimeError("OIDC launch did not finish after 20 steps")


def launch(session: requests.Session, lms_url: str, link_id: int, user_id: str | int, *,
           follow_redirects: bool = True, timeout: float = 30) -> requests.Response:
    """Full launch of resource link ``link_id`` as ``user_id`` (id or teacher/tutor/methodist/admin):
    LMS /launch -> tool login -> LMS /auth -> tool launch. Returns the tool's final response."""
    return _oidc_dance(session, f"{lms_url.rstrip('/')}/launch/{link_id}?as={user_id}", follow_redirects, timeout)


def deep_link_launch(session: requests.Session, lms_url: str, course_id: int = 1, user_id: str | int = "tutor",
                     client_id: str | None = None, *, follow_redirects: bool = True,
                     timeout: float = 30) -> requests.Response:
    """Full LtiDeepLinkingRequest launch; returns the tool's response (its item picker, usually)."""
    url = f"{lms_url.rstrip('/')}/deep_link/{course_id}?as={user_id}" + (f"&tool={client_id}" if client_id else "")
    return _oidc_dance(session, url, follow_redirects, timeout)
