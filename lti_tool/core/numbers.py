"""Numbers and names as a reader of the locale expects them: one helper for pages, charts, XLSX, DOCX.

Russian paperwork writes 2,48 and 90,4 %, groups thousands with a non-breaking space (12 345) and
files «МАДОУ № 2» before «МАДОУ № 11». Babel (CLDR) knows the symbols and patterns of each locale;
this module only chooses the number of decimals. No Flask here: the worker and the document
builders pass the locale explicitly, the Jinja filters (`lti_tool/web/pages.py`) pass the request's.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from babel import Locale
from babel.numbers import format_decimal, format_percent

T = TypeVar("T")
DEFAULT_LOCALE = "ru"
_NATURAL = re.compile(r"(\d+)")
_INTEGER = re.compile(r"#,##0(?:\.[0#]*)?")


def _pattern(base: str, places: int, fixed: bool) -> str:
    """A CLDR number pattern with `places` decimals (fixed: always shown; else up to `places`)."""
    digits = "." + ("0" if fixed else "#") * places if places > 0 else ""
    return _INTEGER.sub("#,##0" + digits, base, count=1)


def number(value: float | int | None, locale: str = DEFAULT_LOCALE, places: int = 2, *,
           fixed: bool = False, empty: str = "—") -> str:
    """12 345,68 / 8,5 / 3 — grouped, up to `places` decimals (all of them when `fixed`)."""
    if value is None:
        return empty
    base = Locale.parse(locale).decimal_formats[None].pattern
    return format_decimal(value, format=_pattern(base, places, fixed), locale=locale)


def percent(share: float | None, locale: str = DEFAULT_LOCALE, places: int = 0, *, empty: str = "—") -> str:
    """A share 0..1 as «90,4 %» (ru, with the non-breaking space of CLDR) or «90.4%» (en)."""
    if share is None:
        return empty
    base = Locale.parse(locale).percent_formats[None].pattern
    return format_percent(share, format=_pattern(base, places, False), locale=locale)


def xlsx_format(places: int = 0, *, percent: bool = False) -> str:
    """The cell number format: Excel shows it in the reader's own locale (comma, spaces)."""
    body = "#,##0" + ("." + "0" * places if places > 0 else "")
    return body + "%" if percent else body


def natural_key(text: str | None) -> tuple:
    """Sort key that compares runs of digits as numbers: «№ 2» < «№ 11», case- and ё-insensitive."""
    parts = _NATURAL.split((text or "").casefold().replace("ё", "е"))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.strip()) for p in parts if p != "")


def natural_sorted(items: Iterable[T], key: Callable[[T], str | None] = lambda x: x) -> list[T]:
    """`items` in natural order of `key(item)` (names with numbers as a person files them)."""
    return sorted(items, key=lambda item: natural_key(key(item)))
