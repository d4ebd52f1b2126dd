"""Reading uploaded map files (XLSX workbooks or CSV tables) into plain rows per sheet kind.

The result is JSON-friendly text ({kind: [[row_number, {header: text}], …]}) so the preview can
be kept in the database between the upload and the confirmation.
"""
from __future__ import annotations

import csv
import io
import zipfile

from flask_babel import gettext as _
from openpyxl import load_workbook

from .formats import SHEETS, _norm, cell_text
from .services import ValidationError

HEADER_SEARCH_ROWS = 5


def _kind_of_sheet(name: str) -> str | None:
    return next((kind for kind, (sheet, _h) in SHEETS.items() if _norm(sheet) == _norm(name)), None)


def _kind_by_headers(cells: list) -> str | None:
    """The kind whose headers best match a row (at least its first header and half of them)."""
    found = {_norm(c) for c in cells if c not in (None, "")}
    best, best_score = None, 0
    for kind, (_sheet, headers) in SHEETS.items():
        score = sum(_norm(h) in found for h in headers)
        if _norm(headers[0]) in found and score * 2 >= len(headers) and score > best_score:
            best, best_score = kind, score
    return best


def _table(rows: list[tuple[int, list]], kind: str | None, where: str) -> tuple[str, list]:
    """Find the header row among the first rows, then map the data rows to {header: text}."""
    for index, (_n, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        detected = _kind_by_headers(cells)
        if detected and (kind is None or detected == kind):
            kind = detected
            break
    else:
        raise ValidationError(_("%(where)s: no header row with the expected columns was found.", where=where))
    expected = {_norm(h): h for h in SHEETS[kind][1]}
    columns = [expected.get(_norm(c)) for c in rows[index][1]]
    table = []
    for number, cells in rows[index + 1:]:
        values = {col: cell_text(v) for col, v in zip(columns, cells) if col}
        if any(values.values()):
            table.append([number, values])
    return kind, table


def read_xlsx(data: bytes) -> dict[str, list]:
    """Rows of every recognised sheet of a workbook (sheets named as in the export, or by headers)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationError(_("The file is not a readable XLSX workbook.")) from exc
    result: dict[str, list] = {}
    try:
        for ws in wb.worksheets:
            rows = [(n, list(cells)) for n, cells in enumerate(ws.iter_rows(values_only=True), start=1)]
            kind = _kind_of_sheet(ws.title)
            if kind is None and not any(_kind_by_headers(c) for _n, c in rows[:HEADER_SEARCH_ROWS]):
                continue  # the matrix and other sheets are for reading only
            kind, table = _table(rows, kind, _("Sheet «%(name)s»", name=ws.title))
            result.setdefault(kind, []).extend(table)
    finally:
        wb.close()
    if not result:
        raise ValidationError(_("The workbook has no sheet of organizations, tutors or offerings."))
    return result


def read_csv(data: bytes) -> dict[str, list]:
    """Rows of a CSV table (UTF-8 or Windows-1251, separated by ';', ',' or tabs)."""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The CSV file's encoding is not UTF-8 or Windows-1251."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for cells in reader:
        rows.append((reader.line_num, cells))
    kind, table = _table(rows, None, _("CSV file"))
    return {kind: table}


def read_upload(filename: str, data: bytes) -> dict[str, list]:
    """Rows per kind from an uploaded .xlsx or .csv file."""
    name = (filename or "").lower()
    if not data:
        raise ValidationError(_("The file is empty."))
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        return read_csv(data)
    raise ValidationError(_("Upload an .xlsx or .csv file."))
