"""Did you mean …? Close matches for a mistyped team name or person, so a typo gets the right
name back instead of a dead end (``/aansluiten Midenbouw`` -> Middenbouw).

difflib is enough here: a school has a handful of teams and a few dozen people, and the names are
short; the cut-off keeps "Groep 5" from suggesting "Groep 8" only when nothing closer exists.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import command_name
from bot.core.errors import UserError
from handlers.common.validation import shorten
from prompts.catalog import Msg
from storage import circle
from storage.models import Team
from storage.queries import TEAM_REF

CUTOFF = 0.75


def closest(typed: str, names: Iterable[str]) -> str | None:
    """The one name closest to what was typed (case-insensitive), or None if none is close."""
    by_key = {name.casefold(): name for name in names}
    found = difflib.get_close_matches(typed.casefold(), list(by_key), n=1, cutoff=CUTOFF)
    return by_key[found[0]] if found else None


async def team_names(session: AsyncSession, school_id: int) -> list[str]:
    return list((await session.exec(select(Team.name).where(
        Team.school_id == school_id, col(Team.archived_at).is_(None), Team.kind == circle.TEAM_KIND))).all())


async def unknown_team(session: AsyncSession, school_id: int, typed: str) -> UserError:
    """The answer to a team name the school does not have: the close one if there is one."""
    if typed.startswith(TEAM_REF):  # a button naming a team that is gone (archived, deleted)
        return UserError(Msg("common.stale_button"))
    suggestion = closest(typed, await team_names(session, school_id))
    if suggestion is not None:
        return UserError(Msg("conv.unknown_team_close", team=shorten(typed), suggestion=suggestion,
                             teams_cmd=command_name("teams")))
    return UserError(Msg("team.unknown", team=shorten(typed), teams_cmd=command_name("teams")))
