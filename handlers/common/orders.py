"""Recognised wrong argument orders: ``/voorzitter Middenbouw johan`` -> "Bedoel je
``/voorzitter johan Middenbouw``?", the same for every command that takes a person and then a team.

A wrong order is only named when it is certain: what was typed as the team is no team, and the
words typed first are one (``Groep 5`` included), so a real typo still gets the team reader's own
did-you-mean answer.
"""

from __future__ import annotations

from bot.core.commands import command_name
from bot.core.context import Context
from bot.core.errors import UserError
from handlers.common.validation import shorten
from prompts.catalog import Msg
from storage import queries as q


async def person_team_order(ctx: Context, person: str, team: str | None, command_id: str) -> None:
    """Raise "Bedoel je /cmd <person> <team>?" when the team was typed before the person."""
    if not team:
        return
    school = ctx.require_school()
    if await q.team_by_name(ctx.session, school.id, team) is not None:
        return
    words = f"{person} {team}".split()
    for n in range(len(words) - 1, 0, -1):
        found = await q.team_by_name(ctx.session, school.id, " ".join(words[:n]))
        if found is not None:
            raise UserError(Msg("conv.wrong_order_chair", cmd=command_name(command_id),
                                person=shorten(" ".join(words[n:])), team=found.name))
