"""Answering a poll: one tap per question (numbers in the console).

Every button is a hidden command (``poll_next``, ``poll_q``, ``poll_vote``) that the dispatcher runs
with the caller's real identity and role, and that re-checks the poll, the team, the question and
the option, so a forged or stale button changes nothing. One vote per member per question (a unique
key), which a member can change until the poll closes; the same vote twice is counted once. The
bot knows who answered (to remind those who did not, and to stop double votes) but never shows an
individual answer to anyone, the leader included — not even the voter's own answer is echoed back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import PRIVATE, Choices, Option, Reply
from handlers.common.targets import NoChat, to_team
from handlers.cycle.state import cycle_team
from handlers.polls.lookup import is_open, my_poll, open_polls, poll_number, poll_title
from handlers.polls.results import numbered, refuse_closed, result_replies, team_polls
from handlers.polls.store import (
    PollResult,
    lock_poll,
    my_answered,
    option_label,
    question_label,
    questions_of,
    refresh_snapshots,
    results,
    values_of,
)
from prompts.catalog import Catalog, Join, Msg
from storage.models import (
    Poll,
    PollQuestion,
    PollVote,
    School,
    Team,
)


# --- answering ------------------------------------------------------------------------------------
def question_choices(ctx: Context, poll: Poll, team: Team, question: PollQuestion, total: int,
                     note: Any = None, again: bool = False) -> Choices:
    lines: list[Any] = [note] if note is not None else []
    lines += [Msg("poll.question_head", title=poll_title(poll, team), n=question.position, total=total),
              question_label(question)]
    if question.kind == "scale":  # a scan statement also takes "weet ik niet"
        lines.append(Msg("scan.scale_hint" if question.dimension else "poll.scale_hint"))
    if again:
        lines.append(Msg("poll.answer_again"))
    options = tuple(Option(option_label(question, v), f"poll_vote {poll.id} {question.id} {v}")
                    for v in values_of(question))
    return Choices(Join(lines), options, target=PRIVATE)


async def next_step(ctx: Context, poll: Poll, team: Team, note: Any = None) -> Reply:
    """The caller's first unanswered question, or — all answered — where the results stand and
    buttons to change an answer."""
    qs = (await questions_of(ctx.session, [poll.id])).get(poll.id, [])
    done = await my_answered(ctx.session, poll.id, ctx.require_member().id)
    for question in qs:
        if question.id not in done:
            return question_choices(ctx, poll, team, question, len(qs), note)
    res = (await results(ctx.session, [poll]))[poll.id]
    lines: list[Any] = [note] if note is not None else []
    lines.append(Msg("poll.all_answered", title=poll_title(poll, team)))
    lines.append(status_line(ctx, poll, res))
    lines.append(Msg("poll.change_hint"))
    options = tuple(Option(Msg("poll.change_option", n=qq.position, text=question_label(qq)),
                           f"poll_q {poll.id} {qq.id}") for qq in qs)
    return Choices(Join(lines), options, target=PRIVATE, optional=True)


def status_line(ctx: Context, poll: Poll, res: PollResult) -> Msg:
    if poll.kind == "scan":
        return Msg("poll.scan_after", threshold=res.threshold, results_cmd=command_name("scan_results"))
    if res.all_shown:
        return Msg("poll.results_ready", results_cmd=command_name("poll_results"))
    return withheld(res)


def withheld(res: PollResult) -> Msg:
    return Msg("poll.withheld", answers=res.answers, threshold=res.threshold, need=res.needed)


async def _unfinished(ctx: Context, polls: list[Poll]) -> list[Poll]:
    """The polls with a question the caller has not answered yet (two queries for all)."""
    from sqlalchemy import func

    ids = [p.id for p in polls]
    total = dict((await ctx.session.exec(select(PollQuestion.poll_id, func.count()).where(
        col(PollQuestion.poll_id).in_(ids)).group_by(col(PollQuestion.poll_id)))).all())
    mine = dict((await ctx.session.exec(select(PollVote.poll_id, func.count()).where(
        col(PollVote.poll_id).in_(ids), PollVote.voter_id == ctx.require_member().id,
    ).group_by(col(PollVote.poll_id)))).all())
    return [p for p in polls if mine.get(p.id, 0) < total.get(p.id, 0)]


@command(
    "poll_answer", params=(Param("number", required=False),), access=Access.SCHOOL_MEMBER, section="polls"
)
async def answer_poll(ctx: Context, number: str | None) -> Reply:
    if number is not None:  # numbered as /peilingen lists the team's polls
        team = await cycle_team(ctx)
        if ctx.member is None or await ctx.team_membership(team) is None:
            raise UserError(Msg("poll.not_your_team"))
        listed = await team_polls(ctx, team)
        if not listed:
            raise UserError(Msg("poll.none_open"))
        chosen = numbered(listed, number, "poll_answer")
        refuse_closed(ctx, chosen, number)
        return await next_step(ctx, chosen, team)
    polls = await open_polls(ctx)
    if not polls:
        raise UserError(Msg("poll.none_open"))
    teams = {t.id: t for t in (await ctx.session.exec(select(Team).where(
        col(Team.id).in_({p.team_id for p in polls})))).all()}
    unfinished = await _unfinished(ctx, polls)
    if len(unfinished) == 1 or len(polls) == 1:  # straight to the one still waiting for you
        chosen = unfinished[0] if unfinished else polls[0]
        return await next_step(ctx, chosen, teams[chosen.team_id])
    options = tuple(
        Option(Msg("poll.pick_option", title=poll_title(p, teams[p.team_id])), f"poll_next {p.id}")
        for p in polls
    )
    return Choices(Msg("poll.pick", count=len(polls)), options, target=PRIVATE)


@command("poll_next", params=(Param("poll"),), access=Access.SCHOOL_MEMBER, hidden=True)
async def poll_next(ctx: Context, poll: str) -> Reply:
    found, team = await my_poll(ctx, poll)
    if not is_open(found, ctx.now()):
        raise UserError(Msg("poll.closed"))
    return await next_step(ctx, found, team)


@command("poll_q", params=(Param("poll"), Param("question")), access=Access.SCHOOL_MEMBER, hidden=True)
async def poll_question(ctx: Context, poll: str, question: str) -> Reply:
    found, team = await my_poll(ctx, poll)
    if not is_open(found, ctx.now()):
        raise UserError(Msg("poll.closed"))
    qs = (await questions_of(ctx.session, [found.id])).get(found.id, [])
    wanted = poll_number(question)
    chosen = next((qq for qq in qs if qq.id == wanted), None)
    if chosen is None:
        raise UserError(Msg("poll.bad_button"))
    answered = chosen.id in await my_answered(ctx.session, found.id, ctx.require_member().id)
    return question_choices(ctx, found, team, chosen, len(qs), again=answered)


@command("poll_vote", params=(Param("poll"), Param("question"), Param("value")), access=Access.SCHOOL_MEMBER,
         hidden=True)
async def poll_vote(ctx: Context, poll: str, question: str, value: str) -> list[Reply]:
    found, team = await my_poll(ctx, poll)
    now = ctx.now()
    found = await lock_poll(ctx.session, found.id) or found
    if not is_open(found, now):
        raise UserError(Msg("poll.closed"))
    chosen = await ctx.session.get(PollQuestion, poll_number(question))
    if chosen is None or chosen.poll_id != found.id:
        raise UserError(Msg("poll.bad_button"))
    picked = poll_number(value)
    if picked not in values_of(chosen):
        raise UserError(Msg("poll.no_such_option", max=len(values_of(chosen))))
    member_id = ctx.require_member().id
    mine = (await ctx.session.exec(select(PollVote).where(
        PollVote.question_id == chosen.id, PollVote.voter_id == member_id))).first()
    if mine is None:
        ctx.session.add(PollVote(poll_id=found.id, question_id=chosen.id, voter_id=member_id, value=picked,
                                 created_at=now, updated_at=now))
        note = Msg("poll.vote_saved", n=chosen.position)
    elif mine.value == picked:
        note = Msg("poll.vote_same", n=chosen.position)
    else:
        mine.value, mine.updated_at, mine.pending = picked, now, True
        ctx.session.add(mine)
        note = Msg("poll.vote_changed", n=chosen.position)
    await ctx.session.flush()
    await refresh_snapshots(ctx.session, found)
    replies: list[Reply] = [await next_step(ctx, found, team, note)]
    if found.kind != "scan":
        replies += await first_results(ctx.session, ctx.catalog, found, team, now)
    return replies


async def first_results(
    session: AsyncSession, catalog: Catalog, poll: Poll, team: Team, now: datetime
) -> list[Reply]:
    """When every question has reached the threshold for the first time, the team sees the
    results (once: the update only succeeds for the first)."""
    res = (await results(session, [poll]))[poll.id]
    if not res.all_shown or poll.shown_at is not None:
        return []
    done = await session.exec(update(Poll).where(col(Poll.id) == poll.id, col(Poll.shown_at).is_(None))
                              .values(shown_at=now))
    if done.rowcount != 1:
        return []
    school = await session.get(School, team.school_id)
    return await to_team(
        session,
        team,
        await result_replies(session, catalog, poll, team, school, final=False),
        no_chat=NoChat.EACH_MEMBER,
    )
