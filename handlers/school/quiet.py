"""A school's quiet hours: `/stilteuren` shows them, `/stilteuren 18:00 07:30` (a leader) sets them.

Between quiet_from and quiet_until, and at weekends, in the school's time zone, the bot posts
nothing on its own: reminders, nudges, polls and digests that fall due then are queued for the
next school morning (handlers/common/school_time.next_allowed). Answers to a person never wait.
"""

from __future__ import annotations

from bot.core.commands import Access, Param, command
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.dates import skip_separator
from handlers.common.times import read_time, time_first
from handlers.common.values import time_msg
from prompts.catalog import Msg


def _time(text: str) -> str:
    """The one time reader (``18:00``, ``18u``, ``half acht``), as the stored HH:MM."""
    hour, minute = read_time(text)
    return time_msg(hour, minute)


@command("quiet_hours", params=(Param("start", required=False, rest=True),),
         access=Access.SCHOOL_MEMBER, section="school")
async def quiet_hours(ctx: Context, start: str | None) -> Text:
    """``/stilteuren 18:00 07:30``, ``/stilteuren zes uur tot half acht``: two times, of one or more words."""
    school = ctx.require_school()
    end: str | None = None
    if start is not None:
        start, after = time_first([start])
        end = " ".join(skip_separator(after)) or None
    if start is None:
        return Text(Msg("quiet.now", school=school.name, start=school.quiet_from, end=school.quiet_until))
    if not await ctx.is_school_manager():
        raise UserError(Msg("quiet.only_leader"))
    if end is None:
        raise UserError(Msg("quiet.need_both"))
    quiet_from, quiet_until = _time(start), _time(end)
    if quiet_until >= quiet_from:
        raise UserError(Msg("quiet.order", start=quiet_from, end=quiet_until))
    school.quiet_from, school.quiet_until = quiet_from, quiet_until
    ctx.session.add(school)
    return Text(Msg("quiet.set", school=school.name, start=quiet_from, end=quiet_until))
