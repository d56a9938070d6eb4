"""A team command in the voorzittersoverleg's chat is refused, kindly.

The chairs' meeting is stored as a team row of kind "chairs" (handlers/chairs/circle.py), so its
linked chat resolves to that row like a team's chat does. A team command typed there (the cycle,
joining, a team's own rhythm) would treat the chairs' meeting as a learning team; the two places
that pick "the team of this chat" pass it through :func:`learning_team` first, which points to the
chairs' meeting's own commands instead.
"""

from __future__ import annotations

from bot.core.commands import command_name
from bot.core.errors import UserError
from prompts.catalog import Msg
from storage.circle import CHAIRS_KIND
from storage.models import Team


def learning_team(team: Team) -> Team:
    if team.kind == CHAIRS_KIND:
        raise UserError(Msg("chairs.not_a_team", chairs_cmd=command_name("chairs_meeting"),
                            add_cmd=command_name("chairs_add")))
    return team
