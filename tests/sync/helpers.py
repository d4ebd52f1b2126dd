"""Building blocks for sync tests and the sync benchmark: a tool key, its JWKS on loopback, the
tool-side rows of one registration and course, and outbox rows."""
from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlalchemy as sa

from lti_tool.core.accounts import Network, User
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course, ResourceLink
from lti_tool.core.grades import LineItem, ScoreOutbox
from lti_tool.lti.models import Deployment, Platform, ToolKey
from lti_tool.lti.tool_keys import generate_key

ALL_AGS = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
           "https://purl.imsglobal.org/spec/lti-ags/scope/score",
           "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"]


def make_tool_key(session) -> ToolKey:
    """The tool's signing key, made the way the tool makes it (lti_tool/lti/tool_keys.py)."""
    return generate_key(session)


class JwksServer:
    """Serves the tool's JWKS at /jwks on a free loopback port (the LMS fetches it)."""

    def __init__(self, jwks: dict):
        body = json.dumps(jwks).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def register_tool(lms, client_id: str, jwks_url: str) -> dict:
    """Register (active) the tool at the demo LMS with its JWKS URL and every LTI scope."""
    return lms.register_tool(client_id=client_id, name="TutorNet sync", tool_url="http://127.0.0.1:9",
                             jwks_url=jwks_url, status="active")


def seed_tool_side(session, lms_url: str, client_id: str, lms_course_id: int, *, network_id: int | None = None,
                   token_url: str | None = None, ags_scopes: list[str] | None = None) -> dict:
    """Network, platform, deployment and course rows pointing at the LMS course's services."""
    if network_id is None:
        net = Network(name="Сеть тьюторов", slug=f"net-{os.urandom(4).hex()}")
        session.add(net)
        session.flush()
        network_id = net.id
    platform = session.scalar(sa.select(Platform).where(Platform.issuer == lms_url, Platform.client_id == client_id))
    if platform is None:
        platform = Platform(network_id=network_id, issuer=lms_url, client_id=client_id,
                            auth_login_url=lms_url + "/auth", auth_token_url=token_url or lms_url + "/token")
        session.add(platform)
        session.flush()
        session.add(Deployment(platform_id=platform.id, deployment_id="1", network_id=network_id))
        session.flush()
    deployment = session.scalar(sa.select(Deployment).where(Deployment.platform_id == platform.id))
    course = Course(network_id=network_id, deployment_id=deployment.id, lti_context_id=str(lms_course_id),
                    title=f"Курс {lms_course_id}",
                    nrps_url=f"{lms_url}/api/courses/{lms_course_id}/memberships",
                    ags_lineitems_url=f"{lms_url}/api/courses/{lms_course_id}/lineitems",
                    ags_scopes=ags_scopes or ALL_AGS)
    session.add(course)
    session.flush()
    return {"network_id": network_id, "platform_id": platform.id, "course_id": course.id}


def add_users(session, issuer: str, subs: list[str]) -> list[int]:
    """Users known to the tool by platform user id; returns their ids in order."""
    rows = [{"issuer": issuer, "sub": str(sub), "name": f"user {sub}", "created_at": utcnow()} for sub in subs]
    session.execute(sa.insert(User), rows)
    ids = dict(session.execute(sa.select(User.sub, User.id).where(User.issuer == issuer,
                                                                   User.sub.in_([r["sub"] for r in rows]))).all())
    return [ids[str(sub)] for sub in subs]


def add_line_item(session, course_id: int, label: str = "Тьюториал", resource_id: str = "event:1",
                  tag: str = "completion", link_id: str | None = None) -> int:
    """A tool-side line item (URL unknown until the worker finds or creates it)."""
    link = None
    if link_id:
        link = ResourceLink(course_id=course_id, lti_resource_link_id=link_id, title=label)
        session.add(link)
        session.flush()
    li = LineItem(course_id=course_id, resource_link_id=link.id if link else None, resource_id=resource_id,
                  tag=tag, label=label, score_maximum=1.0)
    session.add(li)
    session.flush()
    return li.id


def add_outbox(session, network_id: int, course_id: int, line_item_id: int, user_ids: list[int],
               score: float = 1.0, age_seconds: float = 0) -> None:
    """Pending completions (scoreGiven 1 of 1), one per user, in bulk."""
    ts = utcnow() - timedelta(seconds=age_seconds)
    session.execute(sa.insert(ScoreOutbox), [
        {"network_id": network_id, "course_id": course_id, "line_item_id": line_item_id, "user_id": uid,
         "source_key": f"event_participant:{uid}", "score_given": score, "score_maximum": 1.0,
         "activity_progress": "Completed", "grading_progress": "FullyGraded", "timestamp": ts,
         "status": "pending", "attempts": 0, "next_attempt_at": ts, "created_at": ts}
        for uid in user_ids])
