"""Ready Russian surveys: the needs assessment (domain.md), the competence self-assessment and the
professional resources survey.

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
# The answer the "Tutor" status candidates are found by (candidates.py): values, not wording.
READY_TO_TUTOR = (("Да", {"value": "yes"}), ("Возможно, в будущем", {"value": "later"}), ("Нет", {"value": "no"}))
EDUCATION = ("Высшее педагогическое", "Высшее непедагогическое", "Среднее профессиональное педагогическое", "Другое")
PUBLIC_WORK = ("Открытые показы образовательной деятельности", "Выступления на семинарах и конференциях",
               "Мастер-классы для коллег", "Публикации", "Участие в сетевых проектах нескольких организаций",
               "Наставничество молодых педагогов")
OFFERS = 2  # sections "Предложение 1", "Предложение 2": each one becomes a proposed entry of the map
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
              READY_TO_TUTOR, code="ready_to_tutor")
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


def resource_survey(session: Session, network_id: int, year_id: int | None = None,
                    title: str = "Анкета выявления профессиональных ресурсов педагогов") -> Survey:
    """The resources survey (Положение об АМСТ: "выявить профессиональные ресурсы педагогов"): what
    topic and form each teacher can offer colleagues, and her readiness to share experience.

    Each "offer" section (codes `offer<n>_topic`, `_form`, `_title`, `_description`) becomes a proposed
    offering of the resource map for the methodist to accept (offers.py); `ready_to_tutor` and the
    answers about experience are the evidence of the "Tutor" status candidates (candidates.py).
    """
    topics = sorted(_topics_by_name(session, network_id).items())
    survey = create_survey(session, network_id, title, "resource", year_id=year_id, description=(
        "Уважаемые коллеги! Расскажите, каким опытом вы готовы делиться: по какой теме и в какой форме "
        "вы можете провести мероприятие для коллег. После согласования с методистом ваши предложения "
        "войдут в муниципальную ресурсную карту методической поддержки (МРКМП) на учебный год."))
    about = _section(survey, "О себе")
    _question(about, survey, "short_text", "Образовательная организация (номер и название ДОО/ОУ)", code="organization",
              required=True)
    _question(about, survey, "single", "Ваша должность", POSITIONS, code="position", allow_other=True, required=True)
    _question(about, survey, "number", "Педагогический стаж (полных лет)", code="experience", min_value=0,
              max_value=60, required=True)
    _question(about, survey, "single", "Квалификационная категория", CATEGORIES, code="category")
    _question(about, survey, "single", "Образование", EDUCATION, code="education")
    ready = _section(survey, "Готовность делиться опытом")
    _question(ready, survey, "single", "Готовы ли вы делиться опытом с коллегами в роли тьютора?", READY_TO_TUTOR,
              code="ready_to_tutor", required=True)
    _question(ready, survey, "single", "Проходили ли вы повышение квалификации по тьюторскому сопровождению?",
              ("Да", "Нет"), code="tutor_training")
    _question(ready, survey, "multiple", "Какой опыт работы с коллегами у вас уже есть?", PUBLIC_WORK,
              code="public_experience", allow_other=True, help_text="Можно выбрать несколько вариантов.")
    for n in range(1, OFFERS + 1):
        offer = _section(survey, f"Предложение {n}" + (" (если есть)" if n > 1 else ""),
                         "Если вы можете провести мероприятие для коллег: тема, форма и о чём оно.")
        _question(offer, survey, "single", "Тематическое направление",
                  [(name, {"topic_id": topic_id}) for name, topic_id in topics], code=f"offer{n}_topic",
                  allow_other=True)
        _question(offer, survey, "single", "Форма работы",
                  [(FORM_NAMES_RU[code], {"value": code}) for code in FORMS], code=f"offer{n}_form")
        _question(offer, survey, "short_text", "Название мероприятия", code=f"offer{n}_title")
        _question(offer, survey, "long_text", "Кратко: содержание и результаты вашего опыта",
                  code=f"offer{n}_description")
    achievements = _section(survey, "Достижения")
    _question(achievements, survey, "long_text",
              "Ваши профессиональные достижения за последние три года (конкурсы, публикации, проекты)",
              code="achievements")
    session.flush()
    return survey


TEMPLATES = {"needs": needs_assessment, "self_assessment_start": self_assessment,
             "self_assessment_end": lambda s, n, y=None: self_assessment(s, n, y, stage="end"),
             "resource": resource_survey}


def _topics_by_name(session: Session, network_id: int) -> dict[str, int]:
    return dict(session.execute(sa.select(Topic.name, Topic.id).where(Topic.network_id == network_id,
                                                                       Topic.retired_at.is_(None))).all())
