"""The verdict is the team's (seed 003: the team evaluates together, against the goal): the chair
proposes it, most of the team agrees with /akkoord, and 'opgelost' while the goal was not reached
needs a stated reason, which the quality card shows."""

from __future__ import annotations

from sqlmodel import col, delete, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Choices, Option, Reply, Text
from handlers.common.targets import NoChat, text, to_team
from handlers.common.validation import shorten
from handlers.cycle.goal_check import goal_line, reached
from handlers.cycle.records import VERDICT_WORDS, by_caller, one_record, record_context
from handlers.cycle.running import is_running
from handlers.cycle.state import majority, team_members
from prompts.catalog import Join, Msg
from storage.models import (
    CycleRound,
    EvaluationRecord,
    MeasurementMoment,
    PlanRecord,
    ProblemRecord,
    Team,
    VerdictAgreement,
)

REASON_MAX = 1000


async def _goal_missed(ctx: Context, rnd: CycleRound) -> Msg | None:
    """The comparison when the goal was not reached by the last result, else None."""
    plan = (await ctx.session.exec(select(PlanRecord).where(PlanRecord.round_id == rnd.id))).first()
    problem = (await ctx.session.exec(select(ProblemRecord).where(ProblemRecord.round_id == rnd.id))).first()
    last = (await ctx.session.exec(
        select(MeasurementMoment).where(MeasurementMoment.round_id == rnd.id,
                                        col(MeasurementMoment.result_value).is_not(None))
        .order_by(col(MeasurementMoment.on).desc(), col(MeasurementMoment.id).desc()))).first()
    if plan is None or plan.goal_value is None or last is None or last.result_value is None:
        return None
    baseline = problem.baseline_value if problem else None
    if reached(baseline, plan.goal_value, last.result_value):
        return None
    return goal_line(baseline, problem.baseline_unit if problem else None, plan.goal_value, last.result_value,
                     (problem.baseline_sign if problem else None, plan.goal_sign, last.result_sign))


@command("verdict", params=(Param("verdict", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def verdict(ctx: Context, verdict: str | None) -> list[Reply]:
    team, rnd = await record_context(ctx, (4,), "what.verdict")
    await ctx.require_team_manager(team)
    if is_running(rnd):
        raise UserError(Msg("method.still_running", result_cmd=command_name("result"),
                            override_cmd=command_name("cycle_override")))
    if verdict is None:
        return [Choices(Msg("rec.verdict_ask"), tuple(
            Option(Msg(f"cycle.verdict.{v}"), f"verdict {v}") for v in ("solved", "partly", "not")))]
    word, _, reason = verdict.strip().partition(" ")
    chosen = VERDICT_WORDS.get(word.strip().lower())
    if chosen is None:
        raise UsageError("verdict", Msg("rec.verdict_unknown"))
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise UserError(Msg("name.too_long", what=Msg("name.reason"), length=len(reason), max=REASON_MAX))
    if chosen == "solved" and not reason:
        missed = await _goal_missed(ctx, rnd)
        if missed is not None:
            raise UserError(Msg("method.solved_needs_reason", comparison=missed,
                                verdict_cmd=command_name("verdict")))
    ev = await one_record(ctx, EvaluationRecord, rnd)
    ev.proposed_verdict, ev.verdict = chosen, None
    ev.verdict_reason = reason or None
    ev.updated_by, ev.updated_at = by_caller(ctx), ctx.now()
    ctx.session.add(ev)
    await ctx.session.exec(delete(VerdictAgreement).where(
        col(VerdictAgreement.round_id) == rnd.id))
    ctx.session.add(VerdictAgreement(round_id=rnd.id, member_id=ctx.require_member().id, verdict=chosen,
                                     at=ctx.now()))
    await ctx.session.flush()
    return await settle(ctx, team, rnd, ev, proposed=True)


async def agree_verdict(ctx: Context, team: Team, rnd: CycleRound) -> list[Reply]:
    """/akkoord in phase 4: agree with the chair's proposed verdict."""
    ev = (await ctx.session.exec(select(EvaluationRecord).where(EvaluationRecord.round_id == rnd.id))).first()
    if ev is None or ev.proposed_verdict is None:
        raise UserError(Msg("method.no_verdict_proposed", verdict_cmd=command_name("verdict")))
    member = ctx.require_member()
    mine = (await ctx.session.exec(select(VerdictAgreement).where(
        VerdictAgreement.round_id == rnd.id, VerdictAgreement.member_id == member.id))).first()
    if mine is None:
        ctx.session.add(VerdictAgreement(round_id=rnd.id, member_id=member.id, verdict=ev.proposed_verdict,
                                         at=ctx.now()))
        await ctx.session.flush()
    return await settle(ctx, team, rnd, ev, proposed=False)


async def settle(ctx: Context, team: Team, rnd: CycleRound, ev: EvaluationRecord, *,
                 proposed: bool) -> list[Reply]:
    """The verdict counts once most of the team agrees; until then it is a proposal."""
    members = {m.id for m, _ in await team_members(ctx.session, team.id)}
    rows = (await ctx.session.exec(select(VerdictAgreement).where(
        VerdictAgreement.round_id == rnd.id, VerdictAgreement.verdict == ev.proposed_verdict))).all()
    agreed = {a.member_id for a in rows} & members
    need = majority(len(members))
    chosen = ev.proposed_verdict
    name = Msg(f"cycle.verdict.{chosen}")
    if len(agreed) < need:
        # the role word of whoever proposes: the chair, or the school leader acting for the team
        who = Msg("daily.who_chair" if await ctx.team_role(team) == "chair" else "daily.who_leader")
        lines: list[object] = [Msg("method.verdict_proposed" if proposed else "method.verdict_agreed_one",
                                   verdict=name, agreed=len(agreed), total=len(members), need=need,
                                   agree_cmd=command_name("agree"), who=who)]
        if ev.verdict_reason:
            lines.append(Msg("method.verdict_reason", reason=shorten(ev.verdict_reason, 200)))
        if proposed:
            return await to_team(ctx.session, team, text(Join(lines)), no_chat=NoChat.ANSWER_HERE, acting=ctx)
        return [Text(Join(lines))]
    ev.verdict = chosen
    ctx.session.add(ev)
    hint = "rec.verdict_next_solved" if chosen == "solved" else "rec.verdict_next_again"
    body = Join([Msg("rec.verdict_saved", verdict=name),
                 Msg("method.verdict_by_team", agreed=len(agreed), total=len(members)),
                 Msg(hint, embed_cmd=command_name("embed"), next_cmd=command_name("cycle_next"))])
    if proposed:  # the chair alone is the majority (a team of one or two)
        return [Text(body)]
    return await to_team(ctx.session, team, text(body), no_chat=NoChat.ANSWER_HERE, acting=ctx)
