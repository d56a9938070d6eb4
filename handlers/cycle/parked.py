"""Focus is one problem at a time, not forgetting the rest (seed 003, *focus*): a team parks
problems for later with /parkeer, and sees them when it chooses its next focus — after a cycle is
closed as 'opgelost', and when it starts a new one (a parked problem taken up leaves the list)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.replies import Text
from handlers.common.validation import clean_name
from handlers.cycle.state import cycle_team, require_team_member
from prompts.catalog import Join, Msg
from storage.models import ParkedProblem, Team

TITLE_MAX = 200


async def parked_of(session: AsyncSession, team_id: int) -> list[ParkedProblem]:
    return list((await session.exec(select(ParkedProblem).where(
        ParkedProblem.team_id == team_id, col(ParkedProblem.taken_at).is_(None))
        .order_by(col(ParkedProblem.parked_at), col(ParkedProblem.id)))).all())


async def parked_lines(session: AsyncSession, team: Team) -> list[object]:
    """The parked list as shown when a team chooses its next focus (nothing when it is empty)."""
    rows = await parked_of(session, team.id)
    if not rows:
        return []
    return [Msg("method.parked_head"), *[Msg("cycle.bullet", text=p.title) for p in rows]]


async def take_up(session: AsyncSession, team_id: int, title: str, now: datetime) -> None:
    """A new cycle on a parked problem takes it off the list (same title, case aside)."""
    for p in await parked_of(session, team_id):
        if p.title.strip().lower() == title.strip().lower():
            p.taken_at = now
            session.add(p)


@command("park", params=(Param("problem", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def park(ctx: Context, problem: str | None) -> Text:
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    if problem:
        title = clean_name(problem, max_length=TITLE_MAX, what="name.cycle")
        ctx.session.add(ParkedProblem(team_id=team.id, title=title, parked_by=ctx.require_member().id,
                                      parked_at=ctx.now()))
        await ctx.session.flush()
        head: object = Msg("method.parked_saved", title=title)
    else:
        head = Msg("method.parked_list", team=team.name)
    lines = await parked_lines(ctx.session, team)
    return Text(Join([head, *(lines or [Msg("method.parked_none", park_cmd=command_name("park"))])]))
