"""The region's real journeys under load (Locust), started by benchmarks/load/run.py.

Teachers launch from the LMS course, read their route, look at events and sign up, answer the
open self-assessment; tutors launch from the link of an event they lead, open it with its LMS
roster, open the grading grid of this week's session and save the grades of everyone; methodists
launch to their dashboard and open the reports, monitoring, the planner and its review, the
portfolio, the commission and, now and then, the exports. `LaunchUser` (scenario "launch") only
launches, back to back.

Launches are what the LMS would send: the OIDC login, then an id_token signed with the demo
LMS's own key (read from its data folder), form-posted with the tool's state. The plan (who
exists, which events, surveys and runs) comes from run.py as JSON in $LOAD_PLAN.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from urllib.parse import parse_qs, urlparse

import jwt
from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

SCENARIO = os.environ.get("LOAD_SCENARIO", "mix")  # mix | launch
PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
KEY = open(PLAN["key_file"], "rb").read()
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
ROLES = {"learner": [MEMBERSHIP + "Learner"], "instructor": [MEMBERSHIP + "Instructor"],
         "methodist": [MEMBERSHIP + "ContentDeveloper", MEMBERSHIP + "Instructor"]}
AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_pools = {kind: itertools.cycle(PLAN[kind]) for kind in ("teachers", "fresh_teachers", "tutors", "methodists")}
_hosts = itertools.cycle(PLAN["hosts"])


class _SecureOverHttp(RequestsCookieJar):
    """The tool's cookies are Secure; on this loopback run they travel over plain http (a browser
    treats a localhost origin as secure the same way). requests copies the jar per request, so the
    flag is dropped as cookies arrive rather than by a cookie policy."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


def id_token(person: dict, nonce: str, link: dict) -> str:
    """The id_token the demo LMS would sign for this person and link."""
    now = int(time.time())
    lms, course = PLAN["issuer"], PLAN["course"]
    claims = {
        "iss": lms, "aud": PLAN["client_id"], "sub": person["sub"], "iat": now, "exp": now + 60, "nonce": nonce,
        "name": f"{person['given']} {person['family']}", "given_name": person["given"],
        "family_name": person["family"], "email": person["email"],
        CLAIM + "deployment_id": PLAN["deployment_id"], CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0", CLAIM + "roles": ROLES[person["kind"]],
        CLAIM + "context": {"id": course, "label": "АМСТ", "title": PLAN["course_title"],
                            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
        CLAIM + "launch_presentation": {"locale": "ru", "document_target": "iframe",
                                        "return_url": f"{lms}/launch_return?course={course}"},
        CLAIM + "target_link_uri": PLAN["launch_url"],
        CLAIM + "resource_link": {"id": link["id"], "title": link["title"]},
        CLAIM + "custom": link.get("custom") or {},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": dict(
            {"scope": AGS_SCOPES, "lineitems": f"{lms}/api/courses/{course}/lineitems"},
            **({"lineitem": link["lineitem"]} if link.get("lineitem") else {})),
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": f"{lms}/api/courses/{course}/memberships", "service_versions": ["2.0"]},
    }
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": PLAN["kid"]})


class RegionUser(HttpUser):
    """A person of the region in the LMS iframe: launches, then clicks around."""

    abstract = True
    wait_time = between(1, 3)
    pool = "teachers"

    def on_start(self) -> None:
        self.host = next(_hosts)
        self.new_browser(next(_pools[self.pool]))
        self.launch()

    def new_browser(self, person: dict) -> None:
        """Another person, another browser: fresh cookies (each login leaves a state cookie for a
        while, so one jar for many people would grow past the server's header limit)."""
        self.person = person
        self.client.cookies = _SecureOverHttp()
        self.client.cookies.set("tutornet_cookie_probe", "1")

    def link(self) -> dict:
        return {"id": PLAN["home_link"], "title": "TutorNet"}

    def launch(self, name: str = "launch") -> str | None:
        """OIDC login + signed launch; returns the page the tool sends the person to."""
        link = self.link()
        with self.client.post("/lti/login", name="LTI login", allow_redirects=False, catch_response=True, data={
                "iss": PLAN["issuer"], "login_hint": self.person["sub"], "target_link_uri": PLAN["launch_url"],
                "lti_message_hint": json.dumps({"cmid": link["id"], "launchid": uuid.uuid4().hex}),
                "client_id": PLAN["client_id"], "lti_deployment_id": PLAN["deployment_id"]}) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code} {response.error or ''}"[:200])
                return None
            query = parse_qs(urlparse(response.headers["Location"]).query)
        state, nonce = query["state"][0], query["nonce"][0]
        with self.client.post("/lti/launch", name=name, allow_redirects=False, catch_response=True,
                              data={"id_token": id_token(self.person, nonce, link), "state": state}) as response:
            if response.status_code not in (302, 303):
                response.failure(f"launch answered {response.status_code}")
                return None
            return urlparse(response.headers["Location"]).path

    def page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.error or ''}"[:200])
            return response.text or ""

    def post(self, path: str, name: str, data, page_path: str | None = None, page_name: str | None = None) -> None:
        """Open the form's page (its CSRF token), then submit; a redirect is success."""
        html = self.page(page_path or path, page_name or name + " (form)")
        token = CSRF.search(html)
        if token is None:
            return  # the form's page failed (counted there): a browser would not post either
        fields = list(data) + [("csrf_token", token.group(1))]
        with self.client.post(path, name=name, data=fields, allow_redirects=False, catch_response=True) as response:
            if response.status_code not in (302, 303):
                response.failure(f"{response.status_code} {response.error or ''}"[:200])


class Teacher(RegionUser):
    weight = 14
    abstract = SCENARIO != "mix"

    @task(4)
    def my_route(self):
        self.page("/pathways/", "my route")

    @task(2)
    def events(self):
        self.page("/events/", "events")
        self.page(f"/events/{random.choice(PLAN['upcoming_events'])}", "event (teacher)")

    @task(1)
    def sign_up(self):
        event = random.choice(PLAN["upcoming_events"])
        self.post(f"/events/{event}/signup", "sign-up", [], f"/events/{event}", "event (teacher)")

    @task(1)
    def answer_survey(self):
        """The open self-assessment, by a teacher who has not answered it yet (a fresh one each time)."""
        self.new_browser(next(_pools["fresh_teachers"]))
        self.launch()
        survey = PLAN["ids"]["open"]
        self.post(f"/surveys/{survey}", "survey submit", PLAN["survey_form"], page_name="survey form")

    @task(1)
    def resource_map(self):
        self.page("/resource-map/", "resource map")
        self.page(f"/resource-map/offerings/{random.choice(PLAN['offerings'])}", "offering")

    @task(1)
    def calendar(self):
        self.page("/events/calendar", "calendar")

    @task(1)
    def relaunch(self):
        self.launch()
        self.page("/", "start page")


class Tutor(RegionUser):
    weight = 4
    abstract = SCENARIO != "mix"
    pool = "tutors"

    def link(self) -> dict:
        return self.person["link"]

    @task(3)
    def my_event(self):
        self.page(f"/events/{self.person['event']}", "event (tutor, LMS roster)")

    @task(3)
    def grade_session(self):
        """Open this week's session and save everyone's marks (scores change, so each save counts)."""
        path = f"/events/sessions/{self.person['session']}/grading"
        marks = []
        for pid in self.person["participants"]:
            status = random.choices(("present", "late", "absent"), (90, 5, 5))[0]
            score = random.choice((0, 1)) if self.person["pass_fail"] else random.randint(4, 10)
            marks += [(f"status-{pid}", status), (f"score-{pid}", str(score) if status != "absent" else ""),
                      (f"comment-{pid}", "")]
        self.post(path, "save grades", marks, page_name="grading page")

    @task(1)
    def portfolio(self):
        self.page("/pathways/portfolio", "portfolio (tutor)")

    @task(1)
    def relaunch(self):
        self.launch()


class Methodist(RegionUser):
    weight = 2
    abstract = SCENARIO != "mix"
    pool = "methodists"
    PAGES = [("/reports/", "dashboard", 4), ("/reports/yearly", "yearly report", 2),
             ("/pathways/monitoring", "monitoring", 2), ("/pathways/planner", "planner", 1),
             ("/pathways/planner/runs/{run}", "planner run review", 1), ("/surveys/{needs}/report", "survey report", 2),
             ("/surveys/dynamics?start={start}&end={open}", "competence dynamics", 1),
             ("/pathways/portfolio", "portfolio", 1), ("/commission/", "commission", 1),
             ("/events/{held}", "event (methodist)", 1), ("/reports/clusters", "clusters report", 1),
             ("/reports/yearly.xlsx", "yearly report XLSX", 0.3), ("/pathways/portfolio.xlsx", "portfolio XLSX", 0.2),
             ("/surveys/{needs}/report.xlsx", "survey report XLSX", 0.2)]

    @task
    def methodist_page(self):
        path, name, _w = random.choices(self.PAGES, [w for _p, _n, w in self.PAGES])[0]
        self.page(path.format(**PLAN["ids"]), name)


class LaunchUser(RegionUser):
    """Launches only, back to back (the launch throughput scenario)."""

    abstract = SCENARIO != "launch"
    wait_time = between(0, 0)

    def on_start(self) -> None:
        self.host = next(_hosts)

    @task
    def launch_once(self):
        self.new_browser(next(_pools["teachers"]))
        self.launch()
