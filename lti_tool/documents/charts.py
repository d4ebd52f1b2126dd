"""Horizontal bar charts whose labels never clip: laid out once, drawn as SVG (pages) or PNG (DOCX).

Labels are measured with a real font (DejaVu Sans or Liberation Sans from the system; both are wider
than the Arial or Calibri a reader's browser may use, so a label measured here fits there too) and
wrapped onto as many lines as they need; a row grows with its label instead of cutting it
(«…ание педагогических проектов» was the old right-aligned text running off the left edge).
Captions (the formatted value) are measured too and the plot area gives them room.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
BAR_COLOUR = "#0f6cbf"
TEXT_COLOUR = "#212529"
AVERAGE_EM = 0.62  # width of a character in em when no font file is found (DejaVu's Cyrillic is ~0.6)


@dataclass
class Bar:
    """One bar: its label, its value and the caption printed after it (the formatted value)."""

    label: str
    value: float
    caption: str


@dataclass
class BarRow:
    """A laid-out bar: wrapped label lines and geometry in chart units (px at scale 1)."""

    bar: Bar
    lines: list[str]
    top: float
    height: float
    width: float  # of the bar


@dataclass
class BarChart:
    """A laid-out chart: every coordinate decided, so SVG and PNG show the same thing."""

    title: str
    width: int
    height: float
    font_size: int
    label_width: float
    rows: list[BarRow] = field(default_factory=list)

    @property
    def line_height(self) -> float:
        return self.font_size * 1.25


@lru_cache(maxsize=1)
def font_path() -> str | None:
    """The first system font file found (None: measurements fall back to an average width)."""
    return next((p for p in FONT_FILES if Path(p).is_file()), None)


@lru_cache(maxsize=8)
def _font(size: int):
    from PIL import ImageFont

    path = font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def text_width(text: str, size: int) -> float:
    """Width of `text` at `size` px in the measuring font."""
    if font_path() is None:
        return len(text) * size * AVERAGE_EM
    return float(_font(size).getlength(text))


def wrap(text: str, width: float, size: int) -> list[str]:
    """`text` broken into lines no wider than `width` (a word longer than a line is split)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, size) > width and len(word) > 1:
            cut = max(1, next((i for i in range(len(word), 0, -1) if text_width(word[:i] + "-", size) <= width), 1))
            lines.append(word[:cut] + "-")
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def layout(bars: list[Bar], *, max_value: float | None = None, width: int = 640, font_size: int = 12,
           label_share: float = 0.45, title: str = "") -> BarChart:
    """Place labels, bars and captions: labels wrap within `label_share` of the width."""
    label_width = width * label_share
    caption_width = max((text_width(b.caption, font_size) for b in bars), default=0) + 8
    plot = max(width - label_width - caption_width - 4, 20)
    top_value = max_value or max((b.value for b in bars), default=0) or 1
    chart = BarChart(title, width, 0, font_size, label_width)
    y = 2.0
    line_h = chart.line_height
    for bar in bars:
        lines = wrap(bar.label, label_width - 10, font_size)
        height = max(font_size * 1.8, len(lines) * line_h + 6)
        value = max(bar.value or 0, 0)
        chart.rows.append(BarRow(bar, lines, y, height, plot * min(value / top_value, 1.0)))
        y += height
    chart.height = y + 2
    return chart


def to_svg(chart: BarChart) -> str:
    """Inline SVG (no script, no outside request); a <title> per bar for screen readers and hovering."""
    fs, lh = chart.font_size, chart.line_height
    out = [f'<svg class="tn-chart" role="img" '
           f'viewBox="0 0 {chart.width} {chart.height:.0f}" width="100%" preserveAspectRatio="xMinYMin meet" '
           f'aria-label="{escape(chart.title, {chr(34): "&quot;"})}" font-family="{FONT_FAMILY}" font-size="{fs}">']
    if chart.title:
        out.append(f"<title>{escape(chart.title)}</title>")
    for row in chart.rows:
        mid = row.top + row.height / 2
        first = mid - (len(row.lines) - 1) * lh / 2 + fs * 0.35
        out.append(f"<g><title>{escape(row.bar.label)}: {escape(row.bar.caption)}</title>")
        for i, line in enumerate(row.lines):
            out.append(f'<text x="{chart.label_width - 6:.1f}" y="{first + i * lh:.1f}" text-anchor="end" '
                       f'fill="{TEXT_COLOUR}">{escape(line)}</text>')
        bar_h = min(fs * 1.3, row.height - 6)
        out.append(f'<rect x="{chart.label_width:.1f}" y="{mid - bar_h / 2:.1f}" width="{row.width:.1f}" '
                   f'height="{bar_h:.1f}" fill="{BAR_COLOUR}"></rect>')
        out.append(f'<text x="{chart.label_width + row.width + 4:.1f}" y="{mid + fs * 0.35:.1f}" '
                   f'fill="{TEXT_COLOUR}">{escape(row.bar.caption)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def to_png(chart: BarChart, scale: int = 3) -> bytes:
    """The same chart as a PNG (for DOCX, which cannot hold SVG everywhere), `scale` × sharper."""
    from PIL import Image, ImageDraw

    fs, lh = chart.font_size * scale, chart.line_height * scale
    image = Image.new("RGB", (int(chart.width * scale), int(chart.height * scale) + 1), "white")
    draw = ImageDraw.Draw(image)
    font = _font(fs)
    for row in chart.rows:
        mid = (row.top + row.height / 2) * scale
        first = mid - (len(row.lines) - 1) * lh / 2
        for i, line in enumerate(row.lines):
            draw.text(((chart.label_width - 6) * scale, first + i * lh), line, font=font, fill=TEXT_COLOUR,
                      anchor="rm")
        bar_h = min(chart.font_size * 1.3, row.height - 6) * scale
        x0 = chart.label_width * scale
        if row.width > 0:
            draw.rectangle([x0, mid - bar_h / 2, x0 + row.width * scale, mid + bar_h / 2], fill=BAR_COLOUR)
        draw.text((x0 + (row.width + 4) * scale, mid), row.bar.caption, font=font, fill=TEXT_COLOUR, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
