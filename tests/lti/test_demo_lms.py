"""The tool on a real loopback port, launched by the demo LMS (an independent LTI 1.3 platform).

Every role launches the course link; a tutor places the resource map by deep linking and the
link the LMS creates opens it; a methodist landing on the start page gets the dashboard.
HTTP all the way (`requests`), so the cookies are neither Secure nor Partitioned (which implies
Secure): `requests` would not send them back over http.
"""
from __future__ import annotations

import re
import threading
from html import unescape

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from demo_lms.testing import deep_link_launch, launch, parse_form, start_demo_lms
from lti_tool import create_app
from lti_tool.core.networks import ensure_network
from lti_tool.lti.platforms import create_platform
from lti_tool.web.extensions import db
from tests.conftest import empty_tables

pytestmark = pytest.mark.integration

ROLE_BADGES = {"teacher": "педагог", "tutor": "тьютор", "methodist": "методист", "admin": "администратор"}


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class _Dispatcher:
    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture
def stack(database_url, tmp_path):
    """(tool_url, lms): the tool served on 127.0.0.1 and the demo LMS registered in it."""
    dispatcher = _Dispatcher()
    server = make_server("127.0.0.1", 0, dispatcher, threaded=True, request_handler=_Quiet)
    tool_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "integration-secret", "TOOL_BASE_URL": tool_url,
                      "CELERY_BROKER_URL": "memory://", "SESSION_COOKIE_SECURE": False,
                      "SESSION_COOKIE_PARTITIONED": False, "SERVER_NAME": None,  # Partitioned implies Secure
                      "DEV_MODE": True})  # the demo LMS speaks plain http on loopback
    dispatcher.app = app
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    lms = start_demo_lms(port=0, tool_base_url=tool_url, data_dir=tmp_path / "lms")
    try:
        with app.app_context():
            network = ensure_network(db.session, "demo-int", "Сеть демонстрационной LMS")
            create_platform(db.session, network_id=network.id, issuer=lms.url, client_id="tutornet-demo",
                            auth_login_url=f"{lms.url}/auth", auth_token_url=f"{lms.url}/token",
                            key_set_url=f"{lms.url}/.well-known/jwks.json", deployment_ids=["1"],
                            name="Demo LMS")
            db.session.commit()
        yield tool_url, lms
    finally:
        lms.stop()
        server.shutdown()
        server.server_close()
        app.extensions["tutornet_db"][0].dispose()
        empty_tables(database_url)


def _badges(html: str) -> set[str]:
    return set(re.findall(r'<span class="badge[^"]*"[^>]*>\s*([^<]+?)\s*</span>', html))


def _home(browser: requests.Session, tool_url: str) -> str:
    page = browser.get(f"{tool_url}/", timeout=30)
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize("who,roles,landing", [
    ("teacher", {"teacher"}, "/"),
    ("tutor", {"tutor"}, "/"),
    ("methodist", {"methodist", "tutor"}, "/reports/"),  # ContentDeveloper + Instructor: the dashboard
    ("admin", {"admin", "tutor"}, "/reports/"),  # site admin: Instructor + Administrator
])
def test_each_role_launches_the_course_link(stack, who, roles, landing):
    tool_url, lms = stack
    browser = requests.Session()
    response = launch(browser, lms.url, 1, who)
    assert response.status_code == 200, response.text[:500]
    assert response.history and response.history[0].status_code == 303  # the launch's redirect
    assert response.url.startswith(tool_url)
    path = response.url[len(tool_url):]
    if landing == "/":
        assert path == "/"
        page = response.text
    else:
        assert path == landing, path
        assert "Панель методиста" in response.text
        page = _home(browser, tool_url)
    assert _badges(page) >= {ROLE_BADGES[r] for r in roles}, page[page.find("<main"):][:1500]
    assert _badges(page) & set(ROLE_BADGES.values()) == {ROLE_BADGES[r] for r in roles}


def test_methodist_home_link_lands_on_the_dashboard(stack):
    """The seeded course link targets the start page; a methodist lands on the dashboard instead."""
    tool_url, lms = stack
    link = next(link for link in lms.course(1)["links"] if link["link_id"] == 1)
    assert not (link.get("custom") or {}).get("tutornet_kind")  # a plain link: target "home"
    response = launch(requests.Session(), lms.url, 1, "methodist")
    assert response.status_code == 200
    assert response.url == f"{tool_url}/reports/"
    teacher = launch(requests.Session(), lms.url, 1, "teacher")
    assert teacher.url == f"{tool_url}/"  # a teacher still gets the start page


def test_deep_linking_places_the_resource_map(stack):
    tool_url, lms = stack
    tutor = requests.Session()
    picker = deep_link_launch(tutor, lms.url, course_id=1, user_id="tutor")
    assert picker.status_code == 200, picker.text[:500]
    assert picker.url == f"{tool_url}/lti/deep-link"
    values = re.findall(r'name="item"[^>]*value="([^"]+)"', picker.text)
    assert "resource_map:" in values, values
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', picker.text)
    form = {"item": "resource_map:", **({"csrf_token": csrf.group(1)} if csrf else {})}
    answer = tutor.post(f"{tool_url}/lti/deep-link", data=form, timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    action, method, fields = parse_form(answer.text)
    assert unescape(action) == f"{lms.url}/deep_link_return" and method == "POST" and "JWT" in fields
    returned = tutor.post(unescape(action), data=fields, timeout=30)  # what the auto-submitting form does
    assert returned.status_code == 200, returned.text[:500]
    created = [int(i) for i in returned.headers["X-Demo-LMS-Created-Links"].split(",") if i]
    assert len(created) == 1
    link = next(link for link in lms.course(1)["links"] if link["link_id"] == created[0])
    assert link["custom"]["tutornet_kind"] == "resource_map"
    # Launching the new link (as a teacher, then the tutor) opens the resource map.
    for who in ("teacher", "tutor"):
        opened = launch(requests.Session(), lms.url, created[0], who)
        assert opened.status_code == 200, opened.text[:500]
        assert opened.url == f"{tool_url}/resource-map/", opened.url
        assert "Ресурсная карта" in opened.text
