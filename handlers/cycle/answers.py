"""Answering the phase's guiding questions: everyone answers for themselves first, then sees
the team's answers (a small stille wand — nobody anchors on the first answer given)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot.core.commands import Access, Param, answers, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import PRIVATE, Ask, Choices, Option, Reply, Text
from handlers.common.values import read_index, read_text
from handlers.common.versions import keep_values
from handlers.cycle.state import (
    cycle_team,
    question_keys,
    require_cycle,
    require_team_member,
)
from prompts.catalog import Join, Msg
from storage.models import Answer, Cycle, CycleRound, Member, Team
from storage.queries import Upsert, core

ANSWER_MAX = 4000


def stored_key(phase: int, key: str) -> str:
    """Answers are stored per phase and question (q1 of phase 1 is not q1 of phase 2)."""
    return f"{phase}.{key}"


def _question(ctx: Context, rnd: RoundRef | CycleRound, number: str) -> str:
    keys = question_keys(ctx.catalog, rnd.phase)
    if not 1 <= (read_index(number) or 0) <= len(keys):
        raise UsageError("answer", Msg("ans.question_number", max=len(keys)))
    return keys[int(number) - 1]


async def _current(ctx: Context) -> tuple[Team, CycleRound]:
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    _, rnd = await require_cycle(ctx, team)
    return team, rnd


@dataclass(frozen=True)
class RoundRef:
    """The open round as the answer path needs it (plain values read with its answers: no mapped
    object to load for each of the phase's answers)."""

    id: int
    phase: int


@dataclass(frozen=True)
class _Given:
    """One answer of the round's current phase, as read with the round (plain values, no ORM rows:
    the answer path writes with one Core statement)."""

    id: int
    member_id: int
    question: str
    text: str
    created_at: datetime
    updated_at: datetime
    name: str


_GIVEN_COLUMNS = (col(Answer.id), col(Answer.member_id), col(Answer.question), col(Answer.text),
                  col(Answer.created_at), col(Answer.updated_at), col(Member.display_name))


def _round_and_answers_statement() -> Any:
    latest = aliased(CycleRound)
    newest_round = (select(sa.func.max(latest.number)).where(col(latest.cycle_id) == col(Cycle.id))
                    .correlate(Cycle).scalar_subquery())
    return (
        sa.select(col(CycleRound.id), col(CycleRound.phase), *_GIVEN_COLUMNS)
        .join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id))
        .outerjoin(Answer, sa.and_(col(Answer.round_id) == col(CycleRound.id),
                                   col(Answer.phase) == col(CycleRound.phase)))
        .outerjoin(Member, col(Member.id) == col(Answer.member_id))
        .where(col(Cycle.team_id) == sa.bindparam("team_id"), col(Cycle.status) == "active",
               col(CycleRound.number) == newest_round)
        .order_by(col(Answer.created_at), col(Answer.id))
    )


_PHASE_ANSWERS: Any = (
    sa.select(*_GIVEN_COLUMNS).outerjoin(Member, col(Member.id) == col(Answer.member_id))
    .where(col(Answer.round_id) == sa.bindparam("round_id"), col(Answer.phase) == sa.bindparam("phase"))
    .order_by(col(Answer.created_at), col(Answer.id)))
_ROUND_AND_ANSWERS = _round_and_answers_statement()  # built once: the answer path is the busiest
_SAVE_ANSWER = Upsert(Answer,
                      ("round_id", "phase", "question", "member_id", "text", "created_at", "updated_at"),
                      keys=("round_id", "question", "member_id"), update=("text", "updated_at"),
                      returning="id")


async def _round_and_answers(ctx: Context, team: Team) -> tuple[RoundRef, list[_Given]]:
    """The team's open round with every answer of its current phase and who gave it, in one query:
    the answer path is the bot's busiest, and each statement is a round trip (``python -m bench``)."""
    rows = (await core(ctx.session, _ROUND_AND_ANSWERS, {"team_id": team.id})).all()
    if not rows:
        raise UserError(Msg("cycle.none", team=team.name, start_cmd=command_name("cycle_start")))
    given = [_Given(a_id, who, question, text, at, changed, name or "?")
             for _, _, a_id, who, question, text, at, changed, name in rows if a_id is not None]
    return RoundRef(rows[0][0], rows[0][1]), given


async def _store(ctx: Context, rnd: RoundRef | CycleRound, key: str, text: str,
                 given: list[_Given] | None = None) -> list[Reply]:
    """Save (or edit) the caller's answer with one INSERT … ON CONFLICT on the answer's unique key,
    and show the team's answers and what is next from ``given`` (the phase's answers read with the
    round) rather than reading them again."""
    clean = read_text(text, max_length=ANSWER_MAX, what="what.answer")
    me = ctx.require_member()
    if given is None:
        given = await phase_answers(ctx, rnd)
    question = stored_key(rnd.phase, key)
    now = ctx.now()
    mine = next((g for g in given if g.member_id == me.id and g.question == question), None)
    await _SAVE_ANSWER(ctx.session, round_id=rnd.id, phase=rnd.phase, question=question, member_id=me.id,
                       text=clean, created_at=now, updated_at=now)
    if mine is None:
        given = [*given, _Given(0, me.id, question, clean, now, now, me.display_name)]
    else:
        # /ongedaan brings this text back: the version the edit replaces is kept (one more statement)
        await keep_values(ctx.session, "answer", mine.id, {
            "round_id": rnd.id, "phase": rnd.phase, "question": question, "member_id": me.id,
            "text": mine.text, "created_at": mine.created_at, "updated_at": mine.updated_at}, me.id, now)
        given = [replace(g, text=clean) if g is mine else g for g in given]
    keys = question_keys(ctx.catalog, rnd.phase)
    n = keys.index(key) + 1
    return [Text(Join([Msg("ans.saved" if mine is None else "ans.updated", n=n),
                       _team_answers(ctx, rnd, key, given),
                       _next_open(rnd, keys, {g.question for g in given if g.member_id == me.id})]),
                 target=PRIVATE)]


async def phase_answers(ctx: Context, rnd: RoundRef | CycleRound) -> list[_Given]:
    """Every answer of the round's current phase, with who gave it (in the order given)."""
    rows = (await ctx.session.exec(_PHASE_ANSWERS, params={"round_id": rnd.id, "phase": rnd.phase})).all()
    return [_Given(a_id, who, question, text, at, changed, name or "?")
            for a_id, who, question, text, at, changed, name in rows]


def _next_open(rnd: RoundRef | CycleRound, keys: list[str], done: set[str]) -> Msg:
    """What comes next after an answer: the first question of this phase still open for this person."""
    for i, k in enumerate(keys, 1):
        if stored_key(rnd.phase, k) not in done:
            return Msg("daily.next_question", n=i, label=Msg(f"cycle.phase{rnd.phase}.q.{k}.label"),
                       answer_cmd=command_name("answer"))
    return Msg("daily.all_answered", status_cmd=command_name("cycle_status"))


def _team_answers(ctx: Context, rnd: RoundRef | CycleRound, key: str, given: list[_Given]) -> Join:
    question = stored_key(rnd.phase, key)
    rows = [g for g in given if g.question == question]
    me = ctx.member.id if ctx.member else None
    n = question_keys(ctx.catalog, rnd.phase).index(key) + 1
    if not any(g.member_id != me for g in rows):
        return Join([Msg("ans.first", n=n)])
    lines: list[object] = [Msg("ans.team_head", n=n, text=Msg(f"cycle.phase{rnd.phase}.q.{key}.label"))]
    lines += [Msg("ans.team_line", name=g.name, text=g.text) for g in rows]
    return Join(lines)


@command("questions", access=Access.SCHOOL_MEMBER, section="cycle")
async def questions(ctx: Context) -> Choices:
    team, rnd = await _current(ctx)
    keys = question_keys(ctx.catalog, rnd.phase)
    mine = set((await ctx.session.exec(select(Answer.question).where(
        Answer.round_id == rnd.id, Answer.member_id == ctx.require_member().id))).all())
    options = tuple(
        Option(Msg("ans.option_done" if stored_key(rnd.phase, k) in mine else "ans.option", n=i,
                   label=Msg(f"cycle.phase{rnd.phase}.q.{k}.label")), f"answer_q {rnd.id} {rnd.phase} {k}")
        for i, k in enumerate(keys, 1))
    return Choices(
        Join(
            [
                Msg("ans.pick", team=team.name, phase=rnd.phase, name=Msg(f"cycle.phase{rnd.phase}.name")),
                Msg("ans.pick_hint", answer_cmd=command_name("answer")),
            ]
        ),
        options,
    )


@command("answer_q", params=(Param("round"), Param("phase"), Param("question")), access=Access.SCHOOL_MEMBER,
         hidden=True)
async def ask_question(ctx: Context, round: str, phase: str, question: str) -> Ask:
    """A button from /vragen: ask that question privately (re-checked: the button may be old)."""
    team, rnd = await _current(ctx)
    if (round, phase) != (str(rnd.id), str(rnd.phase)) or question not in question_keys(
        ctx.catalog, rnd.phase
    ):
        raise UserError(Msg("ans.closed"))
    mine = (await ctx.session.exec(select(Answer).where(
        Answer.round_id == rnd.id, Answer.question == stored_key(rnd.phase, question),
        Answer.member_id == ctx.require_member().id))).first()
    lines: list[object] = [
        Msg(f"cycle.phase{rnd.phase}.q.{question}.text"),
        Msg(f"cycle.phase{rnd.phase}.q.{question}.help"),
    ]
    if mine is not None:
        lines.append(Msg("ans.your_answer", text=mine.text))
    return Ask(Join(lines), question_id="cycle_answer",
               payload={"round_id": rnd.id, "phase": rnd.phase, "question": question, "team_id": team.id})


@answers("cycle_answer")
async def answered(ctx: Context, payload: dict, text: str) -> list[Reply]:
    ctx.focus_team_id = payload.get("team_id")
    team, rnd = await _current(ctx)
    if (payload.get("round_id"), payload.get("phase")) != (rnd.id, rnd.phase) or \
            payload.get("question") not in question_keys(ctx.catalog, rnd.phase):
        raise UserError(Msg("ans.closed"))
    return await _store(ctx, rnd, payload["question"], text)


@command(
    "answer",
    params=(Param("number"), Param("text", required=False, rest=True)),
    access=Access.SCHOOL_MEMBER,
    section="cycle",
)
async def answer(ctx: Context, number: str, text: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    rnd, given = await _round_and_answers(ctx, team)
    key = _question(ctx, rnd, number)
    if not text:
        return [await ask_question(ctx, str(rnd.id), str(rnd.phase), key)]
    return await _store(ctx, rnd, key, text, given)


@command("answers", params=(Param("number"),), access=Access.SCHOOL_MEMBER, section="cycle")
async def team_answers(ctx: Context, number: str) -> Text:
    _, rnd = await _current(ctx)
    key = _question(ctx, rnd, number)
    mine = (await ctx.session.exec(select(Answer).where(
        Answer.round_id == rnd.id, Answer.question == stored_key(rnd.phase, key),
        Answer.member_id == ctx.require_member().id))).first()
    if mine is None:
        raise UserError(Msg("ans.answer_first", n=int(number), answer_cmd=command_name("answer")))
    return Text(_team_answers(ctx, rnd, key, await phase_answers(ctx, rnd)), target=PRIVATE)
