"""The borging is followed up (seed 003: borgen, and the review date the team set): on the review
date the team is asked whether its agreements still hold — yes, partly or no, with a line. The answer
goes on the quality card and into the leader's digest; 'no' offers a new cycle on the same problem."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Job, PlanRun, Skip
from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Reply
from handlers.common.school_time import local_start, next_allowed, zone
from handlers.common.targets import NoChat, text, to_team
from handlers.common.validation import shorten
from handlers.common.values import date_msg, today_in
from handlers.cycle.quality_card import to_markdown
from handlers.cycle.running import SEND_AT
from handlers.cycle.state import cycle_team, require_team_member
from prompts.catalog import Join, Msg
from storage.models import Cycle, CycleRound, EvaluationRecord, Outbox, QualityCard, School, Team
from storage.queries import insert_ignore

ANSWERS = {"ja": "yes", "yes": "yes", "deels": "partly", "gedeeltelijk": "partly", "partly": "partly",
           "nee": "no", "no": "no", "niet": "no"}
NOTE_MAX = 1000


async def _due_reviews(session: AsyncSession) -> list[tuple[EvaluationRecord, Cycle, Team, School]]:
    """Closed cycles whose last round has a review date and no review answer yet."""
    rows = (await session.exec(
        select(EvaluationRecord, Cycle, Team, School)
        .join(CycleRound, col(CycleRound.id) == col(EvaluationRecord.round_id))
        .join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id))
        .join(Team, col(Team.id) == col(Cycle.team_id))
        .join(School, col(School.id) == col(Team.school_id))
        .where(Cycle.status == "closed", col(EvaluationRecord.review_on).is_not(None),
               col(EvaluationRecord.review_answer).is_(None), EvaluationRecord.verdict == "solved")
    )).all()
    return [(ev, cycle, team, school) for ev, cycle, team, school in rows]


def _ask_at(ev: EvaluationRecord, school: School) -> datetime:
    return local_start(ev.review_on or date.min, SEND_AT, zone(school))


async def plan(run: PlanRun) -> None:
    """The review question on its date, once per cycle and date."""
    rows: list[dict[str, Any]] = []
    for ev, cycle, team, school in await _due_reviews(run.session):
        due = _ask_at(ev, school)
        if due <= run.now < due + timedelta(days=30):  # after long downtime an old question is not sent
            rows.append({"dedupe_key": f"review:{cycle.id}:{ev.review_on}", "kind": "review_ask",
                         "due_at": next_allowed(school, due),  # a weekend date: the next school morning
                         "status": "pending", "attempts": 0, "created_at": run.now,
                         "payload": {"cycle_id": cycle.id, "team_id": team.id}})
    if rows:
        await insert_ignore(run.session, Outbox, rows, ["dedupe_key"])


async def review_due_times(session: AsyncSession, after: datetime, until: datetime) -> list[datetime]:
    times = [_ask_at(ev, school) for ev, _, _, school in await _due_reviews(session)]
    return [t for t in times if after < t <= until]


async def render_review_ask(job: Job) -> list[Reply]:
    cycle = await job.session.get(Cycle, int(job.payload["cycle_id"]))
    team = await job.session.get(Team, int(job.payload["team_id"]))
    if cycle is None or team is None:
        raise Skip("cycle or team gone")
    ev = await _last_evaluation(job.session, cycle.id)
    if ev is None or ev.review_answer is not None:
        raise Skip("already answered")
    body = Msg("method.review_ask", team=team.name, title=cycle.title,
               agreements=shorten(ev.embedding or "—", 300), review_cmd=command_name("review"))
    return await to_team(job.session, team, text(body), no_chat=NoChat.EACH_MEMBER)


async def _last_evaluation(session: AsyncSession, cycle_id: int) -> EvaluationRecord | None:
    return (await session.exec(
        select(EvaluationRecord).join(CycleRound, col(CycleRound.id) == col(EvaluationRecord.round_id))
        .where(CycleRound.cycle_id == cycle_id).order_by(col(CycleRound.number).desc()))).first()


@command("review", params=(Param("answer"), Param("note", required=False, rest=True)),
         access=Access.SCHOOL_MEMBER, section="cycle")
async def review(ctx: Context, answer: str, note: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    chosen = ANSWERS.get(answer.strip().lower())
    if chosen is None:
        raise UsageError("review", Msg("method.review_unknown"))
    school = ctx.require_school()
    today = today_in(school.timezone, ctx.now())
    cycles = [(ev, c) for ev, c, t, _ in await _due_reviews(ctx.session)
              if t.id == team.id and ev.review_on is not None and ev.review_on <= today]
    if not cycles:
        raise UserError(Msg("method.review_nothing", team=team.name))
    ev, cycle = cycles[0]
    line = (note or "").strip()
    if len(line) > NOTE_MAX:
        raise UserError(Msg("name.too_long", what=Msg("name.reason"), length=len(line), max=NOTE_MAX))
    ev.review_answer, ev.review_note, ev.review_answered_at = chosen, line or None, ctx.now()
    ctx.session.add(ev)
    summary = Msg("method.review_line", on=date_msg(today), answer=Msg(f"method.review_{chosen}"),
                  note=line or "—")
    card = (await ctx.session.exec(select(QualityCard).where(QualityCard.cycle_id == cycle.id))).first()
    if card is not None:  # the card as kept gets the review at its end, in the card's language
        added = to_markdown([("p", summary)], ctx.catalog, card.lang)
        card.markdown = card.markdown.rstrip("\n") + "\n\n" + added
        ctx.session.add(card)
    lines: list[object] = [Msg("method.review_saved", title=cycle.title), summary]
    if chosen == "no":
        lines.append(Msg("method.review_new_cycle", start_cmd=command_name("cycle_start"), title=cycle.title))
    return await to_team(ctx.session, team, text(Join(lines)), no_chat=NoChat.ANSWER_HERE, acting=ctx)
