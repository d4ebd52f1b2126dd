"""Issue 3's acceptance with an independent platform library: OpenLearning's `lti1p3platform` launches
the tool as each role, places a survey and a graded event by deep linking and launches the placed links;
the library's broken messages (unpublished key, expired, replayed, unknown deployment) are refused.

The library builds the login initiation and signs every id_token (its own RSA key, its JWKS served on
127.0.0.1 and fetched by the tool); it verifies the tool's LtiDeepLinkingResponse with the tool's JWKS.
The tool runs in-process behind Flask's test client (https), through its cookie-check page as lti.js
would. See tests/lti/independent_platform.py for the adapter.
"""
from __future__ import annotations

import base64
import json
import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import sqlalchemy as sa

from lti_tool.core.accounts import User
from lti_tool.core.courses import Course, Enrollment, ResourceLink
from lti_tool.core.grades import LineItem
from lti_tool.core.reference import AcademicYear
from lti_tool.events import services as events
from lti_tool.lti.platforms import create_platform
from lti_tool.surveys import services as surveys
from lti_tool.surveys.builder import QuestionData, add_question
from lti_tool.web.extensions import db
from tests.conftest import session_actor
from tests.lti.conftest import row_counts
from tests.lti.independent_platform import INSTITUTION, MEMBERSHIP, LibraryPlatform, platform_key_pems

TOOL = "https://tool.test"  # TOOL_BASE_URL of the test app
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
ROLE_BADGES = {"teacher": "педагог", "tutor": "тьютор", "methodist": "методист", "admin": "администратор"}


@pytest.fixture
def lms(app, client, network_id):
    """The library's platform, registered in the tool (its JWKS served over loopback HTTP)."""
    platform = LibraryPlatform(tool_base_url=TOOL, tool_client=client)
    with app.app_context():
        create_platform(db.session, **platform.tool_registration(network_id))
        db.session.commit()
    app.config["LTI_JWKS_MIN_REFETCH_SECONDS"] = 0
    app.config["DEV_MODE"] = True  # its key set comes over plain http on loopback
    yield platform
    platform.stop()


def follow_login(client, login_url: str, issuer: str):
    """What the browser does with the library's login initiation: GET /lti/login, continue past the
    cookie check (as lti.js does when the probe cookie is readable); returns the tool's auth request
    URL, or the refusal response."""
    url = urlparse(login_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{TOOL}/lti/login"
    response = client.get(f"{url.path}?{url.query}")
    if response.status_code == 200 and b"data-lti-cookie-check" in response.data:
        page = response.get_data(as_text=True)
        form = re.search(r'<form id="lti-continue" method="post" action="([^"]+)">(.*?)</form>', page, re.S)
        hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
        fields = {unescape(k): unescape(v) for k, v in hidden}
        sent = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert {k: fields[k] for k in sent} == sent  # the page carries the library's parameters on
        response = client.post(unescape(form.group(1)), data=fields)
    if response.status_code != 302:
        return response
    location = response.headers["Location"]
    auth = urlparse(location)
    assert f"{auth.scheme}://{auth.netloc}{auth.path}" == f"{issuer}/auth"
    params = {k: v[0] for k, v in parse_qs(auth.query).items()}
    assert (params["response_type"], params["scope"], params["response_mode"], params["prompt"]) == (
        "id_token", "openid", "form_post", "none")
    assert params["redirect_uri"] == f"{TOOL}/lti/launch"
    return location


def post_launch(client, form: dict):
    """The library's auto-post launch form, submitted to its launch URL."""
    assert form["launch_url"] == f"{TOOL}/lti/launch"
    data = {"id_token": form["id_token"], "state": form["state"]}
    return client.post(urlparse(form["launch_url"]).path, data=data)


def launch(client, lms: LibraryPlatform, user_id: str, roles: list[str], **launch_options):
    """Login initiation → /lti/login → auth request → the library's id_token → /lti/launch."""
    auth_url = follow_login(client, lms.login_url(user_id, roles, **launch_options), lms.issuer)
    assert isinstance(auth_url, str), auth_url.get_data(as_text=True)[:500]
    return post_launch(client, lms.launch_form(auth_url))


def badges(html: str) -> set[str]:
    found = re.findall(r'<span class="badge[^"]*"[^>]*>\s*([^<]+?)\s*</span>', html)
    return set(found) & set(ROLE_BADGES.values())




@pytest.mark.parametrize("lti_role,tool_role,landing", [
    (MEMBERSHIP + "Learner", "teacher", "/"),
    (MEMBERSHIP + "Instructor", "tutor", "/"),
    (MEMBERSHIP + "ContentDeveloper", "methodist", "/reports/"),
    (INSTITUTION + "Administrator", "admin", "/reports/"),
], ids=["learner-teacher", "instructor-tutor", "contentdeveloper-methodist", "institution-admin-admin"])
def test_library_launches_each_role(app, client, lms, network_id, lti_role, tool_role, landing):
    response = launch(client, lms, f"ind-{tool_role}", [lti_role])
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert urlparse(response.headers["Location"]).path == landing
    actor = session_actor(client)
    assert set(actor["roles"]) == {tool_role} and actor["network_id"] == network_id
    page = client.get(landing)
    assert page.status_code == 200
    if landing == "/reports/":
        assert "Панель методиста" in page.get_data(as_text=True)
        page = client.get("/")
        assert page.status_code == 200
    assert badges(page.get_data(as_text=True)) == {ROLE_BADGES[tool_role]}
    assert lms.jwks_hits >= 1  # the tool verified the library's signature with the library's JWKS
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.issuer == lms.issuer))
        assert (user.sub, user.name, user.email) == (
            f"ind-{tool_role}", "Петрова Анна Сергеевна", f"ind-{tool_role}@independent-lms.test")
        course = db.session.scalar(sa.select(Course))
        assert (course.network_id, course.lti_context_id, course.title, course.label) == (
            network_id, "ind-course-1", "Независимый курс", "НК-1")
        assert course.nrps_url == f"{lms.issuer}/nrps/ind-course-1"
        enrollment = db.session.scalar(sa.select(Enrollment))
        assert (enrollment.user_id, enrollment.course_id) == (user.id, course.id)
        assert db.session.scalar(sa.select(ResourceLink.lti_resource_link_id)) == "ind-link-1"


def _placeable_items(app, network_id: int) -> tuple[tuple[int, str], tuple[int, str]]:
    """An open survey and a published event (graded: it has an AGS line item) of the network."""
    with app.app_context():
        survey = surveys.create_survey(db.session, network_id, "Анкета независимой LMS")
        add_question(db.session, survey, survey.sections[0].id,
                     QuestionData(type="short_text", text="Ожидания?"))
        surveys.set_status(db.session, survey, "open")
        year = AcademicYear(network_id=network_id, title="2025/2026", starts_on=date(2025, 9, 1),
                            ends_on=date(2026, 8, 31), is_current=True)
        db.session.add(year)
        db.session.flush()
        event = events.create_event(db.session, network_id, year_id=year.id, form="tutorial",
                                    title="Тьюториал независимой LMS")
        events.set_status(db.session, event, "published")
        db.session.commit()
        return (survey.id, survey.title), (event.id, event.title)


def _browser(app):
    browser = app.test_client()
    browser.environ_base["wsgi.url_scheme"] = "https"
    return browser


def test_library_deep_links_items_and_launches_them(app, client, lms, network_id):
    (survey_id, survey_title), (event_id, event_title) = _placeable_items(app, network_id)
    data = {"session": "dl-17"}
    response = launch(client, lms, "ind-tutor", [MEMBERSHIP + "Instructor"], deep_linking=True, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert urlparse(response.headers["Location"]).path == "/lti/deep-link"
    picker = client.get("/lti/deep-link")
    assert picker.status_code == 200
    values = re.findall(r'name="item"[^>]*value="([^"]+)"', picker.get_data(as_text=True))
    assert {f"survey:{survey_id}", f"event:{event_id}"} <= set(values), values
    answer = client.post("/lti/deep-link", data={"item": [f"survey:{survey_id}", f"event:{event_id}"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    page = answer.get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)" data-autosubmit>\s*'
                     r'<input type="hidden" name="JWT" value="([^"]+)">', page)
    assert unescape(form.group(1)) == f"{lms.issuer}/deep-link-return"
    token = unescape(form.group(2))

    # The platform's side: the library verifies the response with the tool's JWKS (fetched from /lti/jwks).
    items = lms.validate_deep_linking_response({"JWT": token})
    body = lms.conf.tool_validate_and_decode(token)
    audience = [body["aud"]] if isinstance(body["aud"], str) else body["aud"]  # pylti1p3 sends a list
    assert (body["iss"], audience, body[CLAIM + "deployment_id"]) == (
        lms.client_id, [lms.issuer], lms.deployment_id)
    assert body[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert body[DL_CLAIM + "data"] == data  # the library's opaque data comes back
    survey_item, event_item = sorted(items, key=lambda i: i["custom"]["tutornet_kind"], reverse=True)
    assert len(items) == 2 and {i["type"] for i in items} == {"ltiResourceLink"}
    assert {i["url"] for i in items} == {f"{TOOL}/lti/launch"}
    assert survey_item["title"] == survey_title and "lineItem" not in survey_item
    assert survey_item["custom"]["tutornet_kind"] == "survey"
    assert survey_item["custom"]["tutornet_id"] == str(survey_id)
    assert event_item["custom"]["tutornet_kind"] == "event"
    assert event_item["custom"]["tutornet_id"] == str(event_id)
    assert event_item["lineItem"]["resourceId"] == f"event:{event_id}"
    assert event_item["lineItem"]["tag"] == "participation" and event_item["lineItem"]["label"] == event_title

    # A response changed in transit (another item id, the tool's signature kept) fails the library's check.
    header, payload, signature = token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged[DL_CLAIM + "content_items"][0]["custom"]["tutornet_id"] = "999"
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        lms.validate_deep_linking_response({"JWT": f"{header}.{forged_payload}.{signature}"})

    # The platform creates the links from the content items; their launches open the chosen items.
    for user_id, role in (("ind-teacher", "Learner"), ("ind-tutor", "Instructor")):
        browser = _browser(app)
        opened = launch(browser, lms, user_id, [MEMBERSHIP + role], launch_url=survey_item["url"],
                        custom=survey_item["custom"], link_id="ind-placed-survey", title=survey_item["title"])
        assert opened.status_code == 303, opened.get_data(as_text=True)[:500]
        assert urlparse(opened.headers["Location"]).path == f"/surveys/{survey_id}"
        shown = browser.get(f"/surveys/{survey_id}")
        assert shown.status_code == 200
        assert f'<h1 class="h3">{survey_title}</h1>' in shown.get_data(as_text=True)
    browser = _browser(app)
    lineitem_url = f"{lms.issuer}/ags/lineitems/41"  # the line item the platform made from lineItem
    opened = launch(browser, lms, "ind-teacher", [MEMBERSHIP + "Learner"], launch_url=event_item["url"],
                    custom=event_item["custom"], link_id="ind-placed-event", title=event_item["title"],
                    lineitem=lineitem_url)
    assert opened.status_code == 303, opened.get_data(as_text=True)[:500]
    assert urlparse(opened.headers["Location"]).path == f"/events/{event_id}"
    shown = browser.get(f"/events/{event_id}")
    assert shown.status_code == 200
    assert f'<h1 class="h3">{event_title}</h1>' in shown.get_data(as_text=True)
    with app.app_context():
        links = {link.lti_resource_link_id: link for link in db.session.scalars(sa.select(ResourceLink))}
        targets = {link_id: (link.target_kind, link.target_id) for link_id, link in links.items()}
        assert targets["ind-placed-survey"] == ("survey", survey_id)
        assert targets["ind-placed-event"] == ("event", event_id)
        item = db.session.scalar(sa.select(LineItem))
        assert (item.url, item.resource_id, item.tag, item.resource_link_id) == (
            lineitem_url, f"event:{event_id}", "participation", links["ind-placed-event"].id)
        assert item.score_maximum == float(event_item["lineItem"]["scoreMaximum"])


# --- the same library's messages, broken one way each: the tool refuses and writes nothing ------------

def test_library_token_signed_with_an_unpublished_key_is_refused(app, client, lms):
    before = row_counts(app)
    auth_url = follow_login(client, lms.login_url("ind-x", [MEMBERSHIP + "Learner"]), lms.issuer)
    lms.registration.set_platform_private_key(platform_key_pems(1)[0])  # its JWKS still publishes key 0
    response = post_launch(client, lms.launch_form(auth_url))
    assert response.status_code == 401, response.status_code
    assert f"(kid {lms.registration.get_kid()}), неизвестен" in response.get_data(as_text=True)
    assert lms.jwks_hits >= 1
    assert row_counts(app) == before


def test_library_expired_token_is_refused(app, client, lms):
    before = row_counts(app)
    auth_url = follow_login(client, lms.login_url("ind-x", [MEMBERSHIP + "Learner"]), lms.issuer)
    response = post_launch(client, lms.launch_form(auth_url, id_token_expiration=-120))  # exp 2 min ago
    assert response.status_code == 401, response.status_code
    assert "Срок действия токена запуска истёк" in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_library_launch_replayed_is_refused(app, client, lms):
    auth_url = follow_login(client, lms.login_url("ind-x", [MEMBERSHIP + "Learner"]), lms.issuer)
    form = lms.launch_form(auth_url)
    assert post_launch(client, form).status_code == 303
    before = row_counts(app)
    replay = post_launch(client, form)
    assert replay.status_code == 401
    assert "истекло или уже использовано" in replay.get_data(as_text=True)
    assert row_counts(app) == before


def test_library_launch_of_an_unregistered_deployment_is_refused(app, client, lms):
    before = row_counts(app)
    lms.registration.set_deployment_id("independent-dep-unknown")
    auth_url = follow_login(client, lms.login_url("ind-x", [MEMBERSHIP + "Learner"]), lms.issuer)
    assert isinstance(auth_url, str)  # the login writes nothing and lets it through; the launch decides
    refused = post_launch(client, lms.launch_form(auth_url))
    assert refused.status_code == 403, refused.status_code
    assert "Развёртывание «independent-dep-unknown» этой СДО не подключено" in refused.get_data(as_text=True)
    assert row_counts(app) == before


def test_learner_deep_linking_request_from_the_library_is_refused(app, client, lms):
    before = row_counts(app)
    response = launch(client, lms, "ind-learner", [MEMBERSHIP + "Learner"], deep_linking=True)
    assert response.status_code == 403
    assert "только тьюторы и методисты" in response.get_data(as_text=True).lower()
    assert row_counts(app) == before
