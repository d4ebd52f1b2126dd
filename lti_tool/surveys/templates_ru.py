"""Ready Russian surveys: the needs assessment (domain.md) and the competence self-assessment.

Methodists start from these and edit them in the builder. Questions carry stable `code`s so that
the start-of-year and end-of-year self-assessments pair up, and the "difficulties" options are
tagged with the network's topics (matched by name) so they feed the needs profile.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Topic
from ..resource_map.catalog import FORM_NAMES_RU, FORMS
from .models import Survey, SurveyOption, SurveyQuestion, SurveySection
from .services import create_survey

NEED_ENDS = ("Помощь не нужна", "Очень нужна помощь")
COMPETENCE_ENDS = ("Низкий уровень", "Высокий уровень")

POSITIONS = ("Воспитатель", "Старший воспитатель", "Музыкальный руководитель", "Инструктор по физической культуре",
             "Учитель-логопед", "Педагог-психолог", "Учитель")
CATEGORIES = ("Без категории", "Соответствие занимаемой должности", "Первая категория", "Высшая категория")
# A typical difficulty → the seed topic it points at (domain.md).
DIFFICULTIES = (
    ("Планирование и анализ непосредственно образовательной деятельности", "Планирование и анализ НОД"),
    ("Взаимодействие с семьями воспитанников", "Взаимодействие с семьями воспитанников"),
    ("Организация развивающей предметно-пространственной среды", "Развивающая предметно-пространственная среда (РППС)"),
    ("Использование ИКТ в работе с детьми", "ИКТ в работе с дошкольниками"),
    ("Проектирование педагогических проектов и программ", "Проектирование педагогических проектов и программ"),
    ("Организация познавательно-исследовательской деятельности", "Познавательно-исследовательская деятельность"),
    ("Поддержка детской инициативы и самостоятельности", "Поддержка детской инициативы и самостоятельности"),
)
COMPETENCES = (
    ("comp_planning", "Планирую образовательную деятельность с учётом ФГОС ДО и возможностей детей"),
    ("comp_environment", "Создаю развивающую предметно-пространственную среду"),
    ("comp_families", "Выстраиваю партнёрское взаимодействие с семьями воспитанников"),
    ("comp_ict", "Использую ИКТ и цифровые образовательные ресурсы"),
    ("comp_projects", "Разрабатываю и реализую педагогические проекты"),
    ("comp_reflection", "Анализирую собственную педагогическую деятельность (рефлексия)"),
    ("comp_sharing", "Транслирую свой опыт коллегам (выступления, мастер-классы, публикации)"),
)


def _section(survey: Survey, title: str, description: str | None = None) -> SurveySection:
    section = survey.sections[0] if len(survey.sections) == 1 and not survey.sections[0].title else None
    if section is None:
        section = SurveySection(position=len(survey.sections))
        survey.sections.append(section)
    section.title, section.description = title, description
    return section


def _question(section: SurveySection, survey: Survey, qtype: str, text: str, options=(), **kw) -> SurveyQuestion:
    question = SurveyQuestion(survey_id=survey.id, type=qtype, text=text, position=len(section.questions), **kw)
    for i, option in enumerate(options):
        text, extra = (option, {}) if isinstance(option, str) else option
        question.options.append(SurveyOption(text=text, position=i, **extra))
    section.questions.append(question)
    return question


def needs_assessment(session: Session, network_id: int, year_id: int | None = None,
                     title: str = "Анкета выявления профессиональных потребностей и затруднений педагогов") -> Survey:
    """The needs assessment: about you, difficulties by topic, preferred support, wishes."""
    topics = _topics_by_name(session, network_id)
    survey = create_survey(session, network_id, title, "needs", year_id=year_id, description=(
        "Уважаемые коллеги! Ответы помогут сетевым тьюторам спланировать методическую поддержку "
        "и составить индивидуальные профессионально-образовательные маршруты (ИПОМ)."))
    about = _section(survey, "О себе")
    _question(about, survey, "short_text", "Образовательная организация (номер и название ДОО/ОУ)", code="organization",
              required=True)
    _question(about, survey, "single", "Ваша должность", POSITIONS, code="position", allow_other=True, required=True)
    _question(about, survey, "number", "Педагогический стаж (полных лет)", code="experience", min_value=0,
              max_value=60, required=True)
    _question(about, survey, "single", "Квалификационная категория", CATEGORIES, code="category")
    needs = _section(survey, "Профессиональные затруднения",
                     "Оцените, насколько вам нужна методическая помощь по каждому направлению.")
    _question(needs, survey, "topic_matrix", "Потребность в помощи по тематическим направлениям", code="topic_needs",
              scale_min_label=NEED_ENDS[0], scale_max_label=NEED_ENDS[1], required=True)
    _question(needs, survey, "multiple", "С какими затруднениями вы сталкиваетесь чаще всего?",
              [(text, {"topic_id": topics.get(topic)}) for text, topic in DIFFICULTIES], code="difficulties",
              allow_other=True, help_text="Можно выбрать несколько вариантов.")
    support = _section(survey, "Формы методической поддержки")
    _question(support, survey, "multiple", "Какие формы поддержки для вас наиболее полезны?",
              [(FORM_NAMES_RU[code], {"value": code}) for code in FORMS], code="forms", allow_other=True)
    _question(support, survey, "single", "Готовы ли вы делиться опытом с коллегами в роли тьютора?",
              ("Да", "Возможно, в будущем", "Нет"), code="ready_to_tutor")
    _question(support, survey, "likert", "Насколько вы готовы к самообразованию в этом учебном году?",
              code="self_education", scale_min_label="Не готов(а)", scale_max_label="Полностью готов(а)")
    wishes = _section(survey, "Пожелания")
    _question(wishes, survey, "long_text", "Ваши пожелания Ассоциации муниципальных сетевых тьюторов", code="wishes")
    session.flush()
    return survey


def self_assessment(session: Session, network_id: int, year_id: int | None = None, stage: str = "start") -> Survey:
    """The competence self-assessment, run at the start and at the end of the year (same codes)."""
    title = "Самооценка профессиональных компетенций педагога — " + (
        "начало учебного года" if stage == "start" else "конец учебного года")
    survey = create_survey(session, network_id, title, "self_assessment", year_id=year_id, description=(
        "Оцените уровень своих компетенций. Анкета повторяется в конце года, чтобы увидеть динамику."))
    competences = _section(survey, "Профессиональные компетенции")
    for code, text in COMPETENCES:
        _question(competences, survey, "likert", text, code=code, required=True,
                  scale_min_label=COMPETENCE_ENDS[0], scale_max_label=COMPETENCE_ENDS[1])
    topics = _section(survey, "Компетентность по тематическим направлениям")
    _question(topics, survey, "topic_matrix", "Оцените свою компетентность по каждому направлению",
              code="topic_competence", required=True,
              scale_min_label=COMPETENCE_ENDS[0], scale_max_label=COMPETENCE_ENDS[1])
    session.flush()
    return survey


TEMPLATES = {"needs": needs_assessment, "self_assessment_start": self_assessment,
             "self_assessment_end": lambda s, n, y=None: self_assessment(s, n, y, stage="end")}


def _topics_by_name(session: Session, network_id: int) -> dict[str, int]:
    return dict(session.execute(sa.select(Topic.name, Topic.id).where(Topic.network_id == network_id,
                                                                       Topic.retired_at.is_(None))).all())
