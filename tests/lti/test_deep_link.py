"""Deep linking: the picker, the signed LtiDeepLinkingResponse, and the launch of the created link."""
from __future__ import annotations

import re

import jwt
import pytest
import sqlalchemy as sa
from flask import Blueprint

from lti_tool.core.courses import ResourceLink
from lti_tool.core.grades import LineItem
from lti_tool.web.extensions import db
from lti_tool.web.placements import Placement, PlacementItem
from tests.lti.platform import CLAIM, DL_CLAIM

CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def _items(session, network_id):
    return [PlacementItem(7, f"Тьюториал сети {network_id}",
                          line_item={"label": "Тьюториал", "scoreMaximum": 5, "resourceId": "event-7", "tag": "event"}),
            PlacementItem(8, "Семинар без оценки")]


@pytest.fixture
def with_placements(app):
    """A test area: an endpoint and a graded placement, configured like an installation would."""
    area = Blueprint("test_area", __name__)

    @area.get("/_test/events/<int:event_id>")
    def show_event(event_id):
        return f"event {event_id}"

    app.register_blueprint(area)
    app.config["LTI_EXTRA_PLACEMENTS"] = [
        Placement(kind="event", label=lambda: "Мероприятия", endpoint="test_area.show_event", id_arg="event_id",
                  items=_items),
    ]


def _picker(lti):
    response = lti.launch("Instructor", message_type="LtiDeepLinkingRequest")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    page = lti.client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_learner_cannot_deep_link(app, lti, with_placements):
    from tests.lti.conftest import row_counts

    before = row_counts(app)
    response = lti.launch("Learner", message_type="LtiDeepLinkingRequest")
    assert response.status_code == 403
    assert "только тьюторы и методисты" in response.get_data(as_text=True).lower()
    assert row_counts(app) == before


def test_deep_linking_response_is_signed_and_complete(app, lti, platform, with_placements):
    html = _picker(lti)
    assert "Тьюториал сети" in html and "Семинар без оценки" in html and "Стартовая страница TutorNet" in html
    response = lti.client.post("/lti/deep-link", data={"item": ["event:7", "event:8"]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'action="https://lms.test/deep-link-return"' in page and "data-autosubmit" in page
    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    jwks = lti.client.get("/lti/jwks").get_json()
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    body = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience="https://lms.test")
    assert body["iss"] == platform.client_id
    assert body[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert body[CLAIM + "deployment_id"] == platform.deployment_id
    assert body[DL_CLAIM + "data"] == "opaque-data-42"
    graded, plain = body[CONTENT_ITEMS]
    assert graded["type"] == "ltiResourceLink" and graded["url"] == "https://tool.test/lti/launch"
    assert graded["lineItem"] == {"label": "Тьюториал", "scoreMaximum": 5, "resourceId": "event-7", "tag": "event"}
    assert graded["custom"]["tutornet_kind"] == "event" and graded["custom"]["tutornet_id"] == "7"
    assert "lineItem" not in plain and plain["custom"]["tutornet_id"] == "8"
    # The platform creates the link; its first launch records the target and opens it.
    launch = lti.launch("Learner", link_id="new-link", custom=graded["custom"],
                        **{"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                            "scope": [], "lineitems": "https://lms.test/li", "lineitem": "https://lms.test/li/1"}})
    assert launch.status_code == 303
    assert launch.headers["Location"].endswith("/_test/events/7")
    with app.app_context():
        link = db.session.scalar(sa.select(ResourceLink).where(ResourceLink.lti_resource_link_id == "new-link"))
        assert (link.target_kind, link.target_id) == ("event", 7)
        item = db.session.scalar(sa.select(LineItem))
        assert (item.resource_id, item.tag, item.score_maximum, item.url) == ("event-7", "event", 5.0, "https://lms.test/li/1")


def test_deep_link_submit_needs_the_session_launch(app, lti, with_placements):
    _picker(lti)
    assert lti.client.post("/lti/deep-link", data={"item": ["event:999"]}).status_code == 400
    other = app.test_client()
    other.environ_base["wsgi.url_scheme"] = "https"
    assert other.post("/lti/deep-link", data={"item": ["event:7"]}).status_code == 401
