"""A short first cycle aimed at a quick win (seed 001: "In het begin kan het aangewezen zijn om toe
te werken naar 'quick wins'"): a new team may start its first cycle as a short one, e.g. six weeks,
with ``/cyclus <titel> | kort`` or ``/cyclus <titel> | kort 8 weken``.

What it changes is the plan's expected durations: each of phases 1–3 is expected to take about
``weeks / 6`` week(s) (one week in a six-week cycle) and the intervention the rest, instead of the
``LEERTEAM_STALL_WEEKS`` a phase of a normal cycle may take. /status shows the short cycle, its end
and whether the current phase is on schedule; the momentum guard flags a phase of a short cycle
once it is a week over its expected length. The method itself (four phases, exit criteria) stays
the same: a short cycle is a small problem, not a skipped step.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import command_name
from bot.core.errors import UserError
from handlers.common.values import date_msg, today_in
from prompts.catalog import Msg
from storage.models import Cycle, CycleRound

DEFAULT_WEEKS = 6
MIN_WEEKS, MAX_WEEKS = 4, 10
GRACE_WEEKS = 1  # a phase of a short cycle stalls this long after its expected end
SHORTEST_STALL_WEEKS = 1 + GRACE_WEEKS  # the earliest any phase can stall
# after the title's last "|": "kort", "kort 8 weken", "short 8 weeks", "8 weken"
OPTION = re.compile(r"^(?:(?:kort|short)\s*)?(?:(\d{1,2})\s*(?:weken|week|weeks|wk|w))?$", re.IGNORECASE)


def read_short(title: str) -> tuple[str, int | None]:
    """``<titel> | kort [N weken]`` → (titel, N or DEFAULT_WEEKS); a title without it → (title, None).
    The option follows a "|" so that a title that starts with "Kort …" stays a title."""
    head, bar, option = title.rpartition("|")
    m = OPTION.match(" ".join(option.split())) if bar else None
    if m is None or not option.strip():
        return title, None
    weeks = int(m.group(1)) if m.group(1) else DEFAULT_WEEKS
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise UserError(Msg("start.short.bad_weeks", weeks=_weeks(weeks), low=MIN_WEEKS,
                            high=_weeks(MAX_WEEKS), cmd=command_name("cycle_start")))
    return head.strip(), weeks


async def check_first(session: AsyncSession, team_id: int) -> None:
    """Only a team's first cycle can be short: the quick win is for the start."""
    earlier = (await session.exec(
        select(func.count()).select_from(Cycle).where(Cycle.team_id == team_id))).one()
    if earlier:
        raise UserError(Msg("start.short.not_first"))


def phase_weeks(weeks: int) -> dict[int, int]:
    """The expected weeks of phases 1–3 and of the intervention (4) in a short cycle of ``weeks``."""
    each = max(1, round(weeks / 6))
    return {1: each, 2: each, 3: each, 4: max(1, weeks - 3 * each)}


def stall_weeks(cycle: Cycle, phase: int, normal: int) -> int:
    """After how many weeks in one phase the momentum guard calls it stalled (a running intervention
    is measured by its moments, never by its length; the evaluation in phase 4 is a short phase)."""
    if cycle.short_weeks is None:
        return normal
    return min(normal, phase_weeks(cycle.short_weeks)[1 if phase == 4 else phase] + GRACE_WEEKS)


def end_of(cycle: Cycle, tz: str) -> date:
    assert cycle.short_weeks is not None
    return today_in(tz, cycle.started_at) + timedelta(weeks=cycle.short_weeks)


def started_lines(cycle: Cycle, tz: str) -> list[Msg]:
    """What the team reads when a short cycle starts."""
    if cycle.short_weeks is None:
        return []
    plan = phase_weeks(cycle.short_weeks)
    return [Msg("start.short.started", weeks=_weeks(cycle.short_weeks), each=_weeks(plan[1]),
                run=_weeks(plan[4]), end=date_msg(end_of(cycle, tz)))]


def _weeks(n: int) -> Msg:
    return Msg("start.short.weeks", count=n)


def status_lines(cycle: Cycle, rnd: CycleRound, tz: str, now: datetime) -> list[Msg]:
    """/status of a short cycle: its length and end, and the current phase against its expectation."""
    if cycle.short_weeks is None:
        return []
    expected = phase_weeks(cycle.short_weeks)[rnd.phase]
    in_phase = (today_in(tz, now) - today_in(tz, rnd.phase_started_at)).days // 7 + 1
    late = (now - rnd.phase_started_at) > timedelta(weeks=expected)
    return [Msg("start.short.status", weeks=_weeks(cycle.short_weeks), end=date_msg(end_of(cycle, tz)),
                expected=_weeks(expected), week=in_phase,
                state=Msg("start.short.late" if late else "start.short.on_time"))]
