"""Run the demo LMS: ``python -m demo_lms --host 127.0.0.1 --port 8000 [--tool-url URL]``.

Threaded on purpose: while the tool waits on our token endpoint we fetch the tool's JWKS, and
while we wait on the tool the tool calls our NRPS/AGS endpoints. The server keeps connections
alive (:mod:`demo_lms.server`), as a real LMS's web server does.
"""
from __future__ import annotations

import argparse

from . import DEFAULTS, create_app
from .server import make_server


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m demo_lms", description="Demo LTI 1.3 platform (Moodle-like)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--tool-url", default=DEFAULTS["TOOL_BASE_URL"], help="TutorNet base URL (seeded registration)")
    p.add_argument("--issuer", default=None, help="platform issuer (default http://HOST:PORT)")
    p.add_argument("--data", default=None, help="data folder (default ./instance/demo_lms)")
    p.add_argument("--client-id", default=DEFAULTS["CLIENT_ID"])
    p.add_argument("--deployment-id", default=DEFAULTS["DEPLOYMENT_ID"])
    p.add_argument("--roster", default=None,
                   help="JSON file of course 1's users for a fresh database (e.g. from `flask demo roster`)")
    p.add_argument("--no-control", action="store_true", help="disable the /_control/ test API")
    p.add_argument("--nrps-differences", action="store_true",
                   help='send NRPS rel="differences" links and serve changes since (Moodle does not)')
    p.add_argument("--second-timestamps", action="store_true",
                   help="keep score timestamps to the second like Moodle (409 for a second score within one second)")
    a = p.parse_args(argv)
    app = create_app({
        "ISSUER": a.issuer or f"http://{a.host}:{a.port}", "TOOL_BASE_URL": a.tool_url, "DEMO_LMS_DATA": a.data,
        "CLIENT_ID": a.client_id, "DEPLOYMENT_ID": a.deployment_id, "DEMO_LMS_CONTROL": not a.no_control,
        "DEMO_LMS_ROSTER": a.roster, "DEMO_LMS_NRPS_DIFFERENCES": a.nrps_differences,
        "DEMO_LMS_SECOND_TIMESTAMPS": a.second_timestamps,
    })
    print(f"Demo LMS: {app.config['ISSUER']}/course/1  (tool: {a.tool_url}, client_id {a.client_id})")
    server = make_server(a.host, a.port, app, access_log=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
