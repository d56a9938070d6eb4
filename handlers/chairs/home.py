"""The chairs' meeting where its participants look first: a section on the Home overview (for the
school's chairs and leaders once it is planned; before that for the leaders only, as a next step),
and the teams' state on the agenda a reminder carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import command_name
from bot.core.context import Context
from handlers.chairs.state import state_lines
from handlers.common.school_time import when_msg, zone
from handlers.meetings.plan import next_meeting, open_items
from prompts.catalog import Msg
from storage import circle
from storage.models import Meeting, School, Team


async def home_section(ctx: Context) -> list[Any]:
    school, member = ctx.school, ctx.member
    if school is None or member is None or not await circle.is_participant(ctx.session, school.id, member.id):
        return []
    team = await circle.chairs_meeting(ctx.session, school.id)
    meeting = await next_meeting(ctx.session, team.id, ctx.now()) if team is not None else None
    if team is None or meeting is None:  # nothing planned: only the leadership is asked to set it up
        mine = await ctx.membership()
        if mine is None or not mine.is_leader:
            return []
        return [Msg("chairs.home_head"), Msg("chairs.home_none", rhythm_cmd=command_name("chairs_rhythm"))]
    count = len((await open_items(ctx.session, [team.id])).get(team.id, []))
    return [Msg("chairs.home_head"),
            Msg("chairs.home_next", when=when_msg(meeting.starts_at, zone(school)), count=count,
                agenda_cmd=command_name("chairs_agenda"))]


async def reminder_state(session: AsyncSession, team: Team, meeting: Meeting, now: datetime) -> list[Any]:
    """A chairs' meeting reminder carries each team's state (a learning team's: nothing extra)."""
    if team.kind != circle.CHAIRS_KIND:
        return []
    school = await session.get(School, team.school_id)
    if school is None:
        return []
    return [*await state_lines(session, school, now),
            Msg("chairs.reminder_hint", add_cmd=command_name("chairs_add"))]
