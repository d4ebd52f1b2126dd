"""The one writer of XLSX cells for every export: text stays text, control characters go.

Names, notes and titles come from LTI claims and forms. openpyxl stores a string that starts with
"=" as a formula (a name `=HYPERLINK(…)` becomes a link that sends the sheet's data away when
clicked) and one that reads like an error code (`#N/A`) as an error, and it raises on control
characters, which then broke the export for everyone. Here every string is a text cell, cleaned
of the characters XML 1.0 cannot carry, and marked with Excel's quote prefix when it starts like a
formula, so editing the cell keeps it text. Numbers, dates and booleans stay what they are.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from .numbers import xlsx_format

# Characters XML 1.0 forbids (openpyxl raises on them): C0 controls but tab, newline and return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What makes a spreadsheet read a typed-in value as a formula (or a DDE call).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\ufe62", "\uff0b", "\ufe63", "\uff0d")
MAX_CELL_TEXT = 32767  # Excel's limit per cell
BOLD = Font(bold=True)


def clean_text(value: str) -> str:
    """`value` without control characters, cut to what one cell holds."""
    return CONTROL.sub("", value)[:MAX_CELL_TEXT]


def set_value(cell: Cell, value) -> Cell:
    """Put `value` into `cell`; a string becomes a text cell whatever it starts with."""
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.data_type = "s"  # never a formula ("=…") nor an error code ("#N/A")
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def number_cell(ws, value: float | int | None, places: int = 0, *, percent: bool = False) -> WriteOnlyCell:
    """A number cell with a display format (Excel writes it in the reader's locale: 2,48; 90,4 %)."""
    cell = WriteOnlyCell(ws, value=value)
    if value is not None:
        cell.number_format = xlsx_format(places, percent=percent)
    return cell


def append_row(ws, values: Iterable, *, bold: bool = False) -> list[Cell]:
    """Append a row to a worksheet (normal or write-only), every value through `set_value`."""
    # A ready cell (`number_cell`: a number with its display format) goes in as it is.
    cells = [value if isinstance(value, Cell) else set_value(WriteOnlyCell(ws), value) for value in values]
    if bold:
        for cell in cells:
            cell.font = BOLD
    ws.append(cells)
    return cells


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook for an export (write-only for large streamed sheets)."""
    return Workbook(write_only=write_only)


def to_bytes(wb: Workbook) -> bytes:
    """The .xlsx file of `wb`."""
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
