"""A `Document` as DOCX (python-docx), on the network's letterhead template when it uploaded one.

Layout after ГОСТ Р 7.0.97: A4, margins 20/10/20/20 mm, Times New Roman 14 (12 in tables), the
organization and the document type centred at the top, date and number on one line, the heading
to the text in bold, signatures as «role — line — initials and surname». A letterhead template keeps
its headers, footers, styles and whatever its body holds; the document is appended after it.
"""
from __future__ import annotations

import io

from docx import Document as open_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask_babel import gettext as _

from ..core.workbook import CONTROL
from . import charts
from .model import Document, Figure, Heading, Items, Labelled, Narrative, Notes, Para, Signatures, Table

FONT = "Times New Roman"


def _t(value) -> str | None:
    """Text for a run: python-docx raises on control characters (one in a name broke every
    document that shows it, like finding 9 of issue 18 in the workbooks); core/workbook cleans."""
    return None if value is None else CONTROL.sub("", str(value))



BODY_PT, TABLE_PT, NOTE_PT = 14, 12, 11


def to_docx(doc: Document, template: bytes | None = None) -> bytes:
    """The .docx bytes of `doc` (on `template`, a letterhead .docx, when given)."""
    out = open_docx(io.BytesIO(template)) if template else open_docx()
    if not template:
        _page(out)
    _styles(out)
    _requisites(out, doc)
    for block in doc.blocks:
        _WRITERS[type(block)](out, block)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _page(out) -> None:
    for section in out.sections:
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.left_margin, section.right_margin = Mm(20), Mm(10)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)


def _styles(out) -> None:
    normal = out.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Cyrillic in Word takes this attribute too
    normal.paragraph_format.space_after = Pt(0)
    for name in ("Heading 1", "Heading 2"):
        style = out.styles[name]
        style.font.name, style.font.bold = FONT, True
        style.font.size = Pt(BODY_PT)
        style.font.color.rgb = None
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)


def _para(out, text: str = "", *, bold=False, italic=False, size=None, align=None, indent=False, style=None):
    p = out.add_paragraph(style=style)
    if text:
        run = p.add_run(_t(text))
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Mm(12.5)
    return p


def _requisites(out, doc: Document) -> None:
    r = doc.requisites
    _para(out, r.organization, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(out)
    _para(out, r.kind, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    line = out.add_paragraph()
    line.paragraph_format.tab_stops.add_tab_stop(Mm(180), WD_TAB_ALIGNMENT.RIGHT)
    line.add_run(_t(r.date_text))
    if r.number:
        line.add_run(_t(f"\t№ {r.number}"))
    if r.place:
        _para(out, r.place, align=WD_ALIGN_PARAGRAPH.CENTER)
    if r.subject:
        _para(out)
        _para(out, r.subject, bold=True)
    _para(out)


def _heading(out, block: Heading) -> None:
    out.add_heading(_t(block.text), level=min(max(block.level, 1), 2))


def _text(out, block: Para) -> None:
    if block.style == "note":
        _para(out, block.text, italic=True, size=NOTE_PT)
    else:
        for line in block.text.split("\n"):
            _para(out, line, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _labelled(out, block: Labelled) -> None:
    p = out.add_paragraph()
    p.add_run(_t(block.label.upper() + ":")).bold = True
    p.add_run(_t(" " + block.text))
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _items(out, block: Items) -> None:
    for i, item in enumerate(block.items, 1):
        p = _para(out, (f"{i}. " if block.ordered else "– ") + item, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        p.paragraph_format.left_indent = Mm(6)


def _table(out, block: Table) -> None:
    _para(out, _("Table %(num)d — %(caption)s", num=block.number, caption=block.caption))
    table = out.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, block.header):
        _cell(cell, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in block.rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, row)):
            _cell(cell, value, align=WD_ALIGN_PARAGRAPH.RIGHT if i in block.numeric else None)
    _para(out)


def _cell(cell, text: str, *, bold=False, align=None) -> None:
    p = cell.paragraphs[0]
    run = p.add_run(_t(text))
    run.bold = bold or None
    run.font.size = Pt(TABLE_PT)
    if align is not None:
        p.alignment = align


def _figure(out, block: Figure) -> None:
    out.add_picture(io.BytesIO(charts.to_png(block.chart)), width=Mm(170))
    out.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(out, _("Figure %(num)d — %(caption)s", num=block.number, caption=block.caption),
          align=WD_ALIGN_PARAGRAPH.CENTER, size=TABLE_PT)
    _para(out)


def _narrative(out, block: Narrative) -> None:
    if block.title:
        out.add_heading(_t(block.title), level=2)
    for line in block.text.split("\n"):
        if line.strip():
            _para(out, line.strip(), indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _notes(out, block: Notes) -> None:
    for item in block.items:
        _para(out, item, size=NOTE_PT)


def _signatures(out, block: Signatures) -> None:
    _para(out)
    for s in block.items:
        p = out.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Mm(90))
        p.paragraph_format.tab_stops.add_tab_stop(Mm(180), WD_TAB_ALIGNMENT.RIGHT)
        p.paragraph_format.space_before = Pt(12)
        p.add_run(_t(f"{s.role}\t________________\t{s.name or '________________'}"))


_WRITERS = {Heading: _heading, Para: _text, Labelled: _labelled, Items: _items, Table: _table, Figure: _figure,
            Narrative: _narrative, Notes: _notes, Signatures: _signatures}
