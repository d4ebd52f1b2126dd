"""Surveys: questionnaires with sections and questions, responses, answers, drafts.

Anonymity: in an anonymous survey `SurveyResponse.person_id` is NULL and its `submitted_at` is
kept to the day only; the one-response-per-person rule is enforced by `SurveyParticipation`, a
row (survey, person) with no id, no timestamp and no reference to the response, so nothing in
the database says which response is whose. Unsubmitted answers live in `SurveyDraft` (keyed by
person, needed to resume after an expired session) and are deleted in the transaction that
submits them. See docs/surveys.md.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base
from ..core.reference import Organization, Person, Topic
from ..resource_map.models import Cluster

KINDS = ("needs", "self_assessment", "resource", "other")
# Who a new survey of each kind asks (tool roles); the methodist narrows or widens it in the builder.
# The competence self-assessment is the teachers' own (the start/end dynamics of tutees); needs and
# resources are asked of tutors too.
DEFAULT_AUDIENCE = {"needs": ["teacher", "tutor"], "self_assessment": ["teacher"],
                    "resource": ["teacher", "tutor"], "other": ["teacher", "tutor"]}

survey_audience_organization = sa.Table(
    "survey_audience_organization",
    Base.metadata,
    sa.Column("survey_id", sa.ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organization.id"), primary_key=True),
)

survey_audience_cluster = sa.Table(
    "survey_audience_cluster",
    Base.metadata,
    sa.Column("survey_id", sa.ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("cluster_id", sa.ForeignKey("cluster.id"), primary_key=True),
)
STATUSES = ("draft", "open", "closed")
QUESTION_TYPES = ("single", "multiple", "likert", "topic_matrix", "number", "short_text", "long_text")
CHOICE_TYPES = ("single", "multiple")
SCALE_TYPES = ("likert", "topic_matrix")
TEXT_TYPES = ("short_text", "long_text")
SCALE_MIN, SCALE_MAX = 1, 5


class Survey(Base):
    """A questionnaire of a network; a new `version` (with `parent_id`) after structural edits.

    Its audience (`audience.py`): people holding one of `audience_roles` (staff roles dominate,
    see `core.member_roles.audience_roles`) and, when organizations or clusters are chosen, working
    in one of them or belonging to one of the clusters. The response rate divides by the audience.
    """

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    year_id: Mapped[int | None] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(32), default="needs")  # one of KINDS
    anonymous: Mapped[bool] = mapped_column(default=False)
    allow_edit_until_close: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")  # one of STATUSES
    version: Mapped[int] = mapped_column(default=1)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id"))
    audience_roles: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["teacher", "tutor"])
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    audience_organizations: Mapped[list[Organization]] = relationship(
        secondary=survey_audience_organization, order_by="Organization.name")
    audience_clusters: Mapped[list[Cluster]] = relationship(secondary=survey_audience_cluster,
                                                            order_by="Cluster.name")
    sections: Mapped[list[SurveySection]] = relationship(
        back_populates="survey", order_by="SurveySection.position", cascade="all, delete-orphan")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", viewonly=True)


class SurveySection(Base):
    """A titled group of questions, shown in `position` order."""

    __tablename__ = "survey_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="section", order_by="SurveyQuestion.position", cascade="all, delete-orphan")


class SurveyQuestion(Base):
    """A question of a section; `topic_id` tags a need/competence question with a topic.

    `code` is a stable key kept by copies and versions, so two runs of a self-assessment pair
    their questions by it.
    """

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_section.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(sa.String(16))  # one of QUESTION_TYPES
    text: Mapped[str] = mapped_column(sa.Text)
    help_text: Mapped[str | None] = mapped_column(sa.Text)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str | None] = mapped_column(sa.String(64))
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"))
    min_value: Mapped[float | None]  # number questions
    max_value: Mapped[float | None]
    scale_min_label: Mapped[str | None] = mapped_column(sa.String(255))  # likert / matrix ends
    scale_max_label: Mapped[str | None] = mapped_column(sa.String(255))
    allow_other: Mapped[bool] = mapped_column(default=False)  # "other, please specify"

    survey: Mapped[Survey] = relationship(back_populates="questions", viewonly=True)
    section: Mapped[SurveySection] = relationship(back_populates="questions")
    options: Mapped[list[SurveyOption]] = relationship(
        back_populates="question", order_by="SurveyOption.position", cascade="all, delete-orphan")


class SurveyOption(Base):
    """A choice of a single/multiple question; `topic_id` + `need_weight` feed the needs profile."""

    __tablename__ = "survey_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(512))
    value: Mapped[str | None] = mapped_column(sa.String(64))  # a machine code, e.g. a FORMS code
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"))
    need_weight: Mapped[float | None]  # 0..1; None = 1 when a topic is tagged
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[SurveyQuestion] = relationship(back_populates="options")


class SurveyResponse(Base):
    """A submitted response; named: `person_id` set and unique per survey; anonymous: NULL."""

    __tablename__ = "survey_response"
    __table_args__ = (sa.UniqueConstraint("survey_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted")  # submitted only, see docs
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Snapshots for the report's filters; anonymous responses keep the organization only.
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cluster.id"))
    role: Mapped[str | None] = mapped_column(sa.String(16))  # teacher | tutor

    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(Base):
    """One value: a chosen option (or other text), a rating (likert, matrix cell), a number or text."""

    __tablename__ = "survey_answer"
    # Covers the report's GROUP BYs (index-only scans) and the per-question respondent counts.
    # Two covering indexes for the report: by question (distributions, index-only GROUP BYs) and by
    # response (per-organization ranking, a response's answers).
    __table_args__ = (
        sa.Index("ix_survey_answer_question_values", "question_id", "option_id", "topic_id", "rating", "number",
                 "response_id"),
        sa.Index("ix_survey_answer_response_values", "response_id", "question_id", "option_id", "topic_id", "rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id"))
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_option.id"))
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"))
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(sa.Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyParticipation(Base):
    """That a person has answered an anonymous survey — deliberately nothing about which response."""

    __tablename__ = "survey_participation"
    __table_args__ = {"sqlite_with_rowid": False}  # no hidden insertion-ordered rowid to correlate

    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), primary_key=True)


class SurveyDraft(Base):
    """The raw form values of an unsubmitted response, kept server-side (deleted at submit)."""

    __tablename__ = "survey_draft"
    __table_args__ = (sa.UniqueConstraint("survey_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    values: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SurveyTally(Base):
    """How many answers fall in each report bucket, per filter group, kept up to date by `submit`.

    The analytical report sums these rows instead of scanning every answer (see `tally.py`).
    A group is the response's snapshot (organization, cluster, role; 0 / "" = none), so every
    report filter is a WHERE on the key. `item`: "o" a chosen option, "x" an "other" text,
    "p" a respondent of a multiple-choice question, "r" a rating (likert or matrix cell with
    `topic_id`), "n" a number (`value`), "t" a free-text answer. No person, no response id, no time.
    """

    __tablename__ = "survey_tally"
    __table_args__ = {"sqlite_with_rowid": False}  # the rows clustered by survey: one range read

    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    organization_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    cluster_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    item: Mapped[str] = mapped_column(sa.String(1), primary_key=True)
    option_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    topic_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[float] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(default=0)


OFFER_STATUSES = ("proposed", "accepted", "declined")


class SurveyOffer(Base):
    """What a respondent of a resources survey offers colleagues: a proposed entry of the resource map.

    Written by `submit` from the response's "offer" sections (offers.py); the methodist accepts it
    (an `Offering` with the person as provider, `offering_id`) or declines it. A changed response
    replaces its offers that are still proposed.
    """

    __tablename__ = "survey_offer"
    __table_args__ = (sa.UniqueConstraint("response_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_response.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)  # the n of the "offer<n>_…" questions
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"))
    topic_text: Mapped[str | None] = mapped_column(sa.String(500))  # "other" topic, typed by the teacher
    form: Mapped[str | None] = mapped_column(sa.String(32))  # a code of resource_map.catalog.FORMS
    title: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="proposed", index=True)
    offering_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offering.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship()
    person: Mapped[Person] = relationship()
    topic: Mapped[Topic | None] = relationship()
