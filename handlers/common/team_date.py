"""A team name and a date in one argument (``/bezocht Groep 5 donderdag 3 december``): the team
name may have spaces and the date may be several words, so the one date reader decides where the
date begins. A date typed before the team is a recognised wrong order ("Bedoel je …?")."""

from __future__ import annotations

from datetime import date

from bot.core.commands import command_name
from bot.core.context import Context
from bot.core.errors import UserError
from handlers.common.dates import dates_at_end, take_date
from handlers.common.suggest import unknown_team
from handlers.common.validation import shorten
from prompts.catalog import Msg
from storage import queries as q
from storage.models import Team


async def team_and_date(ctx: Context, school_id: int, text: str, today: date,
                        command_id: str) -> tuple[Team, str | None]:
    """(the team, the date as typed or None) for ``<team> [date]``; a UserError names the mistake."""
    session = ctx.session
    whole = await q.team_by_name(session, school_id, text)
    if whole is not None:
        return whole, None
    words = text.split()
    ends = [n for n in dates_at_end(words, today) if n < len(words)]
    for n in ends:
        found = await q.team_by_name(session, school_id, " ".join(words[:-n]))
        if found is not None:
            return found, " ".join(words[-n:])
    first = take_date(words, today)
    if first and first < len(words):
        found = await q.team_by_name(session, school_id, " ".join(words[first:]))
        if found is not None:  # /bezocht 3 december Groep 5: the date first
            raise UserError(Msg("talk.wrong_order_team_date", cmd=command_name(command_id), team=found.name,
                                day=shorten(" ".join(words[:first]))))
    head = " ".join(words[:-ends[-1]]) if ends else text  # the shortest date: the longest name
    raise await unknown_team(session, school_id, head)
