"""Polls: limits, reading a duration, and finding a person's polls and teams (shared by the poll modules)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from bot.core.errors import UserError
from handlers.common.durations import NotADuration, minutes_of, split_leading
from handlers.common.validation import shorten
from handlers.common.values import read_index
from prompts.catalog import Msg
from storage.models import (
    Poll,
    School,
    Team,
)

QUESTION_MAX = 300
OPTION_MAX = 60
ADHOC_DEFAULT = timedelta(days=2)
MEETING_POLL_OPEN = timedelta(days=3)
SCAN_OPEN = timedelta(days=7)
MIN_DURATION, MAX_DURATION = 10, 14 * 1440  # minutes a chair's poll or a stille wand stays open
MAX_MIN_ANSWERS = 50
MAX_SCAN_WEEKS = 26
YESNO_PREFIX = re.compile(r"^(ja/nee|ja-nee|yes/no|yes-no)\s*:\s*", re.IGNORECASE)



# --- reading a duration at the start of a line --------------------------------------------------
def split_duration(text: str, default: timedelta) -> tuple[timedelta, str]:
    """``2d Welke dag?`` or ``2 dagen Welke dag?`` -> (2 days, 'Welke dag?'); a first word that is
    not a duration with a unit (``10 leerlingen…``) is part of the text, and the default applies.
    An absurd one (``99999d``, ``1e309m``) is refused, never taken for the question."""
    found = split_leading(text)
    if found is None:
        return default, text.strip()
    first, rest = found
    try:
        minutes = minutes_of(first)
    except NotADuration:
        minutes = None
    if minutes is None or not MIN_DURATION <= minutes <= MAX_DURATION:
        raise UserError(
            Msg("poll.bad_duration", text=shorten(first), low=MIN_DURATION, days=MAX_DURATION // 1440)
        )
    return timedelta(minutes=minutes), rest


# --- whose polls ----------------------------------------------------------------------------------
async def member_team_ids(ctx: Context) -> list[int]:
    if ctx.member is None:
        return []
    from storage.models import TeamMembership

    return list((await ctx.session.exec(select(TeamMembership.team_id).where(
        TeamMembership.member_id == ctx.member.id))).all())


async def open_polls(ctx: Context) -> list[Poll]:
    """Open polls of the caller's teams (only this channel's team when typed in one)."""
    teams = await member_team_ids(ctx)
    if ctx.team is not None:
        teams = [t for t in teams if t == ctx.team.id]
    if not teams:
        return []
    return list((await ctx.session.exec(select(Poll).where(
        col(Poll.team_id).in_(teams), Poll.status == "open", col(Poll.closes_at) > ctx.now(),
    ).order_by(col(Poll.opens_at), col(Poll.id)))).all())


def poll_title(poll: Poll, team: Team) -> Msg:
    if poll.kind == "scan":
        return Msg("poll.title.scan", team=team.name, round=poll.round)
    if poll.kind == "meeting":
        return Msg("poll.title.meeting", team=team.name)
    return Msg("poll.title.adhoc", team=team.name)


async def poll_team(session: AsyncSession, poll: Poll) -> tuple[Team, School]:
    team = await session.get(Team, poll.team_id)
    school = await session.get(School, team.school_id) if team is not None else None
    assert team is not None and school is not None
    return team, school


def poll_number(raw: str | None) -> int:
    value = read_index(raw)
    if value is None:
        raise UserError(Msg("poll.bad_button"))
    return value


async def my_poll(ctx: Context, raw_id: str) -> tuple[Poll, Team]:
    """A poll named by a button: it exists, and the caller is in its team."""
    poll = await ctx.session.get(Poll, poll_number(raw_id))
    if poll is None:
        raise UserError(Msg("poll.bad_button"))
    team = await ctx.session.get(Team, poll.team_id)
    if team is None or ctx.member is None or await ctx.team_membership(team) is None:
        raise UserError(Msg("poll.not_your_team"))
    return poll, team


def is_open(poll: Poll, now: datetime) -> bool:
    return poll.status == "open" and now < poll.closes_at
