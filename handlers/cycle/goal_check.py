"""A result beside the baseline and the target (seed 003: evaluate against the goal set before
the intervention): "nulmeting 42 %, doel 65 %, gemeten 58 %: doel niet gehaald".

The goal's direction follows from the numbers: a target above the baseline is reached at or
above it; a target below the baseline (fewer pupils below level) at or below it."""

from __future__ import annotations

from sqlmodel import select

from bot.core.context import Context
from handlers.common.measures import measure_msg
from prompts.catalog import Msg
from storage.models import CycleRound, PlanRecord, ProblemRecord


def reached(baseline: float | None, goal: float, measured: float) -> bool:
    if baseline is not None and goal < baseline:
        return measured <= goal
    return measured >= goal


def goal_line(baseline: float | None, unit: str | None, goal: float | None,
              measured: float | None, signs: tuple[str | None, str | None, str | None] = (None, None, None),
              ) -> Msg | None:
    """The comparison, or None when there is no goal or no result to compare; ``signs``: the unit
    typed with the baseline, the goal and the result ("%"), so 42 % stays 42 %."""
    if goal is None or measured is None:
        return None
    shown = measure_msg(baseline, signs[0]) if baseline is not None else "?"
    return Msg("method.against_goal", baseline=shown,
               goal=measure_msg(goal, signs[1]), measured=measure_msg(measured, signs[2]),
               unit=Msg("method.unit", unit=unit) if unit else "",
               verdict=Msg("method.goal_reached" if reached(baseline, goal, measured)
                           else "method.goal_missed"))


async def against_goal(ctx: Context, rnd: CycleRound, measured: float | None,
                       measured_sign: str | None = None) -> Msg | str:
    problem = (await ctx.session.exec(select(ProblemRecord).where(ProblemRecord.round_id == rnd.id))).first()
    plan = (await ctx.session.exec(select(PlanRecord).where(PlanRecord.round_id == rnd.id))).first()
    line = goal_line(problem.baseline_value if problem else None, problem.baseline_unit if problem else None,
                     plan.goal_value if plan else None, measured,
                     (problem.baseline_sign if problem else None, plan.goal_sign if plan else None,
                      measured_sign))
    return line if line is not None else ""


async def cycle_sign(ctx: Context, rnd: CycleRound) -> str | None:
    """The unit this round's numbers were typed with (its goal's, else its baseline's): a result
    typed as a bare 58 in a round whose baseline was 42 % is 58 %."""
    plan = (await ctx.session.exec(select(PlanRecord).where(PlanRecord.round_id == rnd.id))).first()
    if plan is not None and plan.goal_sign:
        return plan.goal_sign
    problem = (await ctx.session.exec(select(ProblemRecord).where(ProblemRecord.round_id == rnd.id))).first()
    return problem.baseline_sign if problem is not None else None
