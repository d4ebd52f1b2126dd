"""Server cost of an LTI login+launch pair: TutorNet vs a bare pylti1p3 Flask tool, in one run.

    .venv/bin/python benchmarks/bench_launch.py [--pairs 300] [--concurrency 50] [--rounds 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/EMPTY_DB]

Both tools validate the same tokens from the same platform, whose JWKS is served over loopback
HTTP. The bare tool is written like the pylti1p3 Flask example: a static tool config, the Flask
session for state and nonce, and the platform JWKS fetched and parsed on every launch (pylti1p3
does that without a key cache). TutorNet also writes the provisioning rows (user, course,
enrollment, link, person, …) into the database (SQLite in a temporary folder, or the empty
database given with --database-url) and marks each state used in the shared cache table.

Only the server is timed: both apps are called in-process through WSGI (Flask test clients); the
platform's work (building and signing the id_token) happens outside the timed section. The
concurrent figures run `--concurrency` launches at once from a thread pool against each app.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="bench-launch-"))

import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from flask import Flask, request  # noqa: E402
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest  # noqa: E402
from pylti1p3.tool_config import ToolConfDict  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


ISSUER, CLIENT_ID, DEPLOYMENT = "https://lms.bench", "bench-client", "1"
TOOL = "https://tool.bench"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
PLATFORM_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "bench-key"


def platform_jwks() -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PLATFORM_KEY.public_key()))
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}


def serve_jwks() -> str:
    """The platform's JWKS on 127.0.0.1 (threaded, like a real platform)."""
    body = json.dumps(platform_jwks()).encode()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/jwks"


# ---- the bare pylti1p3 tool (pylti1p3 Flask example style) -------------------------------------

def bare_tool(jwks_url: str) -> Flask:
    app = Flask("bare_tool")
    app.config.update(SECRET_KEY="bare", SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True)
    conf = ToolConfDict({ISSUER: [{
        "default": True, "client_id": CLIENT_ID, "auth_login_url": f"{ISSUER}/auth",
        "auth_token_url": f"{ISSUER}/token", "key_set_url": jwks_url, "key_set": None,
        "deployment_ids": [DEPLOYMENT]}]})

    @app.route("/lti/login", methods=["GET", "POST"])
    def login():
        oidc = FlaskOIDCLogin(FlaskRequest(), conf)
        return oidc.redirect(request.values["target_link_uri"])

    @app.post("/lti/launch")
    def launch():
        message_launch = FlaskMessageLaunch(FlaskRequest(), conf)
        data = message_launch.get_launch_data()
        return f"<p>Hello {data.get('name', '')}</p>"

    return app


# ---- TutorNet ----------------------------------------------------------------------------------

def tutornet_tool(jwks_url: str, url: str, synchronous: str | None = None, pool_size: int = 10):
    from lti_tool import create_app
    from lti_tool.core.db import make_engine
    from lti_tool.core.networks import ensure_network
    from lti_tool.lti.platforms import create_platform
    from lti_tool.models import Base
    from lti_tool.web.extensions import db

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TOOL_BASE_URL": TOOL,
                      "CELERY_BROKER_URL": "memory://", "DATABASE_POOL_SIZE": pool_size,
                      "DEV_MODE": True})  # the platform's key set is served over http on loopback
    if synchronous and url.startswith("sqlite"):  # overrides db.py's NORMAL (see docs/lti.md)
        from sqlalchemy import event

        @event.listens_for(app.extensions["tutornet_db"][0], "connect")
        def _synchronous(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

    with app.app_context():
        network = ensure_network(db.session, "bench", "Сеть")
        create_platform(db.session, network_id=network.id, issuer=ISSUER, client_id=CLIENT_ID,
                        auth_login_url=f"{ISSUER}/auth", auth_token_url=f"{ISSUER}/token",
                        key_set_url=jwks_url, deployment_ids=[DEPLOYMENT])
        db.session.commit()
    return app


# ---- one login+launch pair ---------------------------------------------------------------------

def id_token(nonce: str, user: int) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": CLIENT_ID, "sub": f"user-{user}", "iat": now, "exp": now + 60, "nonce": nonce,
        "name": f"Педагог {user}", "email": f"user{user}@school.test",
        CLAIM + "version": "1.3.0", CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "deployment_id": DEPLOYMENT, CLAIM + "target_link_uri": f"{TOOL}/lti/launch",
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        CLAIM + "resource_link": {"id": f"link-{user % 5}", "title": "Анкета"},
        CLAIM + "context": {"id": f"course-{user % 5}", "title": "Курс"},
        CLAIM + "launch_presentation": {"locale": "ru"},
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": f"{ISSUER}/nrps/{user % 5}", "service_versions": ["2.0"]},
    }
    return jwt.encode(claims, PLATFORM_KEY, algorithm="RS256", headers={"kid": KID})


def make_client(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    client.set_cookie("tutornet_cookie_probe", "1", domain="localhost")  # a browser that passed the check
    return client


def pair(client, user: int) -> float:
    """One login+launch; returns the seconds spent inside the tool."""
    login_form = {"iss": ISSUER, "login_hint": str(user), "target_link_uri": f"{TOOL}/lti/launch",
                  "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT}
    t0 = time.perf_counter()
    response = client.post("/lti/login", data=login_form)
    spent = time.perf_counter() - t0
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    auth = {k: v[0] for k, v in parse_qs(urlparse(response.headers["Location"]).query).items()}
    form = {"id_token": id_token(auth["nonce"], user), "state": auth["state"]}
    t0 = time.perf_counter()
    response = client.post("/lti/launch", data=form)
    spent += time.perf_counter() - t0
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:300]
    return spent


def sequential(app, pairs: int, users: int) -> list[float]:
    # A fresh browser per pair: the bare tool keeps every launch in its cookie session, which
    # outgrows the 4 KB cookie limit after a dozen launches in one browser.
    return [pair(make_client(app), i % users) for i in range(pairs)]


def concurrent(app, launches: int, concurrency: int, users: int) -> list[float]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(_timed_pair, make_client(app), i % users) for i in range(launches)]
        return [f.result() for f in futures]


def _timed_pair(client, user: int) -> float:
    # Wall time per pair under load (queueing included): what a user waits for.
    t0 = time.perf_counter()
    pair(client, user)
    return time.perf_counter() - t0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200, help="timed sequential pairs per tool and round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (the best round counts)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--concurrent-launches", type=int, default=500)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"],
                        help="override PRAGMA synchronous (lti_tool/db.py sets NORMAL)")
    parser.add_argument("--database-url", help="TutorNet's database (an EMPTY one: tables are created; "
                                               "default: SQLite in a temporary folder)")
    args = parser.parse_args()

    jwks_url = serve_jwks()
    workdir = Path(tempfile.mkdtemp(prefix="bench-launch-db-"))
    tools = {"bare pylti1p3": bare_tool(jwks_url),
             "TutorNet": tutornet_tool(jwks_url, args.database_url or f"sqlite:///{workdir / 'tutornet.db'}",
                                       args.sqlite_synchronous, pool_size=args.concurrency)}
    print(f"TutorNet database: {tools['TutorNet'].config['DATABASE_URL'].split('://')[0]}"
          + ("" if not args.database_url else f", DATABASE_POOL_SIZE={args.concurrency} (one connection per request thread, "
                                              "as a deployment sizes it to its threads)"))
    for app in tools.values():  # warm-up: imports, first key parse, users and courses created
        sequential(app, args.users, args.users)

    results: dict[str, list[float]] = {name: [] for name in tools}
    cpu: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(args.rounds):  # alternate so that machine noise hits both alike
        for name, app in tools.items():
            c0 = time.process_time()
            results[name].append(statistics.mean(sequential(app, args.pairs, args.users)))
            cpu[name].append((time.process_time() - c0) / args.pairs)
    print(f"Sequential login+launch pairs ({args.pairs} × {args.rounds} rounds, best round, in-process WSGI):")
    best = {name: min(v) * 1000 for name, v in results.items()}
    for name, ms in best.items():
        print(f"  {name:14s} {ms:7.2f} ms per pair   (rounds: {', '.join(f'{v * 1000:.2f}' for v in results[name])})")
    print(f"  ratio TutorNet / bare = {best['TutorNet'] / best['bare pylti1p3']:.2f}× (best rounds); "
          f"median of the rounds' ratios {statistics.median(t / b for t, b in zip(results['TutorNet'], results['bare pylti1p3'])):.2f}×")
    # CPU time of this process per pair (both apps, the JWKS server and SQLite run in it; the
    # platform's signing is included for both): steadier than wall time on a busy machine.
    # A PostgreSQL server's own CPU is not counted.
    best_cpu = {name: min(v) * 1000 for name, v in cpu.items()}
    print("  process CPU per pair, incl. token signing: " + ", ".join(
        f"{name} {ms:.2f} ms" for name, ms in best_cpu.items())
        + f"   ratio {best_cpu['TutorNet'] / best_cpu['bare pylti1p3']:.2f}×")

    print(f"\n{args.concurrency} concurrent launches ({args.concurrent_launches} pairs each, wall time per pair):")
    for name, app in tools.items():
        # An untimed wave first, as a running server has had: it opens the pool's connections
        # (a PostgreSQL connection costs a backend fork), which otherwise land in the p99.
        concurrent(app, args.concurrency, args.concurrency, args.users)
        t0 = time.perf_counter()
        times = concurrent(app, args.concurrent_launches, args.concurrency, args.users)
        wall = time.perf_counter() - t0
        print(f"  {name:14s} p50 {pct(times, 50) * 1000:7.1f} ms   p99 {pct(times, 99) * 1000:7.1f} ms   "
              f"throughput {len(times) / wall:6.1f} pairs/s")


if __name__ == "__main__":
    main()
