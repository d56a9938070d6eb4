"""The structured records each phase needs, so evaluation can compare data with a baseline
and a goal instead of 'the pupils seemed engaged'.

Phase 1: problem statement, baseline (nulmeting), hypotheses, the team's agreement.
Phase 2: sources in the team's library, the chosen direction.
Phase 3: actions with owner and date, the goal, the data plan, measurement moments.
Phase 4: results per measurement moment, the verdict, what was learned, how it is embedded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Choices, Option, Reply, Text
from handlers.common.forms import Field, as_date, form, start_form
from handlers.common.values import date_msg, number_msg, read_date, read_index, read_number, read_text
from handlers.cycle.state import (
    MAX_HYPOTHESES,
    cycle_team,
    require_cycle,
    require_phase,
    require_team_member,
)
from prompts.catalog import Join, Msg
from storage.models import (
    Action,
    Agreement,
    CycleRound,
    DirectionRecord,
    EvaluationRecord,
    Hypothesis,
    MeasurementMoment,
    PlanRecord,
    ProblemRecord,
    Source,
    Team,
)

VERDICT_WORDS = {"opgelost": "solved", "solved": "solved", "ja": "solved", "deels": "partly",
                 "gedeeltelijk": "partly", "partly": "partly", "partially": "partly", "niet": "not",
                 "nee": "not", "not": "not", "unsolved": "not"}
KINDS = {"hypothese": "hypothesis", "hypothesis": "hypothesis", "bron": "source", "source": "source",
         "actie": "action", "action": "action", "meetmoment": "moment", "moment": "moment"}


async def _context(ctx: Context, phases: tuple[int, ...], what: str) -> tuple[Team, CycleRound]:
    """The caller's team and its current round, checked: member of the team, right phase."""
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    _, rnd = await require_cycle(ctx, team)
    require_phase(rnd, phases, what)
    return team, rnd


async def _round_from(
    ctx: Context, context: dict[str, Any], phases: tuple[int, ...], what: str
) -> CycleRound:
    """For a form finished later: the round it was started in must still be current and open."""
    team, rnd = await _context(ctx, phases, what)
    if context.get("round_id") not in (None, rnd.id):
        raise UserError(Msg("cycle.round_moved"))
    return rnd


async def _one(ctx: Context, model: Any, rnd: CycleRound) -> Any:
    row = (await ctx.session.exec(select(model).where(model.round_id == rnd.id))).first()
    return row or model(round_id=rnd.id, updated_at=ctx.now())


async def _moments(ctx: Context, rnd: CycleRound) -> list[MeasurementMoment]:
    """Measurement moments in date order: the numbers people type refer to this order."""
    return list(
        (
            await ctx.session.exec(
                select(MeasurementMoment)
                .where(MeasurementMoment.round_id == rnd.id)
                .order_by(col(MeasurementMoment.on), col(MeasurementMoment.id))
            )
        ).all()
    )


def _by(ctx: Context) -> int | None:
    return ctx.member.id if ctx.member else None


# --- phase 1 -------------------------------------------------------------------------------
@command("problem", params=(Param("statement", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def problem(ctx: Context, statement: str) -> Text:
    _, rnd = await _context(ctx, (1,), "what.statement")
    rec = await _one(ctx, ProblemRecord, rnd)
    rec.statement = read_text(statement, max_length=1000, what="what.statement")
    rec.updated_by, rec.updated_at = _by(ctx), ctx.now()
    ctx.session.add(rec)
    # a changed statement needs the team's support again
    for a in (await ctx.session.exec(select(Agreement).where(Agreement.round_id == rnd.id))).all():
        await ctx.session.delete(a)
    return Text(Join([Msg("rec.statement_saved", text=rec.statement),
                      Msg("rec.agree_hint", agree_cmd=command_name("agree"))]))


@command("baseline", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def baseline(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await _context(ctx, (1,), "what.baseline")
    return await start_form(ctx, "baseline", fields, {"round_id": rnd.id, "team_id": team.id})


@form("baseline", "baseline", (Field("value", "number"), Field("unit", max_length=200),
                               Field("source", max_length=300)))
async def _save_baseline(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await _round_from(ctx, context, (1,), "what.baseline")
    rec = await _one(ctx, ProblemRecord, rnd)
    rec.baseline_value, rec.baseline_unit, rec.baseline_source = (
        values["value"],
        values["unit"],
        values["source"],
    )
    rec.updated_by, rec.updated_at = _by(ctx), ctx.now()
    ctx.session.add(rec)
    return [Text(Msg("rec.baseline_saved", value=number_msg(rec.baseline_value), unit=rec.baseline_unit,
                     source=rec.baseline_source))]


@command("hypothesis", params=(Param("text", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def hypothesis(ctx: Context, text: str) -> Text:
    _, rnd = await _context(ctx, (1, 2), "what.hypothesis")
    clean = read_text(text, max_length=500, what="what.hypothesis")
    existing = list((await ctx.session.exec(
        select(Hypothesis).where(Hypothesis.round_id == rnd.id).order_by(col(Hypothesis.id)))).all())
    if len(existing) >= MAX_HYPOTHESES + 2:
        raise UserError(Msg("rec.hypotheses_full", max=MAX_HYPOTHESES,
                            remove_cmd=command_name("remove")))
    h = Hypothesis(round_id=rnd.id, text=clean, added_by=_by(ctx), added_at=ctx.now())
    ctx.session.add(h)
    lines: list[object] = [Msg("rec.hypothesis_saved"), Msg("rec.hypotheses_now")]
    lines += [Msg("rec.numbered", n=i, text=x.text) for i, x in enumerate([*existing, h], 1)]
    if len(existing) + 1 > MAX_HYPOTHESES:
        lines.append(Msg("rec.hypotheses_focus", max=MAX_HYPOTHESES))
    return Text(Join(lines))


@command("agree", access=Access.SCHOOL_MEMBER, section="cycle")
async def agree(ctx: Context) -> Text:
    _, rnd = await _context(ctx, (1,), "what.agreement")
    rec = (await ctx.session.exec(select(ProblemRecord).where(ProblemRecord.round_id == rnd.id))).first()
    if rec is None or not rec.statement:
        raise UserError(Msg("rec.agree_nothing_yet", problem_cmd=command_name("problem")))
    done = (await ctx.session.exec(
        select(Agreement).where(Agreement.round_id == rnd.id, Agreement.member_id == _by(ctx)))).first()
    if done is None:
        ctx.session.add(Agreement(round_id=rnd.id, member_id=ctx.require_member().id, at=ctx.now()))
    return Text(Msg("rec.agreed", text=rec.statement))


# --- phase 2 -------------------------------------------------------------------------------
@command("source", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def source(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await _context(ctx, (2, 3, 4), "what.source")
    return await start_form(ctx, "source", fields, {"round_id": rnd.id, "team_id": team.id})


@form("source", "source", (Field("title", max_length=300), Field("url", "url", optional=True),
                           Field("author", optional=True, max_length=200), Field("takeaway", max_length=1000),
                           Field("relevance", "level"), Field("reliability", "level")))
async def _save_source(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await _round_from(ctx, context, (2, 3, 4), "what.source")
    team = await cycle_team(ctx)
    s = Source(team_id=team.id, round_id=rnd.id, title=values["title"], url=values["url"],
               author_year=values["author"], takeaway=values["takeaway"], relevance=values["relevance"],
               reliability=values["reliability"], added_by=_by(ctx), added_at=ctx.now())
    ctx.session.add(s)
    return [Text(Msg("rec.source_saved", title=s.title, relevance=Msg(f"card.level{s.relevance}"),
                     reliability=Msg(f"card.level{s.reliability}"),
                     sources_cmd=command_name("sources")))]


@command("sources", access=Access.SCHOOL_MEMBER, section="cycle")
async def sources(ctx: Context) -> Text:
    team = await cycle_team(ctx)
    rows = list((await ctx.session.exec(
        select(Source).where(Source.team_id == team.id).order_by(col(Source.id)))).all())
    if not rows:
        return Text(Msg("rec.no_sources", team=team.name, source_cmd=command_name("source")))
    lines: list[object] = [Msg("rec.sources_head", team=team.name, count=len(rows))]
    for i, s in enumerate(rows, 1):
        lines.append(Msg("rec.source_line", n=i, title=s.title, author=s.author_year or "—",
                         takeaway=s.takeaway, relevance=Msg(f"card.level{s.relevance}"),
                         reliability=Msg(f"card.level{s.reliability}")))
        if s.url:
            lines.append(Msg("rec.source_link", url=s.url))
    return Text(Join(lines))


@command("direction", params=(Param("text", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def direction(ctx: Context, text: str) -> Text:
    _, rnd = await _context(ctx, (2,), "what.direction")
    rec = (await ctx.session.exec(select(DirectionRecord).where(DirectionRecord.round_id == rnd.id))).first()
    rec = rec or DirectionRecord(round_id=rnd.id, text="", updated_at=ctx.now())
    rec.text = read_text(text, max_length=1000, what="what.direction")
    rec.updated_by, rec.updated_at = _by(ctx), ctx.now()
    ctx.session.add(rec)
    return Text(Msg("rec.direction_saved", text=rec.text))


# --- phase 3 -------------------------------------------------------------------------------
@command("action", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def action(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await _context(ctx, (3,), "what.action")
    return await start_form(ctx, "action", fields, {"round_id": rnd.id, "team_id": team.id})


@form(
    "action", "action", (Field("what", max_length=500), Field("who", "person"), Field("due", "future_date"))
)
async def _save_action(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await _round_from(ctx, context, (3,), "what.action")
    who = values["who"]
    a = Action(
        round_id=rnd.id,
        description=values["what"],
        owner_member_id=who["member_id"],
        owner_label=who["label"],
        due=date.fromisoformat(values["due"]),
        added_by=_by(ctx),
        added_at=ctx.now(),
    )
    ctx.session.add(a)
    return [Text(Msg("rec.action_saved", what=a.description, who=a.owner_label, due=date_msg(a.due)))]


@command("goal", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def goal(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await _context(ctx, (3,), "what.goal")
    return await start_form(ctx, "goal", fields, {"round_id": rnd.id, "team_id": team.id})


@form(
    "goal",
    "goal",
    (Field("what", max_length=500), Field("value", "number"), Field("deadline", "future_date")),
)
async def _save_goal(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await _round_from(ctx, context, (3,), "what.goal")
    plan = await _one(ctx, PlanRecord, rnd)
    plan.goal_text, plan.goal_value, plan.goal_deadline = (
        values["what"],
        values["value"],
        as_date(values["deadline"]),
    )
    plan.updated_by, plan.updated_at = _by(ctx), ctx.now()
    ctx.session.add(plan)
    return [Text(Msg("rec.goal_saved", what=plan.goal_text, value=number_msg(plan.goal_value),
                     deadline=date_msg(plan.goal_deadline)))]


@command("dataplan", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def dataplan(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await _context(ctx, (3,), "what.dataplan")
    return await start_form(ctx, "dataplan", fields, {"round_id": rnd.id, "team_id": team.id})


@form("dataplan", "dataplan", (Field("instrument", max_length=300), Field("baseline", "date")))
async def _save_dataplan(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await _round_from(ctx, context, (3,), "what.dataplan")
    plan = await _one(ctx, PlanRecord, rnd)
    plan.instrument, plan.baseline_moment = values["instrument"], as_date(values["baseline"])
    plan.updated_by, plan.updated_at = _by(ctx), ctx.now()
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
    team, rnd = await _context(ctx, (3,), "what.moment")
    if fields and "|" not in fields:  # "/meetmoment 15-3-2027 na blok 3": a date, then an optional label
        fields = _split_date_label(fields)
    return await start_form(ctx, "moment", fields, {"round_id": rnd.id, "team_id": team.id})


def _split_date_label(text: str) -> str:
    """'1 april 2027 eindmeting' or '1-4-2027 eindmeting': the longest leading words that read as
    a date, then the rest as the label (as 'date | label' for the form)."""
    words = text.split()
    for n in (3, 2):
        if len(words) >= n:
            try:
                read_date(" ".join(words[:n]), date(2000, 1, 1))
            except UserError:
                continue
            rest = " ".join(words[n:])
            return f"{' '.join(words[:n])} | {rest}" if rest else " ".join(words[:n])
    day, _, label = text.strip().partition(" ")
    return f"{day} | {label}" if label else day


@form("moment", "moment", (Field("on", "future_date"), Field("label", optional=True, max_length=120)))
async def _save_moment(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await _round_from(ctx, context, (3,), "what.moment")
    m = MeasurementMoment(round_id=rnd.id, on=date.fromisoformat(values["on"]), label=values["label"])
    ctx.session.add(m)
    await ctx.session.flush()
    moments = await _moments(ctx, rnd)
    lines: list[object] = [Msg("rec.moment_saved"), Msg("rec.moments_now")]
    lines += [
        Msg("rec.moment_line", n=i, on=date_msg(x.on), label=x.label or "") for i, x in enumerate(moments, 1)
    ]
    return [Text(Join(lines))]


# --- phase 4 -------------------------------------------------------------------------------
@command("result", params=(Param("moment"), Param("value")), access=Access.SCHOOL_MEMBER, section="cycle")
async def result(ctx: Context, moment: str, value: str) -> Text:
    _, rnd = await _context(ctx, (4,), "what.result")
    moments = await _moments(ctx, rnd)
    if not 1 <= (read_index(moment) or 0) <= len(moments):
        if not moments:
            raise UserError(Msg("rec.no_moments", moment_cmd=command_name("moment")))
        raise UsageError("result", Msg("rec.moment_number", max=len(moments)))
    m = moments[int(moment) - 1]
    m.result_value, m.result_by, m.result_at = read_number(value), _by(ctx), ctx.now()
    ctx.session.add(m)
    return Text(Msg("rec.result_saved", on=date_msg(m.on), value=number_msg(m.result_value)))


@command("verdict", params=(Param("verdict", required=False),), access=Access.SCHOOL_MEMBER, section="cycle")
async def verdict(ctx: Context, verdict: str | None) -> list[Reply]:
    team, rnd = await _context(ctx, (4,), "what.verdict")
    await ctx.require_team_manager(team)
    if verdict is None:
        return [Choices(Msg("rec.verdict_ask"), tuple(
            Option(Msg(f"cycle.verdict.{v}"), f"verdict {v}") for v in ("solved", "partly", "not")))]
    chosen = VERDICT_WORDS.get(verdict.strip().lower())
    if chosen is None:
        raise UsageError("verdict", Msg("rec.verdict_unknown"))
    ev = await _one(ctx, EvaluationRecord, rnd)
    ev.verdict, ev.updated_by, ev.updated_at = chosen, _by(ctx), ctx.now()
    ctx.session.add(ev)
    hint = "rec.verdict_next_solved" if chosen == "solved" else "rec.verdict_next_again"
    return [Text(Join([Msg("rec.verdict_saved", verdict=Msg(f"cycle.verdict.{chosen}")),
                       Msg(hint, embed_cmd=command_name("embed"),
                           next_cmd=command_name("cycle_next"))]))]


@command("learned", params=(Param("text", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def learned(ctx: Context, text: str) -> Text:
    _, rnd = await _context(ctx, (4,), "what.learned")
    ev = await _one(ctx, EvaluationRecord, rnd)
    ev.learned = read_text(text, max_length=2000, what="what.learned")
    ev.updated_by, ev.updated_at = _by(ctx), ctx.now()
    ctx.session.add(ev)
    return Text(Msg("rec.learned_saved", text=ev.learned))


@command("embed", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def embed(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await _context(ctx, (4,), "what.embedding")
    return await start_form(ctx, "embed", fields, {"round_id": rnd.id, "team_id": team.id})


@form("embed", "embed", (Field("agreements", max_length=2000), Field("review", "future_date")))
async def _save_embedding(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await _round_from(ctx, context, (4,), "what.embedding")
    ev = await _one(ctx, EvaluationRecord, rnd)
    ev.embedding, ev.review_on = values["agreements"], as_date(values["review"])
    ev.updated_by, ev.updated_at = _by(ctx), ctx.now()
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
    team, rnd = await _context(ctx, phases, f"what.{what}")
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
    if getattr(row, "added_by", None) != _by(ctx) and not await ctx.can_manage_team(team):
        raise UserError(Msg("rec.remove_not_yours"))
    if isinstance(row, MeasurementMoment) and row.result_value is not None:
        raise UserError(Msg("rec.remove_has_result"))
    await ctx.session.delete(row)
    return Text(Msg("rec.removed", what=Msg(f"what.{what}"), n=int(number)))
