"""Charts whose labels never clip: every label line fits the label area; PNG matches the layout."""
from __future__ import annotations

import io
import re

from PIL import Image

from lti_tool.documents import charts

LONG = "Проектирование педагогических проектов и образовательных программ дошкольного образования"


def _bars():
    return [charts.Bar(LONG, 9, "9"), charts.Bar("ИКТ", 3, "3"),
            charts.Bar("Сверхдлинноесловобезпробеловкотороененавмещаетсявстроку", 1, "1 (8,3 %)")]


def test_every_label_line_fits_left_of_the_bars_and_nothing_is_cut():
    chart = charts.layout(_bars(), width=640)
    for row in chart.rows:
        for line in row.lines:
            assert charts.text_width(line, chart.font_size) <= chart.label_width - 6
        assert "".join(row.lines).replace("-", "").replace(" ", "") == row.bar.label.replace(" ", "")
    assert len(chart.rows[0].lines) >= 2  # the long label wraps instead of losing its start
    assert chart.rows[1].lines == ["ИКТ"]
    assert chart.rows[0].height > chart.rows[1].height  # the row grows with its label
    for row in chart.rows:  # captions fit inside the chart's width
        right = chart.label_width + row.width + 4 + charts.text_width(row.bar.caption, chart.font_size)
        assert right <= chart.width


def test_svg_shows_every_word_of_the_label_and_the_formatted_caption():
    svg = charts.to_svg(charts.layout(_bars(), title="Темы"))
    texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    for word in LONG.split():
        assert word in texts
    assert "1 (8,3 %)" in texts and "…" not in texts
    height = float(re.search(r'viewBox="0 0 640 ([\d.]+)"', svg).group(1))
    assert height >= sum(len(r.lines) for r in charts.layout(_bars()).rows) * 12


def test_png_has_the_layout_size_and_dark_pixels_at_the_left_of_a_wrapped_label():
    chart = charts.layout(_bars(), width=640)
    image = Image.open(io.BytesIO(charts.to_png(chart, scale=2))).convert("L")
    assert image.size == (1280, int(chart.height * 2) + 1)
    row = chart.rows[0]
    band = image.crop((0, int(row.top * 2), int(chart.label_width * 2), int((row.top + row.height) * 2)))
    assert band.getextrema()[0] < 100  # the label is drawn (text is dark on white)
    bar = image.crop((int(chart.label_width * 2) + 2, int((row.top + row.height / 2) * 2) - 2,
                      int((chart.label_width + row.width) * 2) - 2, int((row.top + row.height / 2) * 2) + 2))
    assert bar.getextrema()[1] < 200  # the bar is filled
