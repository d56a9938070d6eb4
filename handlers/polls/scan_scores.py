"""Reading one scan round two ways — per dimension (seed 003) and per capacity (Verbiest, seed 002) —
with the spread, the lowest group, the statement whose answers lie furthest apart, and the rule
for calling a dimension "falling" between two rounds.

Everything here starts from :class:`handlers.polls.store.PollResult`, so it only ever sees
statements that reached the anonymity threshold (their 1–5 answers, "weet ik niet" excluded),
and reverse-keyed statements already turned round (``QuestionResult.scored_counts``/``score``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.polls.scan_items import CAPACITIES, DIMENSIONS, capacity_of
from handlers.polls.store import PollResult, QuestionResult

# "Falling" (the leader digest; /scanuitslag): a dimension's average dropped by at least
# FALLING_DROP since the previous round, AND by more than one person could cause on their own —
# one person moving every answer from 5 to 1 moves a mean over n answers by 4/n — AND both rounds
# had at least FALLING_MIN_ANSWERS real answers (not "weet ik niet") on every statement counted.
# With three to six respondents a drop of 0.5 is often one colleague having a bad week.
FALLING_DROP = 0.5
FALLING_MIN_ANSWERS = 5
ONE_PERSON_SWING = 4  # the furthest one answer can move on a 1–5 scale


@dataclass(frozen=True)
class Group:
    """A dimension or capacity in one round: the mean of its visible statements' scores, the
    fewest real answers on one of them (``n``), and the lowest and highest score given."""

    mean: float
    n: int
    low: int
    high: int


def _group(items: list[QuestionResult]) -> Group | None:
    """A group counts when more than half of its statements are visible (for the two-statement
    dimensions of earlier rounds: both, as before), so one statement never stands for a dimension."""
    shown = [q for q in items if q.shown and q.score is not None]
    if not items or len(shown) * 2 <= len(items):
        return None
    scores = [v for q in shown for v, n in q.scored_counts.items() if n]
    return Group(sum(q.score or 0 for q in shown) / len(shown), min(q.rated for q in shown),
                 min(scores), max(scores))


def _by(res: PollResult, names: tuple[str, ...],
        of: Callable[[QuestionResult], str | None]) -> dict[str, Group]:
    out: dict[str, Group] = {}
    for name in names:
        found = _group([q for q in res.questions if q.question.kind == "scale" and of(q) == name])
        if found is not None:
            out[name] = found
    return out


def by_dimension(res: PollResult) -> dict[str, Group]:
    return _by(res, DIMENSIONS, lambda q: q.question.dimension)


def by_capacity(res: PollResult) -> dict[str, Group]:
    return _by(res, CAPACITIES, lambda q: capacity_of(q.question.key) if q.question.dimension else None)


def spread(q: QuestionResult) -> float:
    """The standard deviation of a statement's scores (how far apart the team answered)."""
    counts = q.scored_counts
    n = sum(counts.values())
    if not n:
        return 0.0
    mean = sum(v * c for v, c in counts.items()) / n
    return float((sum(c * (v - mean) ** 2 for v, c in counts.items()) / n) ** 0.5)


def widest(res: PollResult) -> QuestionResult | None:
    """The visible statement whose answers lie furthest apart (the first one on a tie), if any
    differ at all."""
    shown = [q for q in res.questions if q.shown and q.question.dimension and q.scored_counts]
    best = max(shown, key=spread, default=None)  # max keeps the first of equals
    return best if best is not None and spread(best) > 0 else None


def lowest(groups: dict[str, Group]) -> str | None:
    return min(groups, key=lambda d: groups[d].mean) if groups else None


def is_falling(before: Group | None, now: Group | None) -> bool:
    """The rule stated above: enough answers in both rounds, and a drop one person cannot explain."""
    if before is None or now is None:
        return False
    fewest = min(before.n, now.n)
    drop = before.mean - now.mean
    return fewest >= FALLING_MIN_ANSWERS and drop >= FALLING_DROP and drop > ONE_PERSON_SWING / fewest


def falling(before: dict[str, Group] | None, now: dict[str, Group]) -> list[str]:
    return [d for d in DIMENSIONS if before is not None and is_falling(before.get(d), now.get(d))]
