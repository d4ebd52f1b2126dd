"""End to end with the demo LMS: dynamic registration over HTTP, activation, launch, disable/enable."""
from __future__ import annotations

import threading

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from lti_tool.lti.models import Platform
from lti_tool.web.auth import ADMIN

from .conftest import hidden_fields

demo_testing = pytest.importorskip("demo_lms.testing")
pytestmark = pytest.mark.integration


@pytest.fixture
def tool_url(dev_app):
    """The tool served over loopback HTTP by a threaded server (the LMS calls it back)."""
    server = make_server("127.0.0.1", 0, dev_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    dev_app.config["TOOL_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def lms(tool_url, tmp_path):
    server = demo_testing.start_demo_lms(tool_base_url=tool_url, data_dir=tmp_path / "lms")
    yield server
    server.stop()


def _launch(lms, link_id: int) -> requests.Response:
    """A launch by a browser that keeps cookies (so the tool skips its cookie check page)."""
    from lti_tool.lti.flows import PROBE_COOKIE

    with requests.Session() as browser:
        browser.cookies.set(PROBE_COOKIE, "1")
        return demo_testing.launch(browser, lms.url, link_id=link_id, user_id="teacher")


def test_register_activate_launch_disable_enable(dev_app, tool_url, lms, client, auth, db_session):
    registration = lms.registration_token(tool_url=f"{tool_url}/lti/register")
    with requests.Session() as browser:
        page = browser.get(registration["registration_url"], timeout=30)
        assert page.status_code == 200, page.text
        fields = hidden_fields(page.text)
        done = browser.post(f"{tool_url}/lti/register", timeout=30,
                            data={**fields, "network_mode": "new", "network_name": "Демо-сеть"})
    assert done.status_code == 200, done.text
    assert "data-lti-close" in done.text and "Pending" in done.text

    platform = db_session.scalars(sa.select(Platform)).one()
    assert platform.issuer == lms.url and platform.product_family == "moodle"
    [tool] = [t for t in lms.tools() if t["client_id"] == platform.client_id]
    assert tool["status"] == "pending"
    assert {d.deployment_id for d in platform.deployments} == {str(tool["deployment_id"])}

    lms.activate_tool(platform.client_id)
    link = lms.create_link(client_id=platform.client_id, course_id=1)
    first = _launch(lms, link["link_id"])
    assert first.status_code == 200, first.text[:500]

    auth.login(ADMIN, network_id=platform.network_id)
    assert client.post(f"/admin/platforms/{platform.id}/disable").status_code == 302
    refused = _launch(lms, link["link_id"])
    assert refused.status_code == 403
    assert "отключ" in refused.text  # a clear page, in Russian

    assert client.post(f"/admin/platforms/{platform.id}/enable").status_code == 302
    assert _launch(lms, link["link_id"]).status_code == 200
