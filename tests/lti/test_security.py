"""Every launch the tool must refuse: the status, the page the user sees, and no row written.

Tokens are built and signed as a platform builds them (tests/lti/platform.py); nothing of
pylti1p3 or of the tool is mocked.
"""
from __future__ import annotations

import time

import jwt
import pytest
import sqlalchemy as sa

from tests.lti.conftest import row_counts
from tests.lti.platform import DROP, TestPlatform, rsa_key


class Rel(int):
    """A time relative to the moment of the launch (the suite may run for many minutes)."""


def _absolute(value):
    return int(time.time()) + int(value) if isinstance(value, Rel) else value


# (case id, launch kwargs, status, text the page shows)
BAD_LAUNCHES = [
    ("bad-signature", dict(sign={"key": rsa_key(5)}), 401, "Подпись токена запуска недействительна"),
    ("missing-kid", dict(sign={"kid": DROP}), 401, "нет идентификатора ключа (kid)"),
    ("unknown-kid", dict(sign={"kid": "no-such-key"}), 401, "(kid no-such-key), неизвестен"),
    ("alg-hs256", dict(token="hs256"), 401, "алгоритмом, который инструмент не принимает"),
    ("expired", dict(iat=Rel(-3600), exp=Rel(-3000)), 401, "Срок действия токена запуска истёк"),
    ("certification-timestamps", dict(iat=11111, exp=22222), 401, "Срок действия токена запуска истёк"),
    ("future-iat", dict(iat=Rel(600), exp=Rel(660)), 401, "выпущен в будущем"),
    ("wrong-aud", dict(aud="someone-else"), 403, "не зарегистрирована в TutorNet"),
    ("aud-list-without-azp", dict(aud=["tutornet-client", "other"]), 401, "(azp)"),
    ("wrong-azp", dict(aud=["tutornet-client", "other"], azp="other"), 403, "не зарегистрирована"),
    ("azp-mismatch", dict(aud=["other", "tutornet-client"], azp="other2"), 403, "не зарегистрирована"),
    ("missing-state", dict(state=DROP), 401, "нет параметра state"),
    ("mismatched-state", dict(state="state-forged"), 401, "неизвестно, истекло или уже использовано"),
    ("missing-deployment", dict(deployment_id=DROP), 400, "нет deployment_id"),
    ("unknown-deployment", dict(deployment_id="dep-unknown"), 403, "Развёртывание «dep-unknown»"),
    ("wrong-version", dict(version="1.2.0"), 400, "не поддерживается (1.2.0)"),
    ("missing-version", dict(version=DROP), 400, "нет версии LTI"),
    ("missing-message-type", dict(message_type_claim=DROP), 400, "нет типа сообщения LTI"),
    ("wrong-message-type", dict(message_type_claim="badltilaunch"), 400, "типа badltilaunch"),
    ("missing-sub", dict(sub_claim=DROP), 400, "нет пользователя (sub)"),
    ("missing-roles", dict(roles=DROP), 400, "нет утверждения о ролях"),
    ("missing-resource-link", dict(resource_link=DROP), 400, "нет идентификатора ссылки на ресурс"),
    ("not-a-jwt", dict(token="not-a-jwt"), 400, "не является корректным JWT"),
    ("malformed-json", dict(token="eyJhbGciOi.bm90IGpzb24.c2ln"), 400, "не является корректным JWT"),
    ("missing-id-token", dict(token=""), 400, "нет id_token"),
    ("target-elsewhere", dict(target_link_uri="https://evil.test/lti/launch"), 400, "не принадлежит этому инструменту"),
    ("missing-iss", dict(iss=DROP), 400, "нет издателя"),
]


def _launch(lti, case: dict):
    case = {key: _absolute(value) for key, value in case.items()}
    token = case.pop("token", None)
    if token == "hs256":
        case["sign"] = {"key": "shared-secret-of-32-bytes-at-least!!", "alg": "HS256"}
        token = None
    if "message_type_claim" in case:
        case["https://purl.imsglobal.org/spec/lti/claim/message_type"] = case.pop("message_type_claim")
    if "sub_claim" in case:
        case["sub"] = case.pop("sub_claim")
    return lti.launch("Learner", token=token, **case)


@pytest.mark.parametrize("case_id,case,status,text", BAD_LAUNCHES, ids=[c[0] for c in BAD_LAUNCHES])
def test_bad_launch_is_refused_without_rows(app, lti, case_id, case, status, text):
    before = row_counts(app)
    response = _launch(lti, case)
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[:800]
    assert "Запуск отклонён" in page
    assert text in page
    assert row_counts(app) == before
    with lti.client.session_transaction() as sess:
        assert "actor" not in sess


def test_replayed_token_is_refused(app, lti, platform):
    auth = lti.login()
    token = platform.sign(platform.claims(nonce=auth["nonce"]))
    assert lti.client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 303
    before = row_counts(app)
    # The same state again: it was taken by the first launch.
    again = lti.client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert again.status_code == 401
    assert "уже использовано" in again.get_data(as_text=True)
    # The same token with a fresh state: its nonce belongs to another login.
    fresh = lti.login()
    replay = lti.client.post("/lti/launch", data={"id_token": token, "state": fresh["state"]})
    assert replay.status_code == 401
    assert "Nonce запуска не соответствует входу" in replay.get_data(as_text=True)
    assert row_counts(app) == before


def test_unknown_issuer_login_is_refused(app, lti):
    before = row_counts(app)
    response = lti.client.post("/lti/login", data={"iss": "https://unknown-lms.test", "login_hint": "x",
                                                   "target_link_uri": "https://tool.test/lti/launch"})
    assert response.status_code == 403
    assert "не зарегистрирована в TutorNet" in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_login_target_elsewhere_is_refused(lti):
    response = lti.client.post("/lti/login", data={"iss": lti.platform.issuer, "login_hint": "x",
                                                   "target_link_uri": "https://evil.test/"})
    assert response.status_code == 400
    assert "не принадлежит этому инструменту" in response.get_data(as_text=True)


def test_disabled_platform_is_refused(app, lti, db_session):
    from lti_tool.lti.models import Platform
    from lti_tool.lti.platforms import set_platform_enabled

    auth = lti.login()
    set_platform_enabled(db_session, db_session.query(Platform).one().id, False)
    db_session.commit()
    before = row_counts(app)
    token = lti.platform.sign(lti.platform.claims(nonce=auth["nonce"]))
    response = lti.client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 403
    assert "платформа отключена администратором" in response.get_data(as_text=True)
    login = lti.client.post("/lti/login", data={"iss": lti.platform.issuer, "login_hint": "x"})
    assert login.status_code == 403
    assert row_counts(app) == before


def test_jwks_fetch_failure_is_refused(app, client, served_platform):
    from tests.lti.platform import LtiActions

    served_platform.server.fail = True
    before = row_counts(app)
    response = LtiActions(app, client, served_platform).launch("Learner")
    assert response.status_code == 401
    assert "Не удалось получить открытые ключи СДО" in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_unknown_kid_refetches_the_jwks_once(app, client, served_platform):
    from tests.lti.platform import LtiActions

    actions = LtiActions(app, client, served_platform)
    assert actions.launch("Learner").status_code == 303
    assert served_platform.server.hits == 1
    assert actions.launch("Learner").status_code == 303
    assert served_platform.server.hits == 1  # cached: no fetch per launch
    served_platform.rotate(2)  # the platform starts signing with a new key
    assert actions.launch("Learner").status_code == 303
    assert served_platform.server.hits == 2  # one refetch on the unknown kid
    forged = actions.launch("Learner", sign={"kid": "never-published"})
    assert forged.status_code == 401
    assert served_platform.server.hits == 3  # still only one refetch for that launch


def test_expired_state_is_refused(app, lti, platform, monkeypatch):
    """A state issued more than 10 minutes ago (signed timestamp) is refused, nothing written."""
    from itsdangerous.timed import TimestampSigner

    from lti_tool.lti.state import STATE_TTL

    issued = time.time() - STATE_TTL - 5
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: int(issued))
        auth = lti.login()
    before = row_counts(app)
    token = platform.sign(platform.claims(nonce=auth["nonce"]))
    response = lti.client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 401
    assert "неизвестно, истекло или уже использовано" in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_state_signed_with_another_key_is_refused(app, lti, platform):
    """A state forged with the right shape but without the tool's SECRET_KEY is refused."""
    from lti_tool.lti import state as login_state

    auth = lti.login()
    forged = login_state.issue("not-the-secret-key", auth["nonce"], "https://tool.test/lti/launch")
    token = platform.sign(platform.claims(nonce=auth["nonce"]))
    before = row_counts(app)
    response = lti.client.post("/lti/launch", data={"id_token": token, "state": forged})
    assert response.status_code == 401
    assert "неизвестно, истекло или уже использовано" in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_state_cookie_of_another_login_is_refused(app, lti, platform):
    """The browser sent the state cookie of the state it got: a different value under that name is refused."""
    auth = lti.login()
    lti.client.set_cookie(f"lti1p3-{auth['state']}", "state-other", domain="localhost")
    token = platform.sign(platform.claims(nonce=auth["nonce"]))
    response = lti.client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 401
    assert "не соответствует этому браузеру" in response.get_data(as_text=True)


def test_login_writes_nothing_and_launch_commits_once(app, lti, platform):
    """The login initiation writes no row; a launch is one transaction (rows + single-use mark)."""
    from sqlalchemy import event

    from lti_tool.web.extensions import db

    lti.launch("Learner")  # warm: user, course and link exist; only the state's mark is new
    with app.app_context():
        engine = db.engine
    commits, writes = [], []
    listeners = [(engine, "commit", lambda conn: commits.append(1)),
                 (engine, "before_cursor_execute",
                  lambda conn, cur, statement, *a: writes.append(statement)
                  if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                  or "INSERT INTO" in statement.upper() else None)]  # PostgreSQL: the mark as a CTE
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        auth = lti.login()
        assert (commits, writes) == ([], [])
        token = platform.sign(platform.claims(nonce=auth["nonce"]))
        assert lti.client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 303
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
    assert len(commits) == 1
    # Besides the mark: the server-side session (issue 18, finding 10) — its row, and the browser's
    # previous one removed — in the same transaction.
    session_writes = [w for w in writes if "tool_session" in w]
    assert len(session_writes) == 2
    writes = [w for w in writes if "tool_session" not in w]
    assert [w for w in writes if "cache_entry" in w] and all("cache_entry" in w or w.lstrip().upper().startswith("UPDATE")
                                                              for w in writes)
    if engine.dialect.name == "postgresql":  # the mark rides in the provisioning SELECT
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("WITH")


def _other_process_sets(db_session, table, **values):
    """A write made by another process: plain SQL, which this process's registration cache never hears of."""
    db_session.execute(sa.update(table).values(**values))
    db_session.commit()


@pytest.mark.parametrize("what, message", [("platform", "платформа отключена администратором"),
                                           ("deployment", "отключено администратором")])
def test_disabled_by_another_process_is_refused_at_launch(app, lti, db_session, what, message):
    """The process's registration cache says enabled; the launch asks the database."""
    from lti_tool.lti.models import Deployment, Platform

    assert lti.launch().status_code == 303  # the registration is now cached in this process
    auth = lti.login()  # answered from the cache
    _other_process_sets(db_session, {"platform": Platform, "deployment": Deployment}[what].__table__, enabled=False)
    before = row_counts(app)
    token = lti.platform.sign(lti.platform.claims(nonce=auth["nonce"], sub="someone-new"))
    response = lti.client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 403
    assert message in response.get_data(as_text=True)
    assert row_counts(app) == before
    # The refusal dropped the stale copy: the next login reads the database (refused when the
    # whole platform is off).
    login = lti.client.post("/lti/login", data={"iss": lti.platform.issuer, "login_hint": "x"})
    assert login.status_code == (403 if what == "platform" else 302)


def test_platform_enabled_by_another_process_works_at_once(app, lti, db_session):
    """The cache only keeps yes-answers: a refusal is always read again from the database."""
    from lti_tool.lti.models import Platform

    _other_process_sets(db_session, Platform.__table__, enabled=False)
    assert lti.client.post("/lti/login", data={"iss": lti.platform.issuer, "login_hint": "x"}).status_code == 403
    _other_process_sets(db_session, Platform.__table__, enabled=True)
    assert lti.launch().status_code == 303


def test_deployment_added_by_another_process_works_at_once(app, lti, db_session, network_id):
    from lti_tool.lti.models import Deployment, Platform

    assert lti.launch().status_code == 303  # cached without the new deployment
    platform_id = db_session.scalar(sa.select(Platform.id))
    db_session.execute(sa.insert(Deployment).values(platform_id=platform_id, deployment_id="dep-new",
                                                    network_id=network_id, enabled=True))
    db_session.commit()
    response = lti.launch(deployment_id="dep-new", sub="teacher-of-dep-new")
    assert response.status_code == 303


def test_cached_login_reads_nothing(app, lti):
    """A login answered from the process's registration cache runs no SQL at all."""
    from sqlalchemy import event

    lti.login()
    engine = app.extensions["tutornet_db"][0]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        lti.login()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert statements == []
