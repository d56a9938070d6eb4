"""Facilitation tips for the chair, per phase (seed 001: the PLG-begeleider guides the process,
the people and the goal; seed 002: take the time). The texts live in the catalogs
(``method.tips.*``), so a team trainer can change them without touching Python."""

from __future__ import annotations

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.values import read_index
from handlers.cycle.running import is_running
from handlers.cycle.state import active_cycle, cycle_team
from prompts.catalog import Join, Msg

STAGES = ("phase1", "phase2", "phase3", "running", "phase4")


@command("tips", params=(Param("phase", required=False),), access=Access.SCHOOL_MEMBER, section="cycle")
async def tips(ctx: Context, phase: str | None) -> Text:
    """The tips for a phase (1–4), else for where the caller's team is now."""
    if phase is not None:
        n = read_index(phase)
        if n is None or not 1 <= n <= 4:
            raise UserError(Msg("method.tips_phase", tips_cmd=command_name("tips")))
        stage = f"phase{n}"
    else:
        team = await cycle_team(ctx)
        found = await active_cycle(ctx.session, team.id)
        if found is None:
            stage = "phase1"
        else:
            rnd = found[1]
            stage = "running" if is_running(rnd) else f"phase{rnd.phase}"
    return Text(Join([Msg(f"method.tips.{stage}.head"),
                      *[Msg("cycle.bullet", text=Msg(f"method.tips.{stage}.t{i}")) for i in (1, 2, 3)]]))
