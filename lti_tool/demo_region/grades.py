"""What grading left behind: attendance and scores per session, completions, protocols, the events'
links in the region's course with their gradebook columns, and the delivered scores.

Every session before today is graded by the event's lead tutor, except the last session of the
events "to grade". The rules are the tool's (`events/grading.py`): a score only when present or
late, the event score is the mean of the scores, completion needs `min_sessions` attended and
`min_score`. Each graded participant's latest score went to the LMS three seconds later.
"""
from __future__ import annotations

from datetime import timedelta

from . import lms
from .context import Region

POINTS = {"tutorial": 10.0, "consultation": 10.0, "master_class": 10.0, "immersion_seminar": 10.0}
PASS_FAIL = ("open_day",)
RUBRIC = [{"score": 10, "descriptor": "Активно участвует, предлагает собственные решения"},
          {"score": 6, "descriptor": "Участвует в групповой работе"},
          {"score": 2, "descriptor": "Присутствует, не включается в работу"}]
STATUSES = (("present", 88), ("late", 4), ("excused", 5), ("absent", 3))
OUTBOX_COLUMNS = ("network_id", "course_id", "line_item_id", "user_id", "source_key", "score_given", "score_maximum",
                  "activity_progress", "grading_progress", "timestamp", "status", "attempts", "next_attempt_at",
                  "last_error", "delivered_at", "created_at")


def scales(region: Region) -> None:
    """The network's participation scales: 0–10 points with a rubric, pass/fail for open days."""
    rows = [(region.network_id, form, "points", points, RUBRIC, region.past(region.year_start))
            for form, points in POINTS.items()]
    rows += [(region.network_id, form, "pass_fail", 1.0, [], region.past(region.year_start)) for form in PASS_FAIL]
    region.bulk.insert("event_grading_scale", ("network_id", "form", "kind", "max_points", "rubric", "updated_at"), rows)


def grades(region: Region) -> None:
    """Attendance, completions and protocols of every session already held."""
    b, rng = region.bulk, region.rng("grades")
    attendance, completions, notes, protocols = [], [], [], []
    for e in region.events:
        graded_days = [d for d in e["days"] if d < region.today]
        if e["kind"] == "to_grade":
            graded_days = graded_days[:-1]
        e["graded"] = {}
        if e["cancelled"] or not graded_days:
            continue
        grader = e["leads"][0]["user_id"]
        for session_id, day in zip(e["sessions"], graded_days):
            when = region.past(day, 18)
            for participant_id, _p, state in e["participants"]:
                if state != "registered":
                    continue
                status = rng.choices([s for s, _w in STATUSES], [w for _s, w in STATUSES])[0]
                score = _score(rng, e["form"]) if status in ("present", "late") else None
                attendance.append((session_id, participant_id, status, score, grader, when))
                e["graded"].setdefault(participant_id, []).append((status, score, when))
        for participant_id, marks in e["graded"].items():
            attended = [score for status, score, _w in marks if status in ("present", "late")]
            scores = [s for s in attended if s is not None]
            mean = round(sum(scores) / len(scores), 2) if scores else None
            done = len(attended) >= max(e["min_sessions"], 1) and (
                e["min_score"] is None or (mean is not None and mean >= e["min_score"]))
            completions.append((participant_id, done, len(attended), mean, marks[-1][2]))
            e.setdefault("scores", {})[participant_id] = (mean, done, marks[-1][2])
            if done:
                region.completed.setdefault(_person(e, participant_id)["id"], set()).add(e["id"])
        if e["kind"] == "held" and rng.random() < 0.85:
            protocols.append((e, region.past(e["days"][-1] + timedelta(days=rng.randint(1, 5)), 11)))
    b.insert("event_attendance", ("session_id", "participant_id", "status", "score", "graded_by_id", "graded_at"),
             attendance)
    b.insert("event_completion", ("participant_id", "completed", "sessions_attended", "score", "evaluated_at"),
             completions)
    protocols.sort(key=lambda item: (item[1], item[0]["id"]))
    table = b.table("event")
    for number, (e, issued) in enumerate(protocols, 1):
        b.session.execute(table.update().where(table.c.id == e["id"]).values(protocol_number=number,
                                                                              protocol_issued_at=issued))
        notes.append((e["id"], "decision", "Опыт участников рекомендовать к распространению в сети.",
                      e["leads"][0]["user_id"], issued))
    b.insert("event_protocol_note", ("event_id", "kind", "text", "created_by_id", "created_at"), notes)


def _person(e: dict, participant_id: int) -> dict:
    if "person_of" not in e:
        e["person_of"] = {pid: p for pid, p, _s in e["participants"]}
    return e["person_of"][participant_id]


def _score(rng, form: str) -> float:
    if form in PASS_FAIL:
        return 1.0 if rng.random() < 0.95 else 0.0
    return float(rng.choices((10, 9, 8, 7, 6, 5, 4), (25, 22, 20, 14, 9, 6, 4))[0])


def links_and_scores(region: Region) -> None:
    """Each live event placed in the region's course (LMS link 2, 3, …), a gradebook column for
    every graded one (LMS line item 1, 2, …), and each graded participant's delivered score."""
    b, iss = region.bulk, region.issuer
    live = [e for e in region.events if not e["cancelled"]]
    link_ids = b.ids("lti_resource_link", len(live))
    links, items, outbox = [], [], []
    graded = [e for e in live if e.get("scores")]
    item_ids = dict(zip((e["id"] for e in graded), b.ids("lti_line_item", len(graded))))
    column = 0
    for n, (link_id, e) in enumerate(zip(link_ids, live), 2):
        created = region.past(e["days"][0] - timedelta(days=14), 10)
        links.append((link_id, region.course_id, str(n), e["title"][:255], "event", e["id"], created))
        maximum = 1.0 if e["form"] in PASS_FAIL else 10.0
        lineitem = None
        if e["id"] in item_ids:
            column += 1
            url = f"{iss}/api/courses/{lms.COURSE_ID}/lineitems/{column}"
            items.append((item_ids[e["id"]], region.course_id, link_id, f"event:{e['id']}", "participation",
                          e["title"][:255], maximum, url, created))
            lineitem = {"label": e["title"][:255], "scoreMaximum": maximum, "resourceId": f"event:{e['id']}",
                        "tag": "participation", "id": column}
            for participant_id, (mean, done, when) in e["scores"].items():
                outbox.append((region.network_id, region.course_id, item_ids[e["id"]],
                               _person(e, participant_id)["user_id"],
                               f"event_participant:{participant_id}", mean if mean is not None else 0.0, maximum,
                               "Completed" if done else "InProgress", "FullyGraded", when, "delivered", 1, when, None,
                               when + timedelta(seconds=3), when))
        region.lms_links.append({"link_id": str(n), "title": e["title"][:255],
                                 "custom": {"tutornet_kind": "event", "tutornet_id": str(e["id"])},
                                 "lineitem": lineitem})
    b.insert("lti_resource_link", ("id", "course_id", "lti_resource_link_id", "title", "target_kind", "target_id",
                                   "created_at"), links)
    b.insert("lti_line_item", ("id", "course_id", "resource_link_id", "resource_id", "tag", "label", "score_maximum",
                               "url", "created_at"), items)
    b.insert("score_outbox", OUTBOX_COLUMNS, outbox)
