"""A document as a list of blocks: one builder per document fills it, two writers print it.

The DOCX writer (`docx_writer.py`) and the print page (`templates/documents/_doc.html`) render the
same blocks, so the file and the page cannot say different things. Requisites follow ГОСТ Р 7.0.97
(organization, document type, date and number, place, heading to the text, signatures); tables and
figures are numbered in order («Таблица 1 — …», «Рисунок 1 — …»), notes say what a figure counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .charts import BarChart


@dataclass
class Requisites:
    """The document's requisites (ГОСТ Р 7.0.97: 08, 10, 11, 12, 14, 18)."""

    organization: str  # name of the author organization (the network)
    kind: str  # document type in capitals: ПРОТОКОЛ, АНАЛИТИЧЕСКАЯ СПРАВКА, ВЫПИСКА ИЗ ПРОТОКОЛА
    date_text: str = ""  # «15.10.2025»
    number: str = ""  # «3» (printed as «№ 3»)
    place: str = ""  # place of compilation, e.g. «г. Томск»
    subject: str = ""  # heading to the text


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Para:
    text: str
    style: str = "normal"  # normal | note | lead


@dataclass
class Labelled:
    """«СЛУШАЛИ: …» — a bold label in capitals and its text (protocols)."""

    label: str
    text: str


@dataclass
class Items:
    items: list[str]
    ordered: bool = True


@dataclass
class Table:
    number: int
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # right-aligned columns


@dataclass
class Figure:
    number: int
    caption: str
    chart: BarChart


@dataclass
class Narrative:
    """A text the methodist edits and saves (`narratives.py`); `edited`: her text, not the draft."""

    key: str
    title: str
    text: str
    edited: bool = False


@dataclass
class Notes:
    """Notes at the end of a section: what each figure counts («¹ …»)."""

    items: list[str]


@dataclass
class Signature:
    role: str  # «Председатель», «Секретарь», «Методист»
    name: str  # «И. И. Иванова» or blank for a line to fill in


@dataclass
class Signatures:
    items: list[Signature]


Block = Heading | Para | Labelled | Items | Table | Figure | Narrative | Notes | Signatures


@dataclass
class Document:
    """Requisites and body blocks, with automatic numbering of tables and figures."""

    requisites: Requisites
    filename: str = "document"
    blocks: list = field(default_factory=list)
    locale: str = "ru"

    def add(self, block) -> Document:
        self.blocks.append(block)
        return self

    def heading(self, text: str, level: int = 1) -> Document:
        return self.add(Heading(text, level))

    def para(self, text: str, style: str = "normal") -> Document:
        return self.add(Para(text, style)) if text else self

    def table(self, caption: str, header: list[str], rows: list[list], numeric: set[int] | None = None) -> Table:
        table = Table(sum(isinstance(b, Table) for b in self.blocks) + 1, caption, header,
                      [[("" if v is None else str(v)) for v in row] for row in rows], numeric or set())
        self.add(table)
        return table

    def figure(self, caption: str, chart: BarChart) -> Figure:
        figure = Figure(sum(isinstance(b, Figure) for b in self.blocks) + 1, caption, chart)
        self.add(figure)
        return figure

    def text(self) -> str:
        """Every word of the document, in order (for tests and search)."""
        r = self.requisites
        parts = [r.organization, r.kind, r.date_text, r.number, r.place, r.subject]
        for b in self.blocks:
            if isinstance(b, (Heading, Para)):
                parts.append(b.text)
            elif isinstance(b, Labelled):
                parts += [b.label, b.text]
            elif isinstance(b, (Items, Notes)):
                parts += b.items
            elif isinstance(b, Table):
                parts += [b.caption, *b.header, *(c for row in b.rows for c in row)]
            elif isinstance(b, Figure):
                parts.append(b.caption)
            elif isinstance(b, Narrative):
                parts += [b.title, b.text]
            elif isinstance(b, Signatures):
                parts += [x for s in b.items for x in (s.role, s.name)]
        return "\n".join(p for p in parts if p)


def initials(full_name: str) -> str:
    """«Иванова Анна Петровна» → «А. П. Иванова» (how a signature line names a person)."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    return " ".join(f"{p[0]}." for p in parts[1:3]) + " " + parts[0]


def quote(text: str) -> str:
    """«text», unless the text already carries its own quotes (Тьюториал «Экотропа» stays as it is)."""
    return text if "«" in text else f"«{text}»"


def date_text(day: date | None) -> str:
    """ДД.ММ.ГГГГ, the date format of ГОСТ Р 7.0.97 (requisite 10)."""
    return day.strftime("%d.%m.%Y") if day else ""
