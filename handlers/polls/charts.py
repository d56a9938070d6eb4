"""Poll and scan results as PNG charts, drawn with matplotlib's object API (``Figure`` and the Agg
canvas: no pyplot, no global state, no display needed). matplotlib is imported only here and
only when a chart is drawn, so the console starts fast; drawing runs in a worker thread
(:func:`render`), so the event loop never waits for it.

Every chart comes with its numbers in words (the Image's ``alt_text``) for screen readers and
the console; the picture adds nothing the text does not say.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

COLOURS = ("#2f6f9f", "#e39b2d", "#5a9e4b", "#b8475a", "#7b62a3", "#3a9c9c", "#a0764a", "#6b7b8c",
           "#c4a21f", "#4f5fbf")
DIM_COLOURS = {"visie": "#2f6f9f", "focus": "#e39b2d", "werkwijze": "#5a9e4b", "cultuur": "#b8475a",
               "structuur": "#7b62a3"}


@dataclass(frozen=True)
class Bars:
    """One question: a label and the count per option (in order)."""

    label: str
    options: list[str]
    counts: list[int]
    mean: float | None = None


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def poll_chart(
    title: str, questions: list[Bars], count_label: str, mean_label: str, decimal: str = "."
) -> bytes:
    """A horizontal bar chart per question: how many chose each option."""
    rows = max(1, len(questions))
    height = sum(0.9 + 0.32 * len(q.options) for q in questions) + 0.8
    fig = _figure(7.5, max(2.6, height))
    fig.suptitle(title, fontsize=12, fontweight="bold")
    heights = [max(1, len(q.options)) for q in questions] or [1]
    axes = fig.subplots(rows, 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    top = max((max(q.counts, default=0) for q in questions), default=0)
    for ax, q in zip((a[0] for a in axes), questions, strict=False):
        y = list(range(len(q.options)))
        ax.barh(y, q.counts, color=COLOURS[0], height=0.6)
        ax.set_yticks(y, q.options)
        ax.invert_yaxis()
        ax.set_xlim(0, max(1, top) + 0.8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        heading = (
            q.label
            if q.mean is None
            else f"{q.label} — {mean_label} " + f"{q.mean:.1f}".replace(".", decimal)
        )
        ax.set_title(heading, fontsize=10, loc="left")
        for yy, c in zip(y, q.counts, strict=True):
            ax.text(c + 0.05, yy, str(c), va="center", fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1][0].set_xlabel(count_label)
    fig.tight_layout()
    return _png(fig)


def scan_chart(title: str, dims: list[str], labels: dict[str, str], current: dict[str, float],
               previous: dict[str, float] | None, trend: list[tuple[str, dict[str, float]]],
               texts: dict[str, str], ranges: dict[str, tuple[int, int]] | None = None) -> bytes:
    """Left: this round's average per dimension (1–5), the lowest to highest answer as a thin
    line through it, the previous round as a marker. Right: the trend of each dimension."""
    fig = _figure(10, 4.2)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    y = list(range(len(dims)))
    values = [current.get(d, 1.0) for d in dims]
    left.barh(y, [v - 1 for v in values], left=1, color=[DIM_COLOURS.get(d, COLOURS[0]) for d in dims],
              height=0.6, label=texts["now"])
    for i, d in enumerate(dims):
        if ranges and d in ranges:
            low, high = ranges[d]
            left.plot([low, high], [i, i], color="#333333", linewidth=1.2, zorder=2)
    if previous:
        px = [(previous[d], i) for i, d in enumerate(dims) if d in previous]
        if px:
            left.scatter([p for p, _ in px], [i for _, i in px], marker="|", s=400, color="black", zorder=3,
                         label=texts["previous"])
    for i, d in enumerate(dims):
        shown = f"{current[d]:.1f}".replace(".", texts["decimal"]) if d in current else "—"
        after = max(values[i], (previous or {}).get(d, 0.0), (ranges or {}).get(d, (0, 0))[1])
        left.text(after + 0.08, i, shown, va="center", fontsize=9)
    left.set_yticks(y, [labels[d] for d in dims])
    left.invert_yaxis()
    left.set_xlim(1, 5.6)
    left.set_xticks([1, 2, 3, 4, 5])
    left.set_xlabel(texts["scale"])
    left.legend(loc="lower right", fontsize=8, frameon=False)
    left.spines[["top", "right"]].set_visible(False)
    xs = list(range(len(trend)))
    for d in dims:
        points = [(x, values_.get(d)) for x, (_, values_) in zip(xs, trend, strict=True) if d in values_]
        if points:
            right.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="o",
                color=DIM_COLOURS.get(d, COLOURS[0]),
                label=labels[d],
            )
    right.set_xticks(xs, [name for name, _ in trend])
    right.set_ylim(1, 5)
    right.set_yticks([1, 2, 3, 4, 5])
    right.set_title(texts["trend"], fontsize=10, loc="left")
    right.legend(loc="lower left", fontsize=8, frameon=False, ncols=2)
    right.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)


async def render(draw: Callable[..., bytes], *args: Any) -> bytes | None:
    """Draw in a worker thread; None when matplotlib is missing (the text still says it all)."""
    try:
        return await asyncio.to_thread(draw, *args)
    except ImportError:
        return None
