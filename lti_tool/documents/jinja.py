"""Template helpers of documents: charts that never clip, and the blocks of the print pages."""
from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from . import charts


def bar_chart(rows, max_value: float | None = None, title: str = "", width: int = 640) -> Markup:
    """Inline SVG of (label, value, caption) rows, laid out by `charts.layout`."""
    bars = [charts.Bar(str(label), float(value or 0), str(caption)) for label, value, caption in rows]
    return Markup(charts.to_svg(charts.layout(bars, max_value=max_value, width=width, title=title)))


def init_app(app: Flask) -> None:
    """Register the helpers for every template."""
    app.jinja_env.globals["chart_svg"] = bar_chart
    app.jinja_env.globals["document_chart"] = lambda chart: Markup(charts.to_svg(chart))
    app.jinja_env.globals["block_kind"] = lambda block: type(block).__name__
