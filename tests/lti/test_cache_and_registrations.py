"""The shared cache (database on both backends, Redis when reachable), registrations and the CLI."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from lti_tool.core.accounts import Network
from lti_tool.core.cache import DatabaseCache, RedisCache
from lti_tool.lti.models import Deployment, Platform
from lti_tool.lti.platforms import RegistrationError, create_platform, import_lti_config
from lti_tool.web.extensions import db
from tests import backends


def _exercise(cache):
    cache.set("k", {"a": 1}, ttl=60)
    assert cache.get("k") == {"a": 1}
    assert cache.add_if_absent("once", 1, ttl=60) is True
    assert cache.add_if_absent("once", 2, ttl=60) is False  # single use: the second caller loses
    assert cache.pop("once") == 1 and cache.pop("once") is None
    cache.set("gone", 1, ttl=-1)  # already expired
    assert cache.get("gone") is None and cache.pop("gone") is None
    assert cache.add_if_absent("gone", 3, ttl=60) is True  # an expired entry does not block
    cache.delete("k")
    assert cache.get("k") is None


def test_database_cache(app):
    with app.app_context():
        _exercise(DatabaseCache(db.engine))


def test_redis_cache():
    url = backends.redis_url()
    if url is None:
        pytest.skip("Redis is not reachable")
    cache = RedisCache(url, prefix=f"tutornet-test-{id(object())}:")
    cache.set("gone", 1, ttl=1)
    cache.delete("gone")
    _exercise_redis(cache)


def _exercise_redis(cache):
    cache.set("k", {"a": 1}, ttl=60)
    assert cache.get("k") == {"a": 1}
    assert cache.add_if_absent("once", 1, ttl=60) is True
    assert cache.add_if_absent("once", 2, ttl=60) is False
    assert cache.pop("once") == 1 and cache.pop("once") is None
    cache.delete("k")


def test_create_platform_validates(db_session, auth):
    network_id = auth.network()
    base = dict(network_id=network_id, issuer="https://lms.test", client_id="c", auth_login_url="https://lms.test/a",
                auth_token_url="https://lms.test/t", key_set_url="https://lms.test/jwks")
    with pytest.raises(RegistrationError, match="https"):
        create_platform(db_session, **{**base, "auth_login_url": "http://lms.test/a"})
    with pytest.raises(RegistrationError):
        create_platform(db_session, **{**base, "key_set_url": None})
    create_platform(db_session, **base, deployment_ids=["1", "2"])
    with pytest.raises(RegistrationError, match="уже зарегистрирована|already registered"):
        create_platform(db_session, **base)


def test_import_config_is_idempotent(app, db_session, tmp_path):
    path = tmp_path / "lti_config.json"
    path.write_text(json.dumps({"http://127.0.0.1:8000": [{
        "default": True, "client_id": "tutornet-demo", "auth_login_url": "http://127.0.0.1:8000/auth",
        "auth_token_url": "http://127.0.0.1:8000/token", "auth_audience": None,
        "key_set_url": "http://127.0.0.1:8000/.well-known/jwks.json", "key_set": None, "deployment_ids": ["1"]}]}))
    import_lti_config(db_session, path)
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["lti", "import-config", str(path)])
    assert result.exit_code == 0, result.output
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Platform)) == 1
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Deployment)) == 1
    assert db_session.scalar(sa.select(Network.name).where(Network.slug == "demo")) == "Демонстрационная сеть"


def test_cli_platforms_and_keys(app, auth):
    network_id = auth.network(slug="cli-net")
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["lti", "platforms", "add", "--network", "cli-net", "--issuer", "https://x.test",
                              "--client-id", "c", "--auth-login-url", "ftp://x", "--auth-token-url", "https://x.test/t",
                              "--key-set-url", "https://x.test/j"])
    assert bad.exit_code != 0 and "auth_login_url" in bad.output
    ok = runner.invoke(args=["lti", "platforms", "add", "--network", str(network_id), "--issuer", "https://x.test",
                             "--client-id", "c", "--auth-login-url", "https://x.test/a",
                             "--auth-token-url", "https://x.test/t", "--key-set-url", "https://x.test/j",
                             "--deployment-id", "7"])
    assert ok.exit_code == 0, ok.output
    assert "DISABLED" in runner.invoke(args=["lti", "platforms", "disable", "1"]).output + \
        runner.invoke(args=["lti", "platforms", "list"]).output
    listed = runner.invoke(args=["lti", "keys", "list"]).output
    rotated = runner.invoke(args=["lti", "keys", "rotate", "--overlap-days", "3"])
    assert rotated.exit_code == 0
    after = runner.invoke(args=["lti", "keys", "list"]).output
    assert "signing" in listed and after.count("published") == 1 and after.count("signing") == 1
