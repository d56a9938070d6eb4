"""The voorzittersoverleg as stored: a school-level team row of kind ``"chairs"``.

Seed 003: the chairs of the learning teams and the management team meet on their own rhythm,
tell each other what their teams learn and need, and advise the leadership. That meeting needs
exactly what a team meeting has — a rhythm that becomes dated meetings, holidays that pause it,
reminders through the outbox at quiet-hour-aware times, an agenda whose open points roll over,
notes asked of one person afterwards, a chat it lives in — and all of that is keyed by
``team_id`` (``handlers/meetings``). So the chairs' meeting *is* a team row, of kind "chairs":

- one per school, created on first use, with the key ``#chairs`` that no learning team can have
  (``#`` is refused in team names), so creating it twice is a no-op on the unique key;
- never listed as a team: team lists, the digest, scans and meeting polls select ``kind ==
  "team"``; a team command typed in its chat is refused (``handlers/common/learning_team.py``);
- no memberships of its own: who takes part is derived from the roles every time (the school's
  leaders and the chairs of its active teams, ``storage/circle.py``), so it never goes stale, and
  the core's one role check (``Context.can_manage_team``) admits exactly them.

A separate model would have meant a second copy of the rhythm, reminders, notes and the clock's
planning for one row per school; a team row reuses them unchanged.
"""

from __future__ import annotations

from bot.core.commands import command_name
from bot.core.context import Context
from bot.core.errors import UserError
from prompts.catalog import Msg
from prompts.markup import plain
from storage import circle
from storage.models import Team
from storage.queries import insert_ignore


async def find(ctx: Context) -> Team | None:
    """The school's chairs' meeting, if anyone has set it up (reading never creates it)."""
    school = ctx.require_school()
    return await circle.chairs_meeting(ctx.session, school.id)


async def ensure(ctx: Context) -> Team:
    """The school's chairs' meeting, created on first use (named in the school's language)."""
    school = ctx.require_school()
    found = await circle.chairs_meeting(ctx.session, school.id)
    if found is not None:
        return found
    # in the school's words: "Voorzittersoverleg", "Procesbegeleidersoverleg" … (named once, when made)
    name = plain(ctx.catalog.render(Msg("chairs.name"), school.language, role=school.role_name))
    row = {"school_id": school.id, "name": name, "name_key": circle.CHAIRS_KEY, "created_at": ctx.now(),
           "kind": circle.CHAIRS_KIND}
    await insert_ignore(ctx.session, Team, [row], ["school_id", "name_key"])
    found = await circle.chairs_meeting(ctx.session, school.id)
    assert found is not None  # inserted just now, or by a concurrent first use
    return found


async def require_participant(ctx: Context) -> None:
    """Chairs of the school's teams and its leaders only; everyone else is told who may."""
    school = ctx.require_school()
    member = ctx.member
    if member is None or not await circle.is_participant(ctx.session, school.id, member.id):
        raise UserError(Msg("chairs.only_chairs", teams_cmd=command_name("teams")))
