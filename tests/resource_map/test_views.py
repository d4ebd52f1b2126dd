"""Views of the resource map: who may browse and edit, and network isolation."""
from __future__ import annotations

from lti_tool.core.reference import Organization
from lti_tool.resource_map.models import Offering
from tests.resource_map.conftest import build_map


def _map(app, auth):
    net = auth.network()
    with app.test_request_context("/"):
        from lti_tool.web.extensions import db

        m = build_map(db.session, net)
        return net, {k: getattr(v, "id", None) for k, v in m.items()}, [o.id for o in m["offerings"]]


def test_teacher_browses_but_cannot_edit(app, client, auth):
    net, ids, offerings = _map(app, auth)
    auth.login("teacher", network_id=net)
    for url in ["/resource-map/", "/resource-map/matrix", f"/resource-map/offerings/{offerings[0]}",
                "/resource-map/organizations", f"/resource-map/organizations/{ids['dou8']}",
                "/resource-map/clusters", f"/resource-map/clusters/{ids['cluster']}", "/resource-map/people",
                "/resource-map/export.xlsx"]:
        assert client.get(url).status_code == 200, url
    page = client.get("/resource-map/?q=ЭКОЛОГ").get_data(as_text=True)
    assert "Тропа природы" in page and "Игры Воскобовича" not in page
    assert "Редактировать" not in client.get(f"/resource-map/offerings/{offerings[0]}").get_data(as_text=True)
    assert client.get("/resource-map/offerings/new").status_code == 403
    assert client.get(f"/resource-map/organizations/{ids['dou8']}/edit").status_code == 403
    assert client.post(f"/resource-map/offerings/{offerings[0]}/retire").status_code == 403
    assert client.post("/resource-map/organizations/new", data={"name": "Взлом"}).status_code == 403
    assert client.get("/resource-map/import").status_code == 403


def test_tutor_cannot_edit_either(app, client, auth):
    net, ids, _offerings = _map(app, auth)
    auth.login("tutor", network_id=net)
    assert client.get("/resource-map/matrix").status_code == 200
    assert client.post(f"/resource-map/organizations/{ids['dou8']}/edit", data={"name": "X"}).status_code == 403


def test_anonymous_gets_401(client):
    assert client.get("/resource-map/").status_code == 401


def test_methodist_edits_and_retires(app, client, auth, db_session):
    net, ids, offerings = _map(app, auth)
    auth.login("methodist", network_id=net)
    assert client.get("/resource-map/offerings/new").status_code == 200
    response = client.post(f"/resource-map/organizations/{ids['dou8']}/edit", data={
        "name": "МАДОУ № 8 «Солнышко»", "kind": "kindergarten", "municipality": "г. Томск",
        "latitude": "56.5", "longitude": "84.9"})
    assert response.status_code == 302
    assert db_session.get(Organization, ids["dou8"]).name == "МАДОУ № 8 «Солнышко»"
    response = client.post("/resource-map/offerings/new", data={
        "year_id": ids["year"], "topic_id": ids["topics"] or "", "form": "tutorial",
        "provider": f"organization:{ids['dou69']}", "delivery": "in_person"})
    assert response.status_code == 200  # no topic chosen: the form comes back with the error
    assert "Выберите тему" in response.get_data(as_text=True)
    assert client.post(f"/resource-map/offerings/{offerings[0]}/retire").status_code == 302
    db_session.expire_all()
    assert db_session.get(Offering, offerings[0]).retired_at is not None
    assert "Тропа природы" not in client.get("/resource-map/").get_data(as_text=True)


def test_methodist_of_another_network_gets_404(app, client, auth):
    _net, ids, offerings = _map(app, auth)
    auth.login("methodist", network_id=auth.network(slug="other"))
    assert client.get(f"/resource-map/offerings/{offerings[0]}").status_code == 404
    assert client.get(f"/resource-map/organizations/{ids['dou8']}/edit").status_code == 404
    assert client.post(f"/resource-map/organizations/{ids['dou8']}/edit", data={"name": "X"}).status_code == 404
    assert client.post(f"/resource-map/offerings/{offerings[0]}/retire").status_code == 404
    assert client.get(f"/resource-map/clusters/{ids['cluster']}").status_code == 404
    # Its own (empty) map shows none of network A's rows.
    assert "Тропа природы" not in client.get("/resource-map/").get_data(as_text=True)


def test_matrix_page_highlights_gaps(app, client, auth):
    net, _ids, _offerings = _map(app, auth)
    auth.login("teacher", network_id=net)
    html = client.get("/resource-map/matrix").get_data(as_text=True)
    assert "18 тем без ресурсов поддержки" in html
    assert "rm-gap-row" in html


def test_english_interface(app, client, auth):
    net, _ids, _offerings = _map(app, auth)
    auth.login("teacher", network_id=net)
    html = client.get("/resource-map/matrix?lang=en").get_data(as_text=True)
    assert "18 topics have no provider" in html


def test_organizations_are_listed_in_natural_order_of_their_numbers(app, client, auth):
    net, ids, _offerings = _map(app, auth)
    auth.login("teacher", network_id=net)
    page = client.get("/resource-map/organizations").text
    # "МАДОУ № 8" files before "МАДОУ № 69" (a plain string sort puts "69" first)
    assert page.index("МАДОУ № 8 г. Томска") < page.index("МАДОУ № 69 г. Томска")
