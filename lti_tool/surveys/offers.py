"""The resources survey feeds the resource map: each answered "offer" section is a proposed entry.

A resources survey (kind `resource`, templates_ru.resource_survey) has sections of questions coded
`offer<n>_topic` (a topic option, or "other" text), `offer<n>_form` (an option whose value is a
form code), `offer<n>_title` and `offer<n>_description`. `record` (called by `answering.submit` in
the same transaction) turns a named response's filled sections into `SurveyOffer` rows linked to
the person; the methodist accepts one into the map (`accept`: an `Offering` with the person as its
provider) or declines it. Anonymous responses name nobody, so they propose nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.clock import utcnow
from ..core.reference import Person
from ..resource_map.catalog import FORMS
from ..resource_map.map_entries import save_offering
from .errors import SurveyError
from .models import Survey, SurveyOffer, SurveyOption, SurveyQuestion, SurveyResponse

OFFER_CODE = re.compile(r"^offer(\d+)_(topic|form|title|description)$")
PAGE_SIZE = 50


def record(session: Session, survey: Survey, response: SurveyResponse, answers: list[dict]) -> list[SurveyOffer]:
    """Replace the response's proposed offers by those its answers make (accepted/declined ones stay)."""
    if survey.kind != "resource" or survey.anonymous or response.person_id is None:
        return []
    questions = {q.id: q for section in survey.sections for q in section.questions}
    options = {o.id: o for q in questions.values() for o in q.options}
    fields: dict[int, dict] = {}
    for answer in answers:
        match = OFFER_CODE.match(questions[answer["question_id"]].code or "")
        if match:
            _take(fields.setdefault(int(match[1]), {}), match[2], answer, options)
    decided = set(session.scalars(sa.select(SurveyOffer.position).where(
        SurveyOffer.response_id == response.id, SurveyOffer.status != "proposed")))
    session.execute(sa.delete(SurveyOffer).where(SurveyOffer.response_id == response.id,
                                                 SurveyOffer.status == "proposed"))
    offers = [SurveyOffer(network_id=survey.network_id, survey_id=survey.id, response_id=response.id,
                          person_id=response.person_id, position=n, **values)
              for n, values in sorted(fields.items())
              if n not in decided and (values.get("topic_id") or values.get("topic_text") or values.get("title"))]
    session.add_all(offers)
    session.flush()
    return offers


def _take(values: dict, field: str, answer: dict, options: dict[int, SurveyOption]) -> None:
    option = options.get(answer.get("option_id"))
    text = (answer.get("text") or "").strip() or None
    if field == "topic":
        if option is not None and option.topic_id:
            values["topic_id"] = option.topic_id
        else:
            values["topic_text"] = option.text if option is not None else text
    elif field == "form":
        code = option.value if option is not None else None
        if code in FORMS:
            values["form"] = code
    else:
        values[field] = text


@dataclass
class OfferPage:
    """One page of offers in a status, with the number in every status."""

    items: list[SurveyOffer]
    page: int
    pages: int
    counts: dict[str, int]


def list_offers(session: Session, network_id: int, status: str = "proposed", page: int = 1) -> OfferPage:
    """Offers of the network in a status, newest first, a page at a time (four queries)."""
    counts = dict(session.execute(sa.select(SurveyOffer.status, sa.func.count()).where(
        SurveyOffer.network_id == network_id).group_by(SurveyOffer.status)).all())
    total = counts.get(status, 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    items = list(session.scalars(
        sa.select(SurveyOffer).where(SurveyOffer.network_id == network_id, SurveyOffer.status == status)
        .options(selectinload(SurveyOffer.person).selectinload(Person.organization),
                 selectinload(SurveyOffer.topic), selectinload(SurveyOffer.survey))
        .order_by(SurveyOffer.created_at.desc(), SurveyOffer.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return OfferPage(items, page, pages, {s: counts.get(s, 0) for s in ("proposed", "accepted", "declined")})


def accept(session: Session, offer: SurveyOffer, user_id: int | None, *, year_id: int, topic_id: int, form: str,
           title: str | None = None, description: str | None = None, capacity: int | None = None,
           starts_on: date | None = None, ends_on: date | None = None, delivery: str = "in_person"):
    """Put the offer on the map for a year (the methodist may correct topic, form and wording).

    Raises SurveyError("decided") once accepted or declined; the map's ValidationError for bad values.
    """
    _claim(session, offer, "accepted", user_id)
    offering = save_offering(session, offer.network_id, year_id=year_id, topic_id=topic_id, form=form,
                             provider_kind="person", provider_id=offer.person_id, title=title or offer.title,
                             description=description if description is not None else offer.description,
                             capacity=capacity, starts_on=starts_on, ends_on=ends_on, delivery=delivery)
    offer.offering_id = offering.id
    session.flush()
    return offering


def decline(session: Session, offer: SurveyOffer, user_id: int | None) -> None:
    """Leave the offer off the map (it stays listed under "declined")."""
    _claim(session, offer, "declined", user_id)


def _claim(session: Session, offer: SurveyOffer, status: str, user_id: int | None) -> None:
    """Only a proposed offer is decided, once: a conditional UPDATE, so two methodists cannot both
    (a failure after it rolls back with the view's transaction)."""
    claimed = session.execute(sa.update(SurveyOffer).where(SurveyOffer.id == offer.id,
                                                           SurveyOffer.status == "proposed")
                              .values(status=status, decided_by_id=user_id, decided_at=utcnow())
                              .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise SurveyError("decided")
    session.refresh(offer)


def offer_questions(survey: Survey) -> list[SurveyQuestion]:
    """The survey's "offer" questions (what the builder must keep for offers to reach the map)."""
    return [q for section in survey.sections for q in section.questions if OFFER_CODE.match(q.code or "")]
