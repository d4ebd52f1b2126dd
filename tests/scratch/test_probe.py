import traceback, logging
from werkzeug.datastructures import MultiDict
from lti_tool.web.extensions import db
from lti_tool.web.auth import METHODIST
from tests.security.test_fuzz import _world, NAMES, SWEEP

ROUTES = ["/surveys/1/report", "/surveys/dynamics", "/pathways/planner/runs/1", "/events/sessions/1/grading",
          "/events/1/protocol", "/reports/", "/reports/yearly", "/reports/clusters", "/reports/clusters/1"]


def test_probe(app, client, auth, backend):
    if backend != "sqlite":
        return
    with app.test_request_context("/"):
        world = _world(db.session)
    seen = set()
    class H(logging.Handler):
        def emit(self, record):
            if record.exc_info:
                tb = "".join(traceback.format_exception(*record.exc_info)[-3:])
                key = tb.strip().splitlines()[-1][:200]
                if key not in seen:
                    seen.add(key)
                    print("EXC", record.getMessage(), "\n", tb)
    logging.getLogger("lti_tool.web.errors").addHandler(H())
    for route in ROUTES:
        area = route.split("/")[1]
        names = sorted(NAMES.get(area, set()) | NAMES.get("", set()))
        for value in SWEEP:
            auth.login(METHODIST, network_id=world["network_id"], user_id=world["users"][METHODIST])
            r = client.get(route, query_string=MultiDict([(name, value) for name in names]))
            if r.status_code >= 500:
                print("500", route, repr(value[:30]))
