"""Phase 3's records: the intervention as a plan — actions with owner and date, the goal, the data
plan and the measurement moments."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Reply, Text
from handlers.common.dates import take_date
from handlers.common.forms import Field, as_date, form, start_form
from handlers.common.measures import Measure, measure_msg
from handlers.common.values import date_msg
from handlers.cycle.records import by_caller, moments_of, one_record, record_context, round_from
from prompts.catalog import Join, Msg
from storage import queries as q
from storage.models import (
    Action,
    MeasurementMoment,
    PlanRecord,
    ProblemRecord,
)


# --- phase 3 -------------------------------------------------------------------------------
@command("action", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def action(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (3,), "what.action")
    return await start_form(ctx, "action", fields, {"round_id": rnd.id, "team_id": team.id})


@form(
    "action", "action", (Field("what", max_length=500), Field("who", "person"), Field("due", "future_date"))
)
async def _save_action(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await round_from(ctx, context, (3,), "what.action")
    who = values["who"]
    a = Action(
        round_id=rnd.id,
        description=values["what"],
        owner_member_id=who["member_id"],
        owner_label=who["label"],
        due=date.fromisoformat(values["due"]),
        added_by=by_caller(ctx),
        added_at=ctx.now(),
    )
    ctx.session.add(a)
    return [Text(Msg("rec.action_saved", what=a.description, who=a.owner_label, due=date_msg(a.due)))]


@command("goal", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def goal(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (3,), "what.goal")
    return await start_form(ctx, "goal", fields, {"round_id": rnd.id, "team_id": team.id})


@form(
    "goal",
    "goal",
    (Field("what", max_length=500), Field("value", "measure"), Field("deadline", "future_date")),
)
async def _save_goal(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await round_from(ctx, context, (3,), "what.goal")
    plan = await one_record(ctx, PlanRecord, rnd)
    typed = Measure.from_json(values["value"])
    problem = (await ctx.session.exec(select(ProblemRecord).where(ProblemRecord.round_id == rnd.id))).first()
    plan.goal_value, plan.goal_sign = typed.value, typed.sign or (problem.baseline_sign if problem else None)
    plan.goal_text, plan.goal_deadline = values["what"], as_date(values["deadline"])
    plan.updated_by, plan.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(plan)
    shown = measure_msg(plan.goal_value, plan.goal_sign)
    return [Text(Msg("rec.goal_saved", what=plan.goal_text, value=shown,
                     deadline=date_msg(plan.goal_deadline)))]


@command("dataplan", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def dataplan(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (3,), "what.dataplan")
    return await start_form(ctx, "dataplan", fields, {"round_id": rnd.id, "team_id": team.id})


@form("dataplan", "dataplan", (Field("instrument", max_length=300), Field("baseline", "date")))
async def _save_dataplan(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await round_from(ctx, context, (3,), "what.dataplan")
    plan = await one_record(ctx, PlanRecord, rnd)
    plan.instrument, plan.baseline_moment = values["instrument"], as_date(values["baseline"])
    plan.updated_by, plan.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(plan)
    return [
        Text(
            Msg(
                "rec.dataplan_saved",
                instrument=plan.instrument,
                baseline=date_msg(plan.baseline_moment),
                moment_cmd=command_name("moment"),
            )
        )
    ]


@command("moment", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def moment(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (3,), "what.moment")
    if fields and "|" not in fields:  # "/meetmoment 15-3-2027 na blok 3": a date, then an optional label
        fields = _split_date_label(fields, ctx.now().date())
    return await start_form(ctx, "moment", fields, {"round_id": rnd.id, "team_id": team.id})


def _split_date_label(text: str, today: date) -> str:
    """'1 april 2027 eindmeting', 'donderdag 3 december eindmeting' or '1-4-2027 eindmeting': the
    longest leading words that read as a date (the one date reader decides), then the rest as the
    label (as 'date | label' for the form)."""
    words = text.split()
    n = take_date(words, today)
    if n:
        rest = " ".join(words[n:])
        return f"{' '.join(words[:n])} | {rest}" if rest else " ".join(words[:n])
    day, _, label = text.strip().partition(" ")
    return f"{day} | {label}" if label else day


@form("moment", "moment", (Field("on", "future_date"), Field("label", optional=True, max_length=120),
                           Field("owner", "person", optional=True)))  # who measures; default the chair
async def _save_moment(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await round_from(ctx, context, (3,), "what.moment")
    on = date.fromisoformat(values["on"])
    plan = (await ctx.session.exec(select(PlanRecord).where(PlanRecord.round_id == rnd.id))).first()
    if plan is not None and plan.goal_deadline is not None and on > plan.goal_deadline:
        raise UserError(Msg("daily.moment_after_deadline", on=date_msg(on),
                            deadline=date_msg(plan.goal_deadline), goal_cmd=command_name("goal")))
    owner = await moment_owner(ctx, context, values.get("owner"))
    m = MeasurementMoment(round_id=rnd.id, on=on, label=values["label"], owner_member_id=owner)
    ctx.session.add(m)
    await ctx.session.flush()
    moments = await moments_of(ctx, rnd)
    lines: list[object] = [Msg("rec.moment_saved"), Msg("rec.moments_now")]
    lines += [
        Msg("rec.moment_line", n=i, on=date_msg(x.on), label=x.label or "") for i, x in enumerate(moments, 1)
    ]
    lines.append(Msg("start.moment.owner", person=values["owner"]["label"]) if owner is not None
                 else Msg("start.moment.owner_chair"))
    return [Text(Join(lines))]


async def moment_owner(ctx: Context, context: dict[str, Any], person: dict[str, Any] | None) -> int | None:
    """The person named as responsible for a measurement moment, who must be in the team."""
    if person is None or person.get("member_id") is None:
        return None
    member_id = int(person["member_id"])
    if await q.team_membership(ctx.session, int(context["team_id"]), member_id) is None:
        raise UserError(Msg("start.moment.not_in_team", person=person["label"]))
    return member_id
