"""Poll and scan figures for a team page: the same aggregates as in chat and nothing more.

Questions below the school's threshold are withheld by :func:`handlers.poll_store.results`
(open polls show their last snapshot only); scan dimensions come from
:func:`handlers.poll_store.scan_trends`, which keeps only dimensions at or above the threshold.
No query here selects a voter.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from handlers.common.values import number_msg
from handlers.polls.aggregates import scan_trends
from handlers.polls.lookup import poll_title
from handlers.polls.results import result_lines, team_polls
from handlers.polls.scan_items import DIMENSIONS
from handlers.polls.store import results
from prompts.catalog import Catalog, Msg
from storage.models import Team

POLLS_SHOWN = 5


async def poll_blocks(ctx: Context, team: Team) -> list[tuple[Any, list[Any]]]:
    """(heading, lines) for the team's latest polls, as ``/peilingresultaten`` shows them."""
    polls = (await team_polls(ctx, team))[:POLLS_SHOWN]
    found = await results(ctx.session, polls)
    out: list[tuple[Any, list[Any]]] = []
    for poll in polls:
        res = found[poll.id]
        head = Msg(
            "poll.final_head" if poll.status == "closed" else "poll.results_head",
            title=poll_title(poll, team),
            answers=res.answers,
            members=res.members,
        )
        if not res.any_shown:
            out.append(
                (
                    head,
                    [
                        Msg(
                            "poll.final_withheld" if poll.status == "closed" else "poll.withheld_head",
                            threshold=res.threshold,
                            answers=res.answers,
                            need=res.needed,
                        )
                    ],
                )
            )
            continue
        lines = result_lines(res, ctx.catalog, ctx.lang)
        if poll.status == "open":
            lines.append(Msg("poll.snapshot_note", threshold=res.threshold))
        lines.append(Msg("poll.anonymous_note", threshold=res.threshold))
        out.append((head, lines))
    return out


async def scan_lines(session: AsyncSession, catalog: Catalog, team: Team) -> list[Any]:
    """The latest scan round's average per dimension, only dimensions at or above the threshold."""
    team_id: int = team.id
    found = (await scan_trends(session, [team_id], 1)).get(team_id)
    if not found:
        return [Msg("poll.scan_none", team=team.name)]
    last = found[-1]
    lines: list[Any] = [Msg("page.scan_round", round=last.round, answers=last.answers)]
    for d in DIMENSIONS:
        if d in last.averages:
            lines.append(
                Msg(
                    "poll.scan_dim",
                    dimension=Msg(f"poll.dim.{d}"),
                    avg=number_msg(round(last.averages[d], 1)),
                )
            )
        else:
            lines.append(Msg("poll.scan_dim_withheld", dimension=Msg(f"poll.dim.{d}")))
    return lines
