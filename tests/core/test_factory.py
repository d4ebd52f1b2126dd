"""The app factory, the error pages, health, locale choice and security headers."""
from __future__ import annotations

from lti_tool import create_app


def test_config_override_wins(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_default_config_is_embedded(tmp_path, monkeypatch):
    """With no environment, the app uses SQLite and the serverless broker under instance/."""
    for var in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TUTORNET_INSTANCE", str(tmp_path))
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'tutornet.db'}"
    assert app.config["CELERY_BROKER_URL"].startswith("sqla+sqlite:///")
    # The generated secret is kept and reused by the next process.
    assert (tmp_path / "secret_key").read_text() == app.config["SECRET_KEY"]
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_start_page_is_russian_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert 'lang="ru"' in page
    assert "Чтобы войти, откройте TutorNet" in page


def test_locale_switch_to_english(client):
    resp = client.post("/locale", data={"locale": "en", "next": "/"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert "Open TutorNet from your course" in client.get("/").get_data(as_text=True)


def test_locale_switch_refuses_open_redirect(client):
    resp = client.post("/locale", data={"locale": "en", "next": "//evil.example/"})
    assert resp.headers["Location"] == "/"


def test_unknown_locale_is_a_clear_error(client):
    resp = client.post("/locale", data={"locale": "xx"})
    assert resp.status_code == 400
    assert "Некорректный запрос" in resp.get_data(as_text=True)


def test_404_page_in_russian_and_json_for_machines(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "Страница не найдена" in resp.get_data(as_text=True)
    resp = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert resp.status_code == 404 and resp.json["status"] == 404


def test_headers_allow_framing_and_forbid_outside_assets(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors" in csp and "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "X-Frame-Options" not in resp.headers


def test_pages_reference_only_local_assets(client):
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page.replace("https://localhost", "")


def test_healthz_reports_database_and_broker(app, client, backend):
    app.config["HEALTH_TOKEN"] = "operator-secret"
    resp = client.get("/healthz", headers={"Authorization": "Bearer operator-secret"})
    assert resp.status_code == 200
    assert resp.json["database"] == {"ok": True, "error": None, "backend": backend}
    assert resp.json["broker"]["ok"] is True


def test_healthz_reports_unreachable_broker(app):
    app.config.update(CELERY_BROKER_URL="redis://127.0.0.1:1/0", HEALTH_TOKEN="operator-secret")
    resp = app.test_client().get("/healthz", headers={"Authorization": "Bearer operator-secret"})
    assert resp.status_code == 503
    assert resp.json["broker"]["ok"] is False and resp.json["broker"]["error"]
    anonymous = app.test_client().get("/healthz", headers={"Authorization": "Bearer wrong"})
    assert anonymous.status_code == 503 and anonymous.json == {"status": "error"}


def test_session_cookie_is_iframe_ready(client, auth):
    auth.login("teacher")
    resp = client.post("/locale", data={"locale": "ru"})
    cookie = resp.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
