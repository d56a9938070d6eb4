"""The digest's one picture: every team's place in the cycle, and its scan average.

Up to :data:`TEAMS_DRAWN` teams, one bar each; a board with more gets the same two questions
answered as counts (how many teams in each phase, how many with each scan average): a picture of
five hundred bars is neither readable on a phone nor quick to draw (``python -m bench``, row 3:
the chart was most of the digest's time).

matplotlib is imported here, lazily, so the console and the transports start without it.
"""

from __future__ import annotations

import io
from typing import Any

TEAMS_DRAWN = 30
LABELS = ("phase", "scan", "title", "phase_mark", "decimal", "summary_title", "summary_phase", "summary_scan",
          "summary_teams")


def chart_labels(catalog: Any, lang: str) -> dict[str, str]:
    """The chart's words in the reader's language (``digest.chart_*`` in the catalogs)."""
    return {key: catalog.raw(lang, f"digest.chart_{key}") for key in LABELS}


def digest_chart(facts: Any, labels: dict[str, str]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    teams = list(facts.teams)
    if len(teams) > TEAMS_DRAWN:
        return _summary_chart(Figure, teams, labels)
    names = [f.team.name for f in teams]
    # progress through the cycle: a finished round counts four phases, the current phase half
    progress = [((f.round.number - 1) * 4 + f.round.phase - 0.5) if f.round is not None else 0 for f in teams]
    scans = [f.reflection.get("scan_avg") for f in teams]
    height = max(2.5, 0.45 * len(teams) + 1.5)
    fig = Figure(figsize=(9, height), dpi=100)
    left, right = fig.subplots(1, 2, sharey=True)
    y = list(range(len(teams)))
    left.barh(y, progress, color="#2f6f9f")
    left.set_yticks(y, names)
    left.invert_yaxis()
    left.set_xlabel(labels["phase"])
    top = max(4, int(max(progress, default=0)) + 1)
    left.set_xlim(0, top + 1)
    left.set_xticks(range(0, top + 1))
    for x in range(4, top + 1, 4):
        left.axvline(x, color="#bbbbbb", linewidth=0.8)
    for i, f in enumerate(teams):
        if f.round is not None:
            left.text(
                progress[i] + 0.08,
                i,
                labels["phase_mark"].format(phase=f.round.phase, round=f.round.number),
                va="center",
                fontsize=8,
            )
    right.barh(y, [s or 0 for s in scans], color=["#e39b2d" if s is not None else "#dddddd" for s in scans])
    right.set_xlim(0, 5)
    right.set_xlabel(labels["scan"])
    for i, s in enumerate(scans):
        shown = f"{s:.1f}".replace(".", labels["decimal"]) if s is not None else "–"
        right.text((s or 0) + 0.08, i, shown, va="center", fontsize=8)
    fig.suptitle(labels["title"])
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _summary_chart(figure: Any, teams: list[Any], labels: dict[str, str]) -> bytes:
    """Many teams: how many are in each phase, and how their scan averages spread."""
    phases = ["—", "1", "2", "3", "4"]
    in_phase = [sum(1 for f in teams if (f.round.phase if f.round is not None else 0) == p) for p in range(5)]
    bins = ["—", "1–2", "2–3", "3–4", "4–5"]
    scans = [f.reflection.get("scan_avg") for f in teams]

    def scan_bin(s: float | None) -> int:
        return 0 if s is None else min(4, max(1, int(s)))

    per_bin = [sum(1 for s in scans if scan_bin(s) == b) for b in range(5)]
    fig = figure(figsize=(9, 3.5), dpi=100)
    left, right = fig.subplots(1, 2, sharey=True)
    for axis, names, counts, colour, label in ((left, phases, in_phase, "#2f6f9f", labels["summary_phase"]),
                                                (right, bins, per_bin, "#e39b2d", labels["summary_scan"])):
        axis.bar(names, counts, color=colour)
        axis.set_xlabel(label)
        for x, n in enumerate(counts):
            axis.text(x, n, str(n), ha="center", va="bottom", fontsize=8)
    left.set_ylabel(labels["summary_teams"])
    fig.suptitle(labels["summary_title"])
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
