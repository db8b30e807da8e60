"""Rollout plans as one standalone SVG picture: a chart per planned Deployment, stacked, of
old, new and available pods over the plan's steps (the series of report.chart).

Plain SVG 1.1 built with ElementTree: no script, no stylesheet, no external reference, only
presentation attributes.  Text from manifests is escaped as in text output (escape.shown:
XML 1.0 cannot carry a control character even as a reference), then by ElementTree as XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from math import ceil, floor, log10

from rolloutplan.analysis.naming import plural
from rolloutplan.engine import Report
from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.report.chart import COLORS, SERIES_NAMES, Series, chart_series
from rolloutplan.report.escape import defuse_commands, shown
from rolloutplan.report.plan_text import in_file

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 760
CHART_HEIGHT = 300
MARGIN = 20
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 62, 56  # plot area insets within a chart
MAX_CHARTS = 100  # Deployments drawn; a note counts the others
# SVG text does not wrap: a line is cut to what fits in the width, at about this many font
# sizes per character (sans-serif, bold)
CHARACTER_WIDTH = 0.62
FONT = {"font-family": "sans-serif", "fill": "#222222"}
DASHES = ("", "", "6 3")  # available pods dashed: the line often runs along the old pods'


def render_svg(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    """``diagram`` and ``verbose`` are text options."""
    plans = report.plans[:MAX_CHARTS]
    notes = []
    if not report.plans:
        notes.append("No Deployment to plan.")
    elif len(report.plans) > MAX_CHARTS:
        left_out = len(report.plans) - MAX_CHARTS
        more = plural(left_out, "more planned Deployment")
        notes.append(f"{more} not drawn (at most {MAX_CHARTS} are).")
    height = 2 * MARGIN + len(plans) * CHART_HEIGHT + len(notes) * 24
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "version": "1.1",
            "width": str(WIDTH),
            "height": str(height),
            "viewBox": f"0 0 {WIDTH} {height}",
        },
    )
    ET.SubElement(root, "title").text = "rolloutplan: pods over each rollout's steps"
    ET.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    for index, plan in enumerate(plans):
        root.append(_chart(plan, MARGIN + index * CHART_HEIGHT))
    for index, note in enumerate(notes):
        y = MARGIN + len(plans) * CHART_HEIGHT + 16 + index * 24
        root.append(_text(MARGIN, y, note, size=14))
    ET.indent(root)
    body = defuse_commands(ET.tostring(root, "unicode"), colon="&#58;", hash_sign="&#35;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _chart(plan: RolloutPlan, top: int) -> ET.Element:
    series = chart_series(plan)
    group = ET.Element("g", {"transform": f"translate(0 {top})"})
    ref = plan.deployment.ref
    title = f"Deployment {ref.namespace}/{ref.name}{in_file(plan.path)}"
    group.append(_text(MARGIN, 18, title, size=15, weight="bold"))
    group.append(_text(MARGIN, 36, _subtitle(plan, series), size=12))
    box = _Box(LEFT, TOP, WIDTH - RIGHT, CHART_HEIGHT - BOTTOM)
    # the x axis ends at the last step, the y axis at the round number above the peak
    x_ticks = [tick for tick in _ticks(series.total_steps) if tick <= series.total_steps]
    y_ticks = _ticks(series.peak)
    box.x_max, box.y_max = max(series.total_steps, 1), y_ticks[-1]
    _grid(group, box, x_ticks, y_ticks)
    for values, color, dash in zip(series.values, COLORS, DASHES, strict=True):
        _line(group, box, series.steps, values, color, dash)
    _legend(group, box)
    return group


def _subtitle(plan: RolloutPlan, series: Series) -> str:
    text = (
        f"{plan.change.value}, {plan.outcome.value}: peak pods {plan.peak_pods}, "
        f"min available {plan.min_available}, {series.total_steps} steps"
    )
    if series.sampled:
        text += f" ({len(series.steps)} drawn)"
    return text


class _Box:
    """The plot area, in chart coordinates, and the data range it shows."""

    def __init__(self, left: int, top: int, right: int, bottom: int) -> None:
        self.left, self.top, self.right, self.bottom = left, top, right, bottom
        self.x_max, self.y_max = 1, 1

    def x(self, step: int) -> str:
        return _number(self.left + (self.right - self.left) * step / self.x_max)

    def y(self, pods: int) -> str:
        return _number(self.bottom - (self.bottom - self.top) * pods / self.y_max)


def _number(value: float) -> str:
    """A coordinate with one decimal, the same text for the same value on every platform."""
    return f"{value:.1f}".removesuffix(".0")


def _ticks(high: int) -> list[int]:
    """0 and round steps up to at least ``high``: at most about six."""
    if high <= 0:
        return [0, 1]
    raw = high / 5
    magnitude = 10 ** floor(log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [step * k for k in range(ceil(high / step) + 1)]


def _grid(group: ET.Element, box: _Box, x_ticks: list[int], y_ticks: list[int]) -> None:
    grid = {"stroke": "#dddddd", "stroke-width": "1"}
    for tick in y_ticks:
        y = box.y(tick)
        ET.SubElement(
            group, "line", {"x1": str(box.left), "y1": y, "x2": str(box.right), "y2": y, **grid}
        )
        group.append(_text(box.left - 6, float(y) + 4, str(tick), size=11, anchor="end"))
    for tick in x_ticks:
        x = box.x(tick)
        ET.SubElement(
            group, "line", {"x1": x, "y1": str(box.top), "x2": x, "y2": str(box.bottom), **grid}
        )
        group.append(_text(float(x), box.bottom + 16, str(tick), size=11, anchor="middle"))
    axis = {"stroke": "#444444", "stroke-width": "1"}
    corner = {"x1": str(box.left), "y1": str(box.bottom)}
    ET.SubElement(group, "line", {**corner, "x2": str(box.right), "y2": str(box.bottom), **axis})
    ET.SubElement(group, "line", {**corner, "x2": str(box.left), "y2": str(box.top), **axis})
    middle = (box.left + box.right) / 2
    group.append(_text(middle, box.bottom + 34, "step", size=12, anchor="middle"))
    y_label = _text(18, (box.top + box.bottom) / 2, "pods", size=12, anchor="middle")
    y_label.set("transform", f"rotate(-90 18 {_number((box.top + box.bottom) / 2)})")
    group.append(y_label)


def _line(
    group: ET.Element,
    box: _Box,
    steps: tuple[int, ...],
    values: tuple[int, ...],
    color: str,
    dash: str,
) -> None:
    points = " ".join(f"{box.x(s)},{box.y(v)}" for s, v in zip(steps, values, strict=True))
    style = {"fill": "none", "stroke": color, "stroke-width": "2"}
    if dash:
        style["stroke-dasharray"] = dash
    ET.SubElement(group, "polyline", {"points": points, **style})
    if len(steps) == 1:  # a plan of no step (refused, nothing to do): a line of one point
        ET.SubElement(
            group,
            "circle",
            {"cx": box.x(steps[0]), "cy": box.y(values[0]), "r": "3", "fill": color},
        )


def _legend(group: ET.Element, box: _Box) -> None:
    x = box.left
    y = box.top - 8
    for name, color, dash in zip(SERIES_NAMES, COLORS, DASHES, strict=True):
        style = {"stroke": color, "stroke-width": "2"}
        if dash:
            style["stroke-dasharray"] = dash
        ET.SubElement(
            group,
            "line",
            {"x1": str(x), "y1": str(y - 4), "x2": str(x + 22), "y2": str(y - 4), **style},
        )
        group.append(_text(x + 27, y, f"{name} pods", size=12))
        x += 120


def _text(
    x: float, y: float, text: str, *, size: int, anchor: str = "start", weight: str = ""
) -> ET.Element:
    """A line of text from anywhere (a name, a path): escaped, cut to fit the width."""
    shown_text = shown(text)
    fits = int((WIDTH - 2 * MARGIN) / (size * CHARACTER_WIDTH))
    if len(shown_text) > fits:
        shown_text = shown_text[: fits - 3] + "..."
    attributes = {"x": _number(x), "y": _number(y), "font-size": str(size), **FONT}
    if anchor != "start":
        attributes["text-anchor"] = anchor
    if weight:
        attributes["font-weight"] = weight
    element = ET.Element("text", attributes)
    element.text = shown_text
    return element
