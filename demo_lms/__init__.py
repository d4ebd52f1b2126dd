"""Demo LMS: a small, independent LTI 1.3 platform that behaves like Moodle 4.x.

Used to launch TutorNet by hand on localhost and as the platform of the tool's integration tests
and benchmarks (NRPS, AGS, deep linking, dynamic registration, injectable faults). It never
imports the tool's code. Entry point: :func:`create_app`; tests use :mod:`demo_lms.testing`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from .core import AgsOptions, Lms, NrpsOptions
from .fastpath import ScoreFastPath
from .faults import Faults, install
from .keys import PlatformKey, ToolKeyCache
from .seed import seed, sync_seeded_tool
from .store import Store

DEFAULTS: dict[str, Any] = {
    "DEMO_LMS_DATA": None,  # None -> ./instance/demo_lms/
    "ISSUER": "http://127.0.0.1:8000",
    "TOOL_BASE_URL": "http://localhost:5000",
    "CLIENT_ID": "tutornet-demo",
    "DEPLOYMENT_ID": "1",
    "DEMO_LMS_CONTROL": False,
    "DEMO_LMS_ROSTER": None,  # JSON file of course 1's users, read when seeding a fresh database
    "JWKS_CACHE_SECONDS": 300,
    # NRPS `differences` links (NRPS 2.0 §2.4.3); Moodle offers none, so off by default.
    "DEMO_LMS_NRPS_DIFFERENCES": False,
    # Score timestamps kept to the second (Moodle's integer timemodified): 409 within one second.
    "DEMO_LMS_SECOND_TIMESTAMPS": False,
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    cfg = dict(DEFAULTS)
    cfg.update(config or {})
    data_dir = Path(cfg["DEMO_LMS_DATA"] or Path.cwd() / "instance" / "demo_lms")
    data_dir.mkdir(parents=True, exist_ok=True)
    cfg["DEMO_LMS_DATA"] = str(data_dir)
    cfg["ISSUER"] = cfg["ISSUER"].rstrip("/")

    app = Flask(__name__)
    app.config.update(cfg)
    app.json.ensure_ascii = False  # Russian names readable in JSON answers
    state = Lms(config=app.config, store=Store(data_dir), key=PlatformKey(data_dir),
                tool_keys=ToolKeyCache(ttl=float(cfg["JWKS_CACHE_SECONDS"])), faults=Faults(),
                nrps=NrpsOptions(differences=bool(cfg["DEMO_LMS_NRPS_DIFFERENCES"])),
                ags=AgsOptions(second_timestamps=bool(cfg["DEMO_LMS_SECOND_TIMESTAMPS"])))
    app.extensions["demo_lms"] = state
    with state.store.write() as session:
        seed(session, app.config)
        sync_seeded_tool(session, app.config)

    install(app, state.faults)
    app.wsgi_app = ScoreFastPath(app.wsgi_app, state)  # score POSTs without Flask (same checks)
    from . import ags, deep_linking, nrps, oidc, registration, scores, token, ui

    for module in (oidc, deep_linking, token, nrps, ags, scores, registration, ui):
        app.register_blueprint(module.bp)
    if cfg["DEMO_LMS_CONTROL"]:
        from . import control, control_launch

        app.register_blueprint(control.bp)
        app.register_blueprint(control_launch.bp)
    return app
