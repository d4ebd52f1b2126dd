"""An event delivers an offering of the resource map and may name the cluster that runs it."""
from __future__ import annotations

from datetime import date, datetime

import re

import pytest
from flask_babel import gettext

from lti_tool.core.reference import AcademicYear
from lti_tool.events import services
from lti_tool.events.models import Event
from lti_tool.events.services import EventError
from lti_tool.resource_map.models import Cluster, Offering
from lti_tool.web.auth import METHODIST

from .world import build_world, event_of, make_network


def said(msgid: str) -> str:
    """The rule's message as the user reads it (the test runs in the default, Russian, locale)."""
    return re.escape(gettext(msgid))


def _offering(session, w, **fields) -> Offering:
    values = {"network_id": w.network_id, "year_id": w.year_id, "topic_id": w.topic_id, "form": "tutorial",
              "title": "Тьюториал по экологии", "organization_id": w.org_id} | fields
    row = Offering(**values)
    session.add(row)
    session.flush()
    return row


def test_an_event_takes_an_offering_of_its_year_and_its_topic(db_session):
    w = build_world(db_session, teachers=0)
    offering = _offering(db_session, w)
    event = services.create_event(db_session, w.network_id, year_id=w.year_id, form="tutorial", title="Тьюториал",
                                  offering_id=offering.id)
    assert (event.offering_id, event.topic_id) == (offering.id, w.topic_id)  # topic taken from the offering

    next_year = AcademicYear(network_id=w.network_id, title="2026/2027", starts_on=date(2026, 9, 1),
                             ends_on=date(2027, 8, 31))
    db_session.add(next_year)
    db_session.flush()
    later = _offering(db_session, w, year_id=next_year.id)
    with pytest.raises(EventError, match=said("The offering belongs to another school year.")):
        services.create_event(db_session, w.network_id, year_id=w.year_id, form="tutorial", title="x",
                              offering_id=later.id)
    with pytest.raises(EventError, match=said("The offering belongs to another school year.")):  # moving the event, not the offering
        services.update_event(db_session, event, year_id=next_year.id)
    retired = _offering(db_session, w, retired_at=datetime(2025, 9, 2))
    with pytest.raises(EventError, match=said("This offering is retired from the resource map.")):
        services.update_event(db_session, event, offering_id=retired.id)


def test_another_networks_offering_or_cluster_is_refused(db_session):
    w = build_world(db_session, teachers=0)
    net, year, topic, _org = make_network(db_session)
    theirs = Offering(network_id=net.id, year_id=year.id, topic_id=topic.id, form="tutorial", organization_id=_org.id)
    their_cluster = Cluster(network_id=net.id, name="Чужой кластер")
    db_session.add_all([theirs, their_cluster])
    db_session.flush()
    event = event_of(db_session, w)
    with pytest.raises(EventError, match=said("Unknown offering.")):
        services.update_event(db_session, event, offering_id=theirs.id)
    with pytest.raises(EventError, match=said("Unknown cluster.")):
        services.update_event(db_session, event, cluster_id=their_cluster.id)


def test_methodist_links_offering_and_cluster_on_the_form(client, auth, db_session):
    w = build_world(db_session, teachers=0)
    offering = _offering(db_session, w)
    cluster = Cluster(network_id=w.network_id, name="Экологический кластер", topic_id=w.topic_id)
    db_session.add(cluster)
    db_session.commit()
    auth.login(METHODIST, network_id=w.network_id, user_id=w.methodist_user_id)
    form = client.get(f"/events/{w.event_id}/edit").text
    assert "Тьюториал по экологии" in form and "Экологический кластер" in form
    data = {"title": "Тьюториал «Экологическая тропа»", "form": "tutorial", "topic_id": w.topic_id,
            "year_id": w.year_id, "host_organization_id": 0, "min_sessions": 1,
            "offering_id": offering.id, "cluster_id": cluster.id}
    assert client.post(f"/events/{w.event_id}/edit", data=data).status_code == 302
    db_session.expire_all()
    event = db_session.get(Event, w.event_id)
    assert (event.offering_id, event.cluster_id) == (offering.id, cluster.id)
    page = client.get(f"/events/{w.event_id}").text
    assert "Тьюториал по экологии" in page and "Экологический кластер" in page

    net, year, topic, org = make_network(db_session)
    theirs = Offering(network_id=net.id, year_id=year.id, topic_id=topic.id, form="tutorial", organization_id=org.id)
    db_session.add(theirs)
    db_session.commit()
    response = client.post(f"/events/{w.event_id}/edit", data=data | {"offering_id": theirs.id},
                           follow_redirects=True)
    assert gettext("Unknown offering.") in response.text
    db_session.expire_all()
    assert db_session.get(Event, w.event_id).offering_id == offering.id  # nothing half-written
