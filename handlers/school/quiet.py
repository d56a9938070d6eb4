"""A school's quiet hours: `/stilteuren` shows them, `/stilteuren 18:00 07:30` (a leader) sets them.

Between quiet_from and quiet_until, and at weekends, in the school's time zone, the bot posts
nothing on its own: reminders, nudges, polls and digests that fall due then are queued for the
next school morning (handlers/common/school_time.next_allowed). Answers to a person never wait.
"""

from __future__ import annotations

import re

from bot.core.commands import Access, Param, command
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.validation import shorten
from prompts.catalog import Msg

HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _time(text: str) -> str:
    m = HHMM.match(text.strip())
    if m is None:
        raise UserError(Msg("quiet.bad_time", text=shorten(text, 16)))
    return f"{int(m.group(1)):02d}:{m.group(2)}"


@command("quiet_hours", params=(Param("start", required=False), Param("end", required=False)),
         access=Access.SCHOOL_MEMBER, section="school")
async def quiet_hours(ctx: Context, start: str | None, end: str | None) -> Text:
    school = ctx.require_school()
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
