"""The digest's one picture: every team's place in the cycle, and its scan average.

matplotlib is imported here, lazily, so the console and the transports start without it.
"""

from __future__ import annotations

import io
from typing import Any


def digest_chart(facts: Any, labels: dict[str, str]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    teams = list(facts.teams)
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
