"""The team page's chart: baseline, measurements and goal as an inline SVG (no JavaScript, no
matplotlib), with the numbers in words as its title and description for screen readers."""

from __future__ import annotations

from markupsafe import Markup, escape

from handlers.common.measures import measure_msg
from handlers.common.values import date_msg
from handlers.web.render import Texts
from handlers.web.views import GoalChart, chart_words

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 560, 240, 48, 70, 16, 40
LINE, GOAL, AXIS, TEXT = "#1f5f8b", "#a3461a", "#555555", "#1a1a1a"  # contrast ≥ 4.5:1 on white


def goal_svg(chart: GoalChart, texts: Texts) -> Markup:
    values: list[tuple[str, float]] = []
    if chart.baseline is not None:
        values.append((texts.plain_key("page.chart_baseline"), chart.baseline))
    values += [(texts.plain_body(date_msg(on)), v) for on, v in chart.points]
    top = max([v for _, v in values] + ([chart.goal] if chart.goal is not None else []) + [1.0]) * 1.15
    inner_w, inner_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def y(v: float) -> float:
        return round(PAD_T + inner_h - (v / top) * inner_h, 1)

    def x(i: int) -> float:
        return round(PAD_L + (inner_w * (i + 0.5) / max(1, len(values))), 1)

    words = escape(texts.plain_body(chart_words(chart)))
    title = escape(texts.plain_key("page.chart_caption"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" class="chart">',
        f'<title id="chart-title">{title}</title><desc id="chart-desc">{words}</desc>',
        f'<line x1="{PAD_L}" y1="{PAD_T + inner_h}" x2="{WIDTH - PAD_R}" y2="{PAD_T + inner_h}" '
        f'stroke="{AXIS}"/>',
        f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + inner_h}" stroke="{AXIS}"/>',
        f'<text x="{PAD_L - 6}" y="{PAD_T + inner_h}" text-anchor="end" fill="{TEXT}" '
        'font-size="12">0</text>',
    ]
    if chart.goal is not None:
        gy = y(chart.goal)
        goal = texts.plain_body(measure_msg(chart.goal, chart.sign))
        label = escape(f"{texts.plain_key('page.chart_goal')} {goal}")
        parts.append(
            f'<line x1="{PAD_L}" y1="{gy}" x2="{WIDTH - PAD_R}" y2="{gy}" stroke="{GOAL}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{WIDTH - PAD_R + 4}" y="{gy + 4}" fill="{GOAL}" font-size="12">{label}</text>'
        )
    if len(values) > 1:
        path = " ".join(f"{x(i)},{y(v)}" for i, (_, v) in enumerate(values))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for i, (name, v) in enumerate(values):
        parts.append(f'<circle cx="{x(i)}" cy="{y(v)}" r="4" fill="{LINE}"/>')
        parts.append(
            f'<text x="{x(i)}" y="{y(v) - 8}" text-anchor="middle" fill="{TEXT}" font-size="12">'
            f'{escape(texts.plain_body(measure_msg(v, chart.sign)))}</text>'
        )
        parts.append(
            f'<text x="{x(i)}" y="{HEIGHT - PAD_B + 16}" text-anchor="middle" fill="{TEXT}" '
            f'font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
