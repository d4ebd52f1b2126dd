"""The spreadsheet layout of the map, shared by export and import: sheet names, columns, values.

Headers and values are Russian, as methodists keep the map; a file exported from one year imports
into another unchanged. Each data sheet may carry a title row above the header row.
"""
from __future__ import annotations

from datetime import date, datetime

from .catalog import FORM_NAMES_RU

SHEETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "organizations": ("Организации", ("Название", "Тип", "Номер", "Муниципалитет", "Адрес", "Широта",
                                      "Долгота")),
    "people": ("Тьюторы", ("ФИО", "Email", "Организация", "Должность", "Тьютор", "Стаж, лет")),
    "clusters": ("Кластеры", ("Название", "Тема", "Координатор", "Организации", "Участники", "Описание")),
    "sites": ("Стажировочные площадки", ("Организация", "Тема", "Статус")),
    "offerings": ("Предложения", ("Тема", "Форма", "Тип поставщика", "Поставщик", "Email поставщика",
                                  "Название", "Описание", "Вместимость", "Расписание", "Начало", "Окончание",
                                  "Формат")),
}
MATRIX_SHEET = "Матрица"
IMPORT_ORDER = ("organizations", "people", "clusters", "sites", "offerings")
LIST_SEPARATOR = ";"

KIND_NAMES_RU = {"kindergarten": "Детский сад", "school": "Школа",
                 "methodological_centre": "Методический центр", "other": "Другое"}
PROVIDER_NAMES_RU = {"person": "Тьютор", "organization": "Организация", "cluster": "Кластер",
                     "internship_site": "Стажировочная площадка"}
DELIVERY_NAMES_RU = {"in_person": "Очно", "online": "Онлайн", "mixed": "Смешанный"}
STATUS_NAMES_RU = {"applied": "Заявка", "active": "Действует", "closed": "Закрыта"}
YES, NO = "да", "нет"


def year_title(title: str) -> str:
    """The workbook's title, e.g. "МРКМП на 2025/2026 учебный год"."""
    return f"МРКМП на {title} учебный год"


def _norm(text) -> str:
    return " ".join(str(text or "").casefold().replace("ё", "е").split())


def code_for(mapping: dict[str, str], value) -> str | None:
    """The code whose Russian name (or the code itself) is `value`, case-insensitively."""
    wanted = _norm(value)
    for code, name in mapping.items():
        if wanted in (_norm(name), _norm(code)):
            return code
    return None


def form_code(value) -> str | None:
    """A form code from its Russian name."""
    return code_for(FORM_NAMES_RU, value)


def cell_text(value) -> str:
    """A cell as trimmed text (numbers without a spurious .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def parse_date(value) -> date | None:
    """dd.mm.yyyy, yyyy-mm-dd or a spreadsheet date; ValueError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_int(value) -> int | None:
    """An integer cell; ValueError for text or fractions."""
    if value in (None, ""):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    return int(str(value).strip())


def parse_float(value) -> float | None:
    """A decimal cell, accepting a comma as decimal separator."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).strip().replace(",", "."))


def split_list(value) -> list[str]:
    """Items of a "a; b; c" cell."""
    return [item.strip() for item in cell_text(value).split(LIST_SEPARATOR) if item.strip()]
