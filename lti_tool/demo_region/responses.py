"""The year's surveys: the needs assessment and the two self-assessment runs, with answers.

The surveys are the tool's own Russian templates. Answers follow each person's hard topics: a
high need and a low competence there, low needs on the topics of the other kind of organization;
the later self-assessment run shows growth. Answers are streamed with COPY, then each survey's
tally is rebuilt by the tally's own statements, as after a bulk import.
"""
from __future__ import annotations

import zlib
from datetime import timedelta

from . import parts
from .context import Region, at
from .people import cluster_of
from .vocabulary import WISHES

ANSWER_COLUMNS = ("response_id", "question_id", "option_id", "topic_id", "rating", "number", "text")
RESPONSE_COLUMNS = ("id", "survey_id", "person_id", "status", "submitted_at", "organization_id", "cluster_id", "role")


def surveys(region: Region) -> None:
    """Create the three surveys, their responses, answers and tallies."""
    session, rng = region.bulk.session, region.rng("surveys")
    start, today = region.year_start, region.today
    needs = parts.templates_ru.needs_assessment(session, region.network_id, region.year_id)
    first = parts.templates_ru.self_assessment(session, region.network_id, region.year_id, stage="start")
    second = parts.templates_ru.self_assessment(session, region.network_id, region.year_id, stage="end")
    needs_closes = at(start + timedelta(days=30))
    for survey, opened, closes, status in (
            (needs, start + timedelta(days=4), needs_closes, "closed" if region.now >= needs_closes else "open"),
            (first, start + timedelta(days=10), at(start + timedelta(days=40)), "closed"),
            (second, max(start + timedelta(days=41), today - timedelta(days=21)), None, "open")):
        survey.status, survey.opens_at, survey.closes_at = status, at(opened, 6), closes
        survey.created_at = survey.updated_at = region.past(opened - timedelta(days=3))
    session.flush()
    people = region.people
    teachers_first = [p for p in people if p["kind"] == "teacher"] + [p for p in people if p["kind"] == "tutor"]
    needs_people = teachers_first[:region.sizes.needs_responses]
    panel = rng.sample(teachers_first, k=min(region.sizes.self_assessment_start, len(teachers_first)))
    later = panel[:region.sizes.self_assessment_end]
    clusters = cluster_of(region)
    audience = {t: a for t, _n, a in region.topics}
    levels = _levels(region, audience)
    _respond(region, needs, needs_people, clusters, (start + timedelta(days=4), 26),
             lambda p, t: _need(rng, region, audience, p, t))
    _respond(region, first, panel, clusters, (start + timedelta(days=10), 25), lambda p, t: levels(p, t, 0))
    _respond(region, second, later, clusters, (max(start + timedelta(days=41), today - timedelta(days=21)), 20),
             lambda p, t: levels(p, t, 1))
    for survey in (needs, first, second):
        parts.tally.rebuild(session, survey)
    region.surveys = {"needs": needs.id, "start": first.id, "end": second.id}


def _respond(region: Region, survey, respondents: list[dict], clusters: dict, window: tuple, rating) -> None:
    """One response per respondent, submitted within `window` (first day, days), and its answers."""
    answer = _Answerer(region, region.rng(f"answers:{survey.id}"), rating)
    questions = [q for section in survey.sections for q in section.questions]
    ids = region.bulk.ids("survey_response", len(respondents))
    first_day, days = window
    elapsed = max(1, min(days, (region.today - first_day).days))
    responses = []
    for response_id, p in zip(ids, respondents):
        day = first_day + timedelta(days=answer.rng.randrange(elapsed))
        responses.append((response_id, survey.id, p["id"], "submitted", region.past(day, answer.rng.randint(8, 21)),
                          p["org"], clusters.get(p["id"]), "tutor" if p["kind"] == "tutor" else "teacher"))
    region.bulk.insert("survey_response", RESPONSE_COLUMNS, responses)
    region.bulk.insert("survey_answer", ANSWER_COLUMNS,
                       (row for response_id, p in zip(ids, respondents) for q in questions
                        for row in answer(q, p, response_id)))


class _Answerer:
    """Answer rows of one question for one person (tuples in ANSWER_COLUMNS order)."""

    def __init__(self, region: Region, rng, rating):
        self.region, self.rng, self.rating = region, rng, rating
        self.topics = [t for t, _n, _a in region.topics]
        self.org_names = {o[0]: o[3] for o in region.organizations}

    def __call__(self, q, p: dict, response_id: int):
        qid, rng = q.id, self.rng
        if q.type == "topic_matrix":
            for t in self.topics:
                yield response_id, qid, None, t, self.rating(p, t), None, None
        elif q.type == "likert":
            yield response_id, qid, None, None, self.rating(p, q.code), None, None
        elif q.type == "number":
            yield response_id, qid, None, None, None, float(p["experience"]), None
        elif q.type == "short_text":
            yield response_id, qid, None, None, None, None, self.org_names[p["org"]]
        elif q.type == "long_text":
            if rng.random() < 0.3:
                yield response_id, qid, None, None, None, None, rng.choice(WISHES)
        elif q.type == "single":
            option = _position_option(q, p) if q.code == "position" else rng.choice(q.options)
            yield response_id, qid, option.id, None, None, None, None
        elif q.type == "multiple":
            hard = self.region.hard_topics[p["id"]]
            weights = [4 if o.topic_id in hard else 1 for o in q.options]
            for option_id in sorted({rng.choices(q.options, weights)[0].id for _ in range(rng.randint(1, 3))}):
                yield response_id, qid, option_id, None, None, None, None


def _position_option(q, p: dict):
    """The template's position option closest to the person's position."""
    wanted = p["position"].split()[0].casefold()
    return next((o for o in q.options if o.text.casefold().startswith(wanted)), q.options[-1])


def _mine(p: dict) -> tuple[str, str]:
    """The topic audiences that concern a person."""
    return ("school" if p["org_kind"] == "school" else "preschool"), "any"


def _need(rng, region: Region, audience: dict[int, str], p: dict, key) -> int:
    """A need rating 1..5: high on hard topics, low elsewhere, lowest on the other kind's topics."""
    if not isinstance(key, int):  # the likert "readiness for self-education"
        return rng.choice((3, 4, 4, 5))
    if key in region.hard_topics[p["id"]]:
        return rng.choice((4, 5, 5))
    return rng.choice((1, 2, 2, 3)) if audience[key] in _mine(p) else rng.choice((1, 1, 1, 2))


def _levels(region: Region, audience: dict[int, str]):
    """Competence levels 1..5 per (person, topic or competence code), stable across both runs
    (a checksum, not a random stream, so the runs agree); the second run adds growth, most of it
    on the topics the person struggled with."""
    def level(p: dict, key, run: int) -> int:
        h = zlib.crc32(f"{region.seed}:{p['id']}:{key}".encode())
        if isinstance(key, int) and key in region.hard_topics[p["id"]]:
            base, growth = (1, 2, 2)[h % 3], (0, 1, 1, 2)[(h >> 8) % 4]
        elif isinstance(key, int) and audience[key] not in _mine(p):
            base, growth = (1, 1, 2)[h % 3], 0
        else:
            base, growth = (2, 3, 3, 4)[h % 4], (0, 0, 1)[(h >> 8) % 3]
        return min(5, base + growth * run)
    return level
