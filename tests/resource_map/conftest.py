"""Fixtures of the resource map tests: a request context (for translated messages) and a small map."""
from __future__ import annotations

from datetime import date

import pytest

from lti_tool.resource_map import map_entries, services


@pytest.fixture
def rm(app):
    """A session inside a request context (services translate their messages)."""
    with app.test_request_context("/"):
        from lti_tool.web.extensions import db

        yield db.session


def build_map(session, network_id: int) -> dict:
    """A small map: a year, seed topics, 2 kindergartens, 2 tutors, a cluster, a site, 4 offerings."""
    year = services.save_year(session, network_id, title="2025/2026", starts_on=date(2025, 9, 1),
                              ends_on=date(2026, 8, 31), is_current=True)
    services.seed_topics(session, network_id)
    topics = {t.name: t for t in services.list_topics(session, network_id)}
    eco, math = topics["Экологическое воспитание"], topics["Математическое развитие дошкольников"]
    moral = topics["Духовно-нравственное воспитание"]
    dou8 = services.save_organization(session, network_id, name="МАДОУ № 8 г. Томска", number="8",
                                      municipality="г. Томск", address="ул. Ленина, 1",
                                      latitude=56.48, longitude=84.95)
    dou69 = services.save_organization(session, network_id, name="МАДОУ № 69 г. Томска", number="69",
                                       municipality="г. Томск")
    anna = services.save_person(session, network_id, full_name="Смирнова Анна Петровна",
                                email="anna.smirnova@dou8.example.ru", organization_id=dou8.id,
                                position="воспитатель", is_tutor=True, experience_years=12)
    olga = services.save_person(session, network_id, full_name="Ёлкина Ольга Ивановна",
                                email="olga.elkina@dou69.example.ru", organization_id=dou69.id, is_tutor=True)
    cluster = map_entries.save_cluster(session, network_id, name="ММК «Экологическое воспитание»",
                                    topic_id=eco.id, coordinator_id=anna.id, organization_ids=[dou8.id, dou69.id],
                                    person_ids=[olga.id])
    site = map_entries.save_internship_site(session, network_id, organization_id=dou69.id, topic_id=moral.id,
                                         year_id=year.id)
    offerings = [
        map_entries.save_offering(session, network_id, year_id=year.id, topic_id=eco.id, form="tutorial",
                               provider_kind="person", provider_id=anna.id, title="Тропа природы",
                               capacity=15, starts_on=date(2025, 10, 1), ends_on=date(2025, 12, 1)),
        map_entries.save_offering(session, network_id, year_id=year.id, topic_id=math.id, form="master_class",
                               provider_kind="organization", provider_id=dou8.id, title="Игры Воскобовича",
                               delivery="online"),
        map_entries.save_offering(session, network_id, year_id=year.id, topic_id=eco.id, form="problem_group",
                               provider_kind="cluster", provider_id=cluster.id, schedule="каждый второй вторник"),
        map_entries.save_offering(session, network_id, year_id=year.id, topic_id=moral.id, form="internship",
                               provider_kind="internship_site", provider_id=site.id, capacity=10),
    ]
    session.commit()
    return {"year": year, "topics": topics, "dou8": dou8, "dou69": dou69, "anna": anna, "olga": olga,
            "cluster": cluster, "site": site, "offerings": offerings}
