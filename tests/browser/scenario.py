"""What the browser scenario needs beyond the demo data, arranged through the areas' services.

The demo year's needs survey is closed and its events are held, so the teacher gets an open
needs survey and a published tutorial (led by the course's first tutor, one online session) to
sign up for. The teacher (the course's first learner) gets a published route if the demo data
gave them none.
"""
from __future__ import annotations

import warnings
from datetime import date, time, timedelta

import sqlalchemy as sa

from .stack import EVENT_TITLE, ONLINE_URL, SURVEY_TITLE, Stack


def tool_app(stack: Stack):
    """An in-process app on the stack's database, for arranging and checking rows."""
    from lti_tool import create_app

    return create_app({"DATABASE_URL": stack.database_url, "SECRET_KEY": "browser-tests-secret",
                       "TOOL_BASE_URL": stack.tool_url, "CELERY_BROKER_URL": "memory://", "SERVER_NAME": None})


def arrange(stack: Stack) -> dict:
    """Create the open survey, the tutorial and (if missing) the teacher's route; return their ids."""
    from lti_tool.core.accounts import Network
    from lti_tool.core.reference import AcademicYear, Person
    from lti_tool.demo_data import DEMO_SLUG
    from lti_tool.events import services as events
    from lti_tool.surveys import services as surveys
    from lti_tool.surveys import templates_ru
    from lti_tool.web.extensions import db

    teacher, tutor = stack.member("teacher"), stack.member("tutor")
    app = tool_app(stack)
    with app.test_request_context("/"):
        s = db.session
        network = s.scalar(sa.select(Network).where(Network.slug == DEMO_SLUG))
        year = s.scalar(sa.select(AcademicYear).where(AcademicYear.network_id == network.id,
                                                      AcademicYear.is_current.is_(True)))
        person = {m["kind"]: s.scalar(sa.select(Person).where(Person.network_id == network.id,
                                                              Person.email == m["email"]))
                  for m in (teacher, tutor)}
        survey = templates_ru.needs_assessment(s, network.id, year.id, title=SURVEY_TITLE)
        surveys.set_status(s, survey, "open")
        event = events.create_event(s, network.id, year_id=year.id, form="tutorial", title=EVENT_TITLE,
                                    description="Практикум для педагогов ДОО: игры с правилами, квесты, "
                                                "сюжетно-ролевые игры.", capacity=25, min_sessions=1, min_score=6)
        events.set_status(s, event, "published")
        session = events.add_meeting(s, event, on_date=date.today(), start_time=time(14, 30),
                                     end_time=time(16, 0), place="МАДОУ № 48", online_url=ONLINE_URL)
        events.set_leader(s, event, person["instructor"].id, "lead")
        with warnings.catch_warnings():
            # pathways.add_offering_step (work in progress) trips an SAWarning under autoflush.
            warnings.simplefilter("default", sa.exc.SAWarning)
            route_id = _ensure_route(s, network.id, year.id, person["learner"])
        s.commit()
        ids = {"survey_id": survey.id, "event_id": event.id, "session_id": session.id, "route_id": route_id,
               "teacher": teacher, "tutor": tutor, "network_id": network.id,
               "teacher_name": person["learner"].full_name}
    app.extensions["tutornet_db"][0].dispose()
    return ids


def _ensure_route(s, network_id: int, year_id: int, teacher) -> int:
    """The teacher's published route of the year: the demo's, else three offering steps by hand."""
    from lti_tool.pathways import services as pathways
    from lti_tool.pathways.models import Route
    from lti_tool.resource_map.models import Offering

    route = s.scalar(sa.select(Route).where(Route.person_id == teacher.id, Route.year_id == year_id))
    if route is not None and route.status == "published" and route.active_steps:
        return route.id
    route = pathways.route_for(s, network_id, teacher.id, year_id, create=True)
    offerings = s.scalars(sa.select(Offering).where(Offering.network_id == network_id, Offering.year_id == year_id,
                                                    Offering.form.in_(("tutorial", "master_class", "consultation")))
                          .order_by(Offering.id).limit(3))
    for offering in offerings:
        pathways.add_offering_step(s, route, offering.id)
    pathways.set_goals(s, route, "Освоить игровые технологии и подготовиться к аттестации.", [])
    pathways.publish_route(s, route)
    return route.id


def sign_up_lti_user(stack: Stack, lms_user_id: str, event_id: int) -> None:
    """Register the tool's person of an LMS user (launched at least once) for the event."""
    from lti_tool.core.accounts import User
    from lti_tool.core.people import ensure_person
    from lti_tool.events import signup
    from lti_tool.web.extensions import db

    app = tool_app(stack)
    with app.test_request_context("/"):
        user = db.session.scalar(sa.select(User).where(User.issuer == stack.lms_url, User.sub == str(lms_user_id)))
        assert user is not None, "the teacher's launch did not provision a user"
        person = ensure_person(db.session, stack.ids["network_id"], user)
        signup.sign_up(db.session, event_id, person.id, by_staff=True)
        db.session.commit()
    app.extensions["tutornet_db"][0].dispose()
