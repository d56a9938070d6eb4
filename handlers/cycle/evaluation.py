"""Phase 4's records — results per measurement moment, the verdict, what was learned, how it is
embedded — and taking back a record added by mistake."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Reply, Text
from handlers.common.forms import Field, as_date, form, start_form
from handlers.common.measures import measure_msg, read_measure
from handlers.common.school_time import zone
from handlers.common.values import date_msg, read_index, read_text
from handlers.cycle.goal_check import against_goal, cycle_sign
from handlers.cycle.records import (
    KINDS,
    by_caller,
    moments_of,
    one_record,
    record_context,
    round_from,
)
from handlers.cycle.running import is_running, open_evaluation
from handlers.cycle.state import require_cycle
from prompts.catalog import Join, Msg
from storage.models import (
    Action,
    EvaluationRecord,
    Hypothesis,
    MeasurementMoment,
    School,
    Source,
)


# --- phase 4 -------------------------------------------------------------------------------
@command("result", params=(Param("moment"), Param("value", rest=True)), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def result(ctx: Context, moment: str, value: str) -> list[Reply]:
    team, rnd = await record_context(ctx, (4,), "what.result")
    moments = await moments_of(ctx, rnd)
    if not 1 <= (read_index(moment) or 0) <= len(moments):
        if not moments:
            raise UserError(Msg("rec.no_moments", moment_cmd=command_name("moment")))
        raise UsageError("result", Msg("rec.moment_number", max=len(moments)))
    m = moments[int(moment) - 1]
    school = await ctx.session.get(School, team.school_id)
    if m.on > ctx.now().astimezone(zone(school)).date():
        raise UserError(Msg("daily.result_future", on=date_msg(m.on), moment_cmd=command_name("moment")))
    typed = read_measure(value)  # 58 % keeps its unit; a bare 58 takes the cycle's (its goal's, baseline's)
    m.result_value, m.result_sign = typed.value, typed.sign or await cycle_sign(ctx, rnd)
    m.result_by, m.result_at = by_caller(ctx), ctx.now()
    ctx.session.add(m)
    comparison = await against_goal(ctx, rnd, m.result_value, m.result_sign)
    head = Msg("rec.result_saved", on=date_msg(m.on), value=measure_msg(m.result_value, m.result_sign))
    saved: list[Reply] = [Text(Join([head, *([comparison] if comparison else [])]))]
    if is_running(rnd) and moments[-1].result_value is not None:  # the last moment measured
        cycle, _ = await require_cycle(ctx, team)
        saved += await open_evaluation(ctx, team, cycle, rnd)
    return saved


@command("learned", params=(Param("text", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def learned(ctx: Context, text: str) -> Text:
    _, rnd = await record_context(ctx, (4,), "what.learned")
    ev = await one_record(ctx, EvaluationRecord, rnd)
    ev.learned = read_text(text, max_length=2000, what="what.learned")
    ev.updated_by, ev.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(ev)
    return Text(Msg("rec.learned_saved", text=ev.learned))


@command("embed", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def embed(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (4,), "what.embedding")
    return await start_form(ctx, "embed", fields, {"round_id": rnd.id, "team_id": team.id})


@form("embed", "embed", (Field("agreements", max_length=2000), Field("review", "future_date")))
async def _save_embedding(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await round_from(ctx, context, (4,), "what.embedding")
    ev = await one_record(ctx, EvaluationRecord, rnd)
    ev.embedding, ev.review_on = values["agreements"], as_date(values["review"])
    ev.updated_by, ev.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(ev)
    return [Text(Msg("rec.embedding_saved", review=date_msg(ev.review_on)))]


# --- corrections ---------------------------------------------------------------------------
REMOVABLE: dict[str, tuple[Any, tuple[int, ...]]] = {
    "hypothesis": (Hypothesis, (1, 2)),
    "source": (Source, (2, 3, 4)),
    "action": (Action, (3,)),
    "moment": (MeasurementMoment, (3, 4)),
}


@command("remove", params=(Param("kind"), Param("number")), access=Access.SCHOOL_MEMBER, section="cycle")
async def remove(ctx: Context, kind: str, number: str) -> Text:
    what = KINDS.get(kind.strip().lower())
    if what is None:
        raise UsageError("remove", Msg("rec.remove_kinds"))
    model, phases = REMOVABLE[what]
    team, rnd = await record_context(ctx, phases, f"what.{what}")
    order = (
        (col(MeasurementMoment.on), col(MeasurementMoment.id))
        if model is MeasurementMoment
        else (col(model.id),)
    )
    rows = list(
        (await ctx.session.exec(select(model).where(model.round_id == rnd.id).order_by(*order))).all()
    )
    if not 1 <= (read_index(number) or 0) <= len(rows):
        raise UserError(
            Msg("rec.remove_number", max=len(rows))
            if rows
            else Msg("rec.remove_nothing", what=Msg(f"what.{what}"))
        )
    row = rows[int(number) - 1]
    if getattr(row, "added_by", None) != by_caller(ctx) and not await ctx.can_manage_team(team):
        raise UserError(Msg("rec.remove_not_yours"))
    if isinstance(row, MeasurementMoment) and row.result_value is not None:
        raise UserError(Msg("rec.remove_has_result"))
    await ctx.session.delete(row)
    return Text(Msg("rec.removed", what=Msg(f"what.{what}"), n=int(number)))
