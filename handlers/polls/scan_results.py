"""The scan's results as a team reads them (``/scanuitslag``, and at the close): per dimension and
per capacity with the spread, what fell since the previous round, the trend, the lowest
dimension and the statement the team answered furthest apart, then every statement's
distribution — a chart with all of it in words beside it.

Only aggregates of statements at or above the school's anonymity threshold appear (their real
answers counted; "weet ik niet" counted apart), exactly as ``store.results`` allows.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import command_name
from bot.core.replies import Image, Text
from handlers.common.values import number_msg
from handlers.polls.aggregates import scan_rounds
from handlers.polls.charts import render, scan_chart
from handlers.polls.scan_items import CAPACITIES, DIMENSIONS, is_reverse
from handlers.polls.scan_scores import Group, by_capacity, by_dimension, falling, lowest, widest
from handlers.polls.store import SCALE, TREND_ROUNDS, PollResult, QuestionResult
from prompts.catalog import Catalog, Join, Msg
from prompts.markup import plain
from storage.models import Poll, Team


def _num(value: float) -> Any:
    return number_msg(round(value, 1))


def group_line(key: str, name: Any, g: Group, prev: Group | None = None) -> Msg:
    if key == "capacity":
        return Msg("scan.capacity_line", capacity=name, avg=_num(g.mean), low=g.low, high=g.high)
    if prev is not None:
        return Msg("scan.dim_prev", dimension=name, avg=_num(g.mean), low=g.low, high=g.high,
                   prev=_num(prev.mean))
    return Msg("scan.dim", dimension=name, avg=_num(g.mean), low=g.low, high=g.high)


def statement_line(q: QuestionResult) -> Msg:
    """One statement: how often each score was given (reverse-keyed ones turned round), its mean."""
    dim = Msg(f"poll.dim.{q.question.dimension}")
    short = Msg(f"{q.question.key}.short") if q.question.key else (q.question.text or "?")
    mark = Msg("scan.reverse_mark") if is_reverse(q.question.key) else ""
    if not q.shown:
        return Msg("scan.statement_withheld", dimension=dim, short=short, reverse=mark)
    counts = q.scored_counts
    return Msg("scan.statement", dimension=dim, short=short, reverse=mark,
               counts=" · ".join(str(counts.get(v, 0)) for v in SCALE), mean=_num(q.score or 0),
               dont_know=Msg("scan.statement_dont_know", count=q.dont_know) if q.dont_know else "")


def second_prompt(res: PollResult) -> QuestionResult | None:
    """The statement for the conversation: the one answered furthest apart; if everyone agreed on
    everything, the lowest-scoring one."""
    found = widest(res)
    if found is not None:
        return found
    shown = [q for q in res.questions if q.shown and q.question.dimension and q.score is not None]
    return min(shown, key=lambda q: q.score or 0, default=None)


def picture_lines(current: dict[str, Group], previous: dict[str, Group] | None,
                  trend: list[tuple[Poll, dict[str, Group]]]) -> list[Any]:
    """What the chart shows, in words (its alt text): per dimension with the spread, what fell,
    the trend, the lowest dimension."""
    lines: list[Any] = [Msg("scan.dims_head")]
    for d in DIMENSIONS:
        name = Msg(f"poll.dim.{d}")
        if d not in current:
            lines.append(Msg("poll.scan_dim_withheld", dimension=name))
        else:
            lines.append(group_line("dimension", name, current[d], (previous or {}).get(d)))
    fell = falling(previous, current)
    if fell:
        lines.append(Msg("scan.falling", dims=Join([Msg(f"poll.dim.{d}") for d in fell], ", ")))
    if len(trend) > 1:
        lines.append(Msg("poll.scan_trend_head", count=len(trend)))
        for d in DIMENSIONS:
            points = [_num(dims[d].mean) for _, dims in trend if d in dims]
            if points:
                lines.append(Msg("poll.scan_trend_line", dimension=Msg(f"poll.dim.{d}"),
                                 values=Join(points, " → ")))
    weakest = lowest(current)
    if weakest is not None:
        lines.append(Msg("poll.scan_weakest", dimension=Msg(f"poll.dim.{weakest}"),
                         consequence=Msg(f"poll.consequence.{weakest}")))
    return lines


def word_lines(res: PollResult) -> list[Any]:
    """What the chart does not show, sent as text beside it (every platform shows all of it): per
    capacity, the statement answered furthest apart, every statement's distribution."""
    capacities = by_capacity(res)
    lines: list[Any] = [Msg("scan.capacities_head")]
    for c in CAPACITIES:
        name = Msg(f"scan.capacity.{c}")
        lines.append(group_line("capacity", name, capacities[c]) if c in capacities
                     else Msg("scan.capacity_withheld", capacity=name))
    far = widest(res)
    if far is not None:
        counts = far.scored_counts
        lines.append(Msg("scan.widest", short=Msg(f"{far.question.key}.short"), low=min(counts),
                         high=max(counts)))
    lines.append(Msg("scan.statements_head"))
    lines += [statement_line(q) for q in res.questions if q.question.dimension]
    return lines


async def scan_replies(session: AsyncSession, catalog: Catalog, team: Team, lang: str,
                       upto: Poll | None = None, final: bool = False) -> Any:
    """The scan of a team (its latest round, or round ``upto``), with the trend over the rounds
    before it; ``final`` (the close) adds where the conversation about it will be held."""
    items = (await scan_rounds(session, [team.id], TREND_ROUNDS + 1)).get(team.id, [])
    if upto is not None:
        items = [(p, r) for p, r in items if p.round <= upto.round]
    if not items:
        return lambda target: [Text(Msg("poll.scan_none", team=team.name), target=target)]
    poll, res = items[-1]
    head = Msg("poll.scan_head", team=team.name, round=poll.round, answers=res.answers, members=res.members)
    current = by_dimension(res)
    if not current:
        body = Join(
            [head, Msg("poll.withheld_head", threshold=res.threshold, answers=res.answers, need=res.needed)]
        )
        return lambda target: [Text(body, target=target)]
    trend = [(p, g) for p, g in ((p, by_dimension(r)) for p, r in items) if g][-TREND_ROUNDS:]
    previous = trend[-2][1] if len(trend) > 1 else None
    lines = picture_lines(current, previous, trend)
    words = word_lines(res)
    if poll.status == "open":
        lines.append(Msg("poll.snapshot_note", threshold=res.threshold))
    words.append(Msg("scan.notes"))
    words.append(Msg("poll.anonymous_note", threshold=res.threshold))
    if final:
        words.append(Msg("scan.on_agenda", agenda_cmd=command_name("agenda")))
    labels = {d: catalog.raw(lang, f"poll.dim.{d}") for d in DIMENSIONS}
    texts = {k: catalog.raw(lang, f"poll.chart.{k}")
             for k in ("now", "previous", "trend", "scale", "decimal")}
    rounds = [(catalog.raw(lang, "poll.chart.round").format(n=p.round), {d: g.mean for d, g in dims.items()})
              for p, dims in trend]
    means = {d: g.mean for d, g in current.items()}
    before = {d: g.mean for d, g in previous.items()} if previous else None
    ranges = {d: (g.low, g.high) for d, g in current.items()}
    png = await render(scan_chart, plain(catalog.render(head, lang)), list(DIMENSIONS), labels, means, before,
                       rounds, texts, ranges)
    alt, rest = Join(lines), Join(words)
    if png is None:
        return lambda target: [Text(Join([head, alt]), target=target), Text(rest, target=target)]
    return lambda target: [
        Image(png, f"scan-{team.id}-{poll.round}.png", caption=head, alt_text=alt, target=target),
        Text(rest, target=target),
    ]
