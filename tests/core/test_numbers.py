"""One number formatting for every output: decimal comma and non-breaking thousands in Russian."""
from __future__ import annotations

from lti_tool.core.numbers import natural_key, natural_sorted, number, percent, xlsx_format

NBSP = "\xa0"


def test_russian_numbers_use_a_decimal_comma_and_non_breaking_thousands():
    assert number(2.48, "ru") == "2,48"
    assert number(8.5, "ru") == "8,5"
    assert number(12345.678, "ru") == f"12{NBSP}345,68"
    assert number(797, "ru") == "797"
    assert number(2.5, "ru", 2, fixed=True) == "2,50"
    assert number(None, "ru") == "—"


def test_english_numbers_keep_the_point_and_comma_grouping():
    assert number(2.48, "en") == "2.48"
    assert number(12345.678, "en") == "12,345.68"


def test_percentages_follow_the_locale():
    assert percent(0.904, "ru", 1) == f"90,4{NBSP}%"
    assert percent(0.5, "ru") == f"50{NBSP}%"
    assert percent(0.904, "en", 1) == "90.4%"
    assert percent(None, "ru") == "—"


def test_xlsx_formats_leave_the_separators_to_the_reader():
    assert xlsx_format(0) == "#,##0"
    assert xlsx_format(2) == "#,##0.00"
    assert xlsx_format(1, percent=True) == "#,##0.0%"


def test_names_with_numbers_sort_as_a_person_files_them():
    names = ["МАДОУ № 11", "МАДОУ № 2", "МАДОУ № 135", "мадоу № 9", "Гимназия № 1", "МАДОУ № 2 корпус 10",
             "МАДОУ № 2 корпус 3"]
    assert natural_sorted(names) == ["Гимназия № 1", "МАДОУ № 2", "МАДОУ № 2 корпус 3", "МАДОУ № 2 корпус 10",
                                     "мадоу № 9", "МАДОУ № 11", "МАДОУ № 135"]
    assert natural_key("Ёлочка") == natural_key("елочка")
    rows = [(1, "ДОУ № 10"), (2, "ДОУ № 8")]
    assert [i for i, _ in natural_sorted(rows, lambda r: r[1])] == [2, 1]
