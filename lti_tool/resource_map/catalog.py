"""Fixed vocabularies of the domain: forms of support (§3.5) and the seed topics (domain.md)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Forms of work in their usual progression: a consultation before a tutorial before an internship.
FORMS: dict[str, object] = {
    "consultation": _l("Consultation"),
    "tutorial": _l("Tutorial"),
    "master_class": _l("Master class"),
    "immersion_seminar": _l("Immersion seminar"),
    "open_demo": _l("Open demonstration of teaching"),
    "problem_group": _l("Problem-creative group meeting"),
    "training": _l("Training"),
    "expert_review": _l("Expert review of teaching practice"),
    "open_day": _l("Open day"),
    "internship": _l("Internship site"),
}

# The Russian names a methodist sees in files (import/export) — the same as the ru catalogue.
FORM_NAMES_RU: dict[str, str] = {
    "consultation": "Консультация",
    "tutorial": "Тьюториал",
    "master_class": "Мастер-класс",
    "immersion_seminar": "Семинар-погружение",
    "open_demo": "Открытый показ образовательного процесса",
    "problem_group": "Заседание проблемно-творческой группы",
    "training": "Тренинг",
    "expert_review": "Экспертиза педагогической деятельности",
    "open_day": "День открытых дверей",
    "internship": "Стажировочная площадка",
}

SEED_TOPICS_RU: tuple[str, ...] = (
    "Математическое развитие дошкольников",
    "Экологическое воспитание",
    "Раннее обучение английскому языку",
    "ИКТ в работе с дошкольниками",
    "Проектирование педагогических проектов и программ",
    "Театрализованная и досуговая деятельность",
    "Развитие творческих способностей",
    "Нравственно-патриотическое воспитание",
    "Духовно-нравственное воспитание",
    "Планирование и анализ НОД",
    "Взаимодействие с семьями воспитанников",
    "Игровая деятельность",
    "Познавательно-исследовательская деятельность",
    "Развивающая предметно-пространственная среда (РППС)",
    "Развитие речи",
    "Музейная педагогика",
    "Двигательная активность",
    "Совместная деятельность детей и взрослых",
    "Психолого-педагогическое сопровождение раннего развития",
    "Эстетическое отношение к миру",
    "Поддержка детской инициативы и самостоятельности",
)

DELIVERY = {"in_person": _l("In person"), "online": _l("Online"), "mixed": _l("Mixed")}

ORGANIZATION_KINDS = {
    "kindergarten": _l("Kindergarten"),
    "school": _l("School"),
    "methodological_centre": _l("Methodological centre"),
    "other": _l("Other"),
}


def form_label(code: str) -> str:
    """The translated name of a form code (the code itself if unknown)."""
    return str(FORMS.get(code, code))
