"""The structured records each phase needs, so evaluation can compare data with a baseline
and a goal instead of 'the pupils seemed engaged'.

Phase 1: problem statement, baseline (nulmeting), hypotheses, the team's agreement.
Phase 2: sources in the team's library, the chosen direction.
Phase 3 (``intervention.py``): actions with owner and date, the goal, the data plan, measurement
moments. Phase 4 (``evaluation.py``): results per measurement moment, the verdict, what was
learned, how it is embedded; and taking a record back.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Reply, Text
from handlers.common.forms import Field, form, start_form
from handlers.common.measures import Measure, measure_msg
from handlers.common.values import read_text
from handlers.common.versions import keep_previous
from handlers.cycle.state import (
    MAX_HYPOTHESES,
    cycle_team,
    require_cycle,
    require_phase,
    require_team_member,
)
from prompts.catalog import Join, Msg
from storage.models import (
    Agreement,
    CycleRound,
    DirectionRecord,
    Hypothesis,
    MeasurementMoment,
    ProblemRecord,
    Source,
    Team,
)

VERDICT_WORDS = {"opgelost": "solved", "solved": "solved", "ja": "solved", "deels": "partly",
                 "gedeeltelijk": "partly", "partly": "partly", "partially": "partly", "niet": "not",
                 "nee": "not", "not": "not", "unsolved": "not"}
KINDS = {"hypothese": "hypothesis", "hypothesis": "hypothesis", "bron": "source", "source": "source",
         "actie": "action", "action": "action", "meetmoment": "moment", "moment": "moment"}


async def record_context(ctx: Context, phases: tuple[int, ...], what: str) -> tuple[Team, CycleRound]:
    """The caller's team and its current round, checked: member of the team, right phase."""
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    _, rnd = await require_cycle(ctx, team)
    require_phase(rnd, phases, what)
    return team, rnd


async def round_from(
    ctx: Context, context: dict[str, Any], phases: tuple[int, ...], what: str
) -> CycleRound:
    """For a form finished later: the round it was started in must still be current and open."""
    team, rnd = await record_context(ctx, phases, what)
    if context.get("round_id") not in (None, rnd.id):
        raise UserError(Msg("cycle.round_moved"))
    return rnd


async def one_record(ctx: Context, model: Any, rnd: CycleRound) -> Any:
    """The round's record of this kind, to be changed: an existing one's current version is kept
    first, so /ongedaan can bring it back (handlers/common/versions.py)."""
    row = (await ctx.session.exec(select(model).where(model.round_id == rnd.id))).first()
    if row is not None:
        await keep_previous(ctx.session, row, ctx.member.id if ctx.member else None, ctx.now())
    return row or model(round_id=rnd.id, updated_at=ctx.now())


async def moments_of(ctx: Context, rnd: CycleRound) -> list[MeasurementMoment]:
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


def by_caller(ctx: Context) -> int | None:
    return ctx.member.id if ctx.member else None


# --- phase 1 -------------------------------------------------------------------------------
@command("problem", params=(Param("statement", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def problem(ctx: Context, statement: str) -> Text:
    _, rnd = await record_context(ctx, (1,), "what.statement")
    rec = await one_record(ctx, ProblemRecord, rnd)
    rec.statement = read_text(statement, max_length=1000, what="what.statement")
    rec.updated_by, rec.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(rec)
    # a changed statement needs the team's support again
    for a in (await ctx.session.exec(select(Agreement).where(Agreement.round_id == rnd.id))).all():
        await ctx.session.delete(a)
    return Text(Join([Msg("rec.statement_saved", text=rec.statement),
                      Msg("rec.agree_hint", agree_cmd=command_name("agree"))]))


@command("baseline", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def baseline(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (1,), "what.baseline")
    return await start_form(ctx, "baseline", fields, {"round_id": rnd.id, "team_id": team.id})


@form("baseline", "baseline", (Field("value", "measure"), Field("unit", max_length=200),
                               Field("source", max_length=300)))
async def _save_baseline(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await round_from(ctx, context, (1,), "what.baseline")
    rec = await one_record(ctx, ProblemRecord, rnd)
    typed = Measure.from_json(values["value"])  # 42 % keeps its unit
    rec.baseline_value, rec.baseline_sign = typed.value, typed.sign
    rec.baseline_unit, rec.baseline_source = values["unit"], values["source"]
    rec.updated_by, rec.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(rec)
    return [Text(Msg("rec.baseline_saved", value=measure_msg(rec.baseline_value, rec.baseline_sign),
                     unit=rec.baseline_unit,
                     source=rec.baseline_source))]


@command("hypothesis", params=(Param("text", rest=True),), access=Access.SCHOOL_MEMBER, section="cycle")
async def hypothesis(ctx: Context, text: str) -> Text:
    _, rnd = await record_context(ctx, (1, 2), "what.hypothesis")
    clean = read_text(text, max_length=500, what="what.hypothesis")
    existing = list((await ctx.session.exec(
        select(Hypothesis).where(Hypothesis.round_id == rnd.id).order_by(col(Hypothesis.id)))).all())
    if len(existing) >= MAX_HYPOTHESES + 2:
        raise UserError(Msg("rec.hypotheses_full", max=MAX_HYPOTHESES,
                            remove_cmd=command_name("remove")))
    h = Hypothesis(round_id=rnd.id, text=clean, added_by=by_caller(ctx), added_at=ctx.now())
    ctx.session.add(h)
    lines: list[object] = [Msg("rec.hypothesis_saved"), Msg("rec.hypotheses_now")]
    lines += [Msg("rec.numbered", n=i, text=x.text) for i, x in enumerate([*existing, h], 1)]
    if len(existing) + 1 > MAX_HYPOTHESES:
        lines.append(Msg("rec.hypotheses_focus", max=MAX_HYPOTHESES))
    return Text(Join(lines))


@command("agree", access=Access.SCHOOL_MEMBER, section="cycle")
async def agree(ctx: Context) -> Text | list[Reply]:
    team, rnd = await record_context(ctx, (1, 4), "what.agreement")
    if rnd.phase == 4:  # agreeing with the chair's proposed verdict
        from handlers.cycle.verdict import agree_verdict  # the verdict builds on these records

        return await agree_verdict(ctx, team, rnd)
    rec = (await ctx.session.exec(select(ProblemRecord).where(ProblemRecord.round_id == rnd.id))).first()
    if rec is None or not rec.statement:
        raise UserError(Msg("rec.agree_nothing_yet", problem_cmd=command_name("problem")))
    done = (await ctx.session.exec(
        select(Agreement).where(Agreement.round_id == rnd.id, Agreement.member_id == by_caller(ctx)))).first()
    if done is None:
        ctx.session.add(Agreement(round_id=rnd.id, member_id=ctx.require_member().id, at=ctx.now()))
    return Text(Msg("rec.agreed", text=rec.statement))


# --- phase 2 -------------------------------------------------------------------------------
@command("source", params=(Param("fields", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def source(ctx: Context, fields: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (2, 3, 4), "what.source")
    return await start_form(ctx, "source", fields, {"round_id": rnd.id, "team_id": team.id})


@form("source", "source", (Field("title", max_length=300), Field("url", "url", optional=True),
                           Field("author", optional=True, max_length=200), Field("takeaway", max_length=1000),
                           Field("relevance", "level"), Field("reliability", "level")))
async def _save_source(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    rnd = await round_from(ctx, context, (2, 3, 4), "what.source")
    team = await cycle_team(ctx)
    s = Source(team_id=team.id, round_id=rnd.id, title=values["title"], url=values["url"],
               author_year=values["author"], takeaway=values["takeaway"], relevance=values["relevance"],
               reliability=values["reliability"], added_by=by_caller(ctx), added_at=ctx.now())
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
    _, rnd = await record_context(ctx, (2,), "what.direction")
    rec = await one_record(ctx, DirectionRecord, rnd)
    rec.text = read_text(text, max_length=1000, what="what.direction")
    rec.updated_by, rec.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(rec)
    return Text(Msg("rec.direction_saved", text=rec.text))
