"""A result beside the baseline and the target (seed 003: evaluate against the goal set before
the intervention): "nulmeting 42 %, doel 65 %, gemeten 58 %: doel niet gehaald".

The goal's direction follows from the numbers: a target above the baseline is reached at or
above it; a target below the baseline (fewer pupils below level) at or below it."""

from __future__ import annotations

from sqlmodel import select

from bot.core.context import Context
from handlers.common.values import number_msg
from prompts.catalog import Msg
from storage.models import CycleRound, PlanRecord, ProblemRecord


def reached(baseline: float | None, goal: float, measured: float) -> bool:
    if baseline is not None and goal < baseline:
        return measured <= goal
    return measured >= goal


def goal_line(baseline: float | None, unit: str | None, goal: float | None,
              measured: float | None) -> Msg | None:
    """The comparison, or None when there is no goal or no result to compare."""
    if goal is None or measured is None:
        return None
    return Msg("method.against_goal", baseline=number_msg(baseline) if baseline is not None else "?",
               goal=number_msg(goal), measured=number_msg(measured),
               unit=Msg("method.unit", unit=unit) if unit else "",
               verdict=Msg("method.goal_reached" if reached(baseline, goal, measured)
                           else "method.goal_missed"))


async def against_goal(ctx: Context, rnd: CycleRound, measured: float | None) -> Msg | str:
    problem = (await ctx.session.exec(select(ProblemRecord).where(ProblemRecord.round_id == rnd.id))).first()
    plan = (await ctx.session.exec(select(PlanRecord).where(PlanRecord.round_id == rnd.id))).first()
    line = goal_line(problem.baseline_value if problem else None, problem.baseline_unit if problem else None,
                     plan.goal_value if plan else None, measured)
    return line if line is not None else ""
