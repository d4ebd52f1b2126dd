"""The demo loader: the needs assessment and two paired self-assessment runs over existing people."""
from __future__ import annotations

import random

from lti_tool.surveys import demo, dynamics, offers
from lti_tool.surveys.candidates import tutor_candidates
from lti_tool.surveys.audience import Rate, rates, respondents
from lti_tool.surveys.services import needs_profiles, surveys_for_staff


def test_demo_creates_answered_surveys_that_feed_the_planner_and_dynamics(db_session, net):
    demo.load_demo(db_session, net.id, random.Random(7))
    db_session.commit()
    resources, end, start, needs = (s for s, _n in surveys_for_staff(db_session, net.id))
    assert (needs.kind, start.kind, end.status, resources.kind, resources.status) == (
        "needs", "self_assessment", "open", "resource", "open")
    assert set(needs_profiles(db_session, net.id)) == {p.id for p in net.people}
    result = dynamics.compare(db_session, start, end)
    teachers = [p for p in net.people if not p.is_tutor]  # the self-assessment's audience
    assert result.paired == len(teachers) and result.by_topic and all(c.change >= 0 for c in result.by_topic)
    assert rates(db_session, net.id, [start])[start.id] == Rate(answered=len(teachers), asked=len(teachers))
    # The resources survey proposes offers to the map from the ready ones, and they are candidates.
    tutors = {p.id for p in net.people if p.is_tutor}
    proposed = offers.list_offers(db_session, net.id).items
    answered = respondents(db_session, [resources])[resources.id]
    assert proposed and {o.person_id for o in proposed} >= tutors & answered  # tutors are always ready
    assert all(o.topic_id and o.form and o.title for o in proposed)
    total, found = tutor_candidates(db_session, net.id)
    assert {c.person_id for c in found}.isdisjoint(tutors) and total == len(found)
