"""Services of the resource map: search, the matrix, copying a year, retiring, validation."""
from __future__ import annotations

from datetime import date

import pytest

from lti_tool.core.reference import Topic
from lti_tool.resource_map import map_entries, queries, services
from lti_tool.resource_map.models import Offering
from tests.resource_map.conftest import build_map


def test_russian_search_is_case_insensitive(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    found = queries.list_offerings(rm, net, m["year"].id, queries.OfferingFilter(q="ЭКОЛОГ"))
    assert {o.id for o in found.items} == {m["offerings"][0].id, m["offerings"][2].id}
    # ё and е match each other; provider names are searchable too.
    by_name = queries.list_offerings(rm, net, m["year"].id, queries.OfferingFilter(q="смирнова"))
    assert [o.id for o in by_name.items] == [m["offerings"][0].id]
    assert queries.list_offerings(rm, net, m["year"].id, queries.OfferingFilter(q="100%")).total == 0


def test_search_follows_renamed_provider(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    services.save_organization(rm, net, m["dou8"], name="Детский сад «Солнышко»", municipality="г. Томск")
    found = queries.list_offerings(rm, net, m["year"].id, queries.OfferingFilter(q="СОЛНЫШКО"))
    assert [o.id for o in found.items] == [m["offerings"][1].id]


def test_filters_by_municipality_organization_and_cluster(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    year = m["year"].id
    by_org = queries.list_offerings(rm, net, year, queries.OfferingFilter(organization_id=m["dou8"].id))
    # The organization's own offering and its tutor's.
    assert {o.id for o in by_org.items} == {m["offerings"][0].id, m["offerings"][1].id}
    by_cluster = queries.list_offerings(rm, net, year, queries.OfferingFilter(cluster_id=m["cluster"].id))
    assert m["offerings"][2].id in {o.id for o in by_cluster.items}
    # A cluster spans organizations, so it has no single municipality; the other three are in Tomsk.
    assert queries.list_offerings(rm, net, year, queries.OfferingFilter(municipality="г. Томск")).total == 3
    assert queries.list_offerings(rm, net, year, queries.OfferingFilter(municipality="Томский район")).total == 0


def test_list_is_paginated(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    page = queries.list_offerings(rm, net, m["year"].id, page=2, per_page=3)
    assert (page.total, page.pages, page.page, len(page.items)) == (4, 2, 2, 1)


def test_matrix_shows_topics_without_provider(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    rows = {r.topic.name: r for r in queries.topic_matrix(rm, net, m["year"].id)}
    assert rows["Экологическое воспитание"].by_form == {"tutorial": 1, "problem_group": 1}
    assert rows["Экологическое воспитание"].by_kind == {"person": 1, "cluster": 1}
    assert not rows["Экологическое воспитание"].is_gap
    assert rows["Развитие речи"].is_gap and rows["Развитие речи"].total == 0
    gaps = {name for name, r in rows.items() if r.is_gap}
    assert len(gaps) == len(rows) - 3


def test_copy_year_forward(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    services.retire(rm, m["offerings"][1])
    new = map_entries.copy_year_forward(rm, net, m["year"].id, "2026/2027", date(2026, 9, 1), date(2027, 8, 31))
    copied = queries.list_offerings(rm, net, new.id).items
    assert len(copied) == 3  # the retired offering stays behind
    tutorial = next(o for o in copied if o.form == "tutorial")
    assert (tutorial.starts_on, tutorial.ends_on) == (date(2026, 10, 1), date(2026, 12, 1))
    site_offering = next(o for o in copied if o.form == "internship")
    assert site_offering.internship_site.year_id == new.id
    assert site_offering.internship_site_id != m["site"].id
    # The old year is unchanged.
    assert queries.list_offerings(rm, net, m["year"].id).total == 3
    with pytest.raises(services.ValidationError):
        map_entries.copy_year_forward(rm, net, m["year"].id, "2026/2027", date(2026, 9, 1), date(2027, 8, 31))


def test_retire_keeps_referenced_rows(rm, auth):
    net = auth.network()
    m = build_map(rm, net)
    eco = m["topics"]["Экологическое воспитание"]
    services.retire(rm, eco)
    services.retire(rm, m["anna"])
    rm.commit()
    offering = rm.get(Offering, m["offerings"][0].id)
    assert offering is not None and offering.topic_id == eco.id and offering.person_id == m["anna"].id
    assert rm.get(Topic, eco.id).retired_at is not None
    # A retired topic is not offered for new entries but the existing one can still be edited.
    assert eco.id not in {t.id for t in services.list_topics(rm, net)}
    with pytest.raises(services.ValidationError):
        map_entries.save_offering(rm, net, year_id=m["year"].id, topic_id=eco.id, form="tutorial",
                               provider_kind="organization", provider_id=m["dou8"].id)
    map_entries.save_offering(rm, net, offering, year_id=m["year"].id, topic_id=eco.id, form="tutorial",
                           provider_kind="person", provider_id=m["anna"].id, capacity=20)
    assert rm.get(Offering, offering.id).capacity == 20


def test_validation_and_network_scope(rm, auth):
    net, other = auth.network(), auth.network()
    m = build_map(rm, net)
    foreign = services.save_organization(rm, other, name="Чужой детский сад")
    with pytest.raises(services.ValidationError):
        map_entries.save_offering(rm, net, year_id=m["year"].id, topic_id=m["topics"]["Развитие речи"].id,
                               form="tutorial", provider_kind="organization", provider_id=foreign.id)
    with pytest.raises(services.ValidationError):
        map_entries.save_offering(rm, net, year_id=m["year"].id, topic_id=m["topics"]["Развитие речи"].id,
                               form="no-such-form", provider_kind="organization", provider_id=m["dou8"].id)
    with pytest.raises(services.ValidationError):
        services.save_person(rm, net, full_name="Двойник", email="ANNA.SMIRNOVA@dou8.example.ru")
    with pytest.raises(services.ValidationError):
        services.save_topic(rm, net, name="экологическое ВОСПИТАНИЕ")
    assert services.seed_topics(rm, net) == 0
