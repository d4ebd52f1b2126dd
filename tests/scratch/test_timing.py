import time
from werkzeug.datastructures import MultiDict
from lti_tool.web.extensions import db
from lti_tool.web.auth import METHODIST, SESSION_KEY, Actor, store_actor
from tests.security.test_fuzz import _world, NAMES, SWEEP, SKIP, ARGUMENT, _sweep_argument


def test_timing(app, client, auth, backend):
    if backend != "postgresql":
        return
    t0 = time.monotonic()
    with app.test_request_context("/"):
        world = _world(db.session)
        token = store_actor(Actor(user_id=world["users"][METHODIST], network_id=world["network_id"],
                                  roles=frozenset({METHODIST})))
    print("world", round(time.monotonic() - t0, 1), flush=True)
    times = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
    print("rules", len(rules), flush=True)
    for rule in rules:
        area = app.view_functions[rule.endpoint].__module__.split(".")[1]
        names = sorted(NAMES.get(area, set()) | NAMES.get("", set())) or ["q"]
        for method in sorted(rule.methods & {"GET", "POST"}):
            start = time.monotonic()
            for value in SWEEP:
                url = ARGUMENT.sub(lambda m: _sweep_argument(m, value), rule.rule)
                with client.session_transaction() as sess:
                    sess.clear(); sess[SESSION_KEY] = token
                multi = MultiDict([(n, value) for n in names])
                r = client.get(url, query_string=multi) if method == "GET" else client.post(url, data=multi)
                if r.status_code >= 500:
                    print("500", method, url[:80], repr(value[:20]), flush=True)
            times.append((time.monotonic() - start, method, rule.rule, len(names)))
    times.sort(reverse=True)
    print("total", round(sum(t[0] for t in times), 1))
    for t in times[:25]:
        print(round(t[0], 2), t[1], t[2], t[3])
