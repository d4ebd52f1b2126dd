"""Template helpers of documents: `bar_chart(rows, max_value, title)` draws a chart that never clips."""
from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from . import charts


def bar_chart(rows, max_value: float | None = None, title: str = "", width: int = 640) -> Markup:
    """Inline SVG of (label, value, caption) rows, laid out by `charts.layout`."""
    bars = [charts.Bar(str(label), float(value or 0), str(caption)) for label, value, caption in rows]
    return Markup(charts.to_svg(charts.layout(bars, max_value=max_value, width=width, title=title)))


def init_app(app: Flask) -> None:
    """Register the chart helper for every template."""
    app.jinja_env.globals["chart_svg"] = bar_chart
