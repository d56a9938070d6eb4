"""Answering the phase's guiding questions: everyone answers for themselves first, then sees
the team's answers (a small stille wand — nobody anchors on the first answer given)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.commands import Access, Param, answers, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import PRIVATE, Ask, Choices, Option, Reply, Text
from handlers.common.values import read_index, read_text
from handlers.common.versions import keep_previous
from handlers.cycle.state import (
    cycle_team,
    member_names,
    question_keys,
    require_cycle,
    require_team_member,
)
from prompts.catalog import Join, Msg
from storage.models import Answer, CycleRound, Team

ANSWER_MAX = 4000


def stored_key(phase: int, key: str) -> str:
    """Answers are stored per phase and question (q1 of phase 1 is not q1 of phase 2)."""
    return f"{phase}.{key}"


def _question(ctx: Context, rnd: CycleRound, number: str) -> str:
    keys = question_keys(ctx.catalog, rnd.phase)
    if not 1 <= (read_index(number) or 0) <= len(keys):
        raise UsageError("answer", Msg("ans.question_number", max=len(keys)))
    return keys[int(number) - 1]


async def _current(ctx: Context) -> tuple[Team, CycleRound]:
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    _, rnd = await require_cycle(ctx, team)
    return team, rnd


async def _store(ctx: Context, rnd: CycleRound, key: str, text: str) -> list[Reply]:
    clean = read_text(text, max_length=ANSWER_MAX, what="what.answer")
    member_id = ctx.require_member().id
    mine = (
        await ctx.session.exec(
            select(Answer).where(
                Answer.round_id == rnd.id,
                Answer.question == stored_key(rnd.phase, key),
                Answer.member_id == member_id,
            )
        )
    ).first()
    now = ctx.now()
    if mine is None:
        mine = Answer(
            round_id=rnd.id,
            phase=rnd.phase,
            question=stored_key(rnd.phase, key),
            member_id=member_id,
            text=clean,
            created_at=now,
            updated_at=now,
        )
        saved = "ans.saved"
    else:
        await keep_previous(ctx.session, mine, member_id, now)  # /ongedaan brings this text back
        mine.text, mine.updated_at = clean, now
        saved = "ans.updated"
    ctx.session.add(mine)
    await ctx.session.flush()
    keys = question_keys(ctx.catalog, rnd.phase)
    n = keys.index(key) + 1
    return [Text(Join([Msg(saved, n=n), await _team_answers(ctx, rnd, key),
                       await _next_open(ctx, rnd, keys, member_id)]), target=PRIVATE)]


async def _next_open(ctx: Context, rnd: CycleRound, keys: list[str], member_id: int) -> Msg:
    """What comes next after an answer: the first question of this phase still open for this person."""
    done = set((await ctx.session.exec(select(Answer.question).where(
        Answer.round_id == rnd.id, Answer.member_id == member_id))).all())
    for i, k in enumerate(keys, 1):
        if stored_key(rnd.phase, k) not in done:
            return Msg("daily.next_question", n=i, label=Msg(f"cycle.phase{rnd.phase}.q.{k}.label"),
                       answer_cmd=command_name("answer"))
    return Msg("daily.all_answered", status_cmd=command_name("cycle_status"))


async def _team_answers(ctx: Context, rnd: CycleRound, key: str) -> Join:
    rows = list((await ctx.session.exec(select(Answer).where(Answer.round_id == rnd.id,
                                                             Answer.question == stored_key(rnd.phase, key))
                                        .order_by(col(Answer.created_at), col(Answer.id)))).all())
    names = await member_names(ctx.session, {a.member_id for a in rows})
    others = [a for a in rows if a.member_id != (ctx.member.id if ctx.member else None)]
    n = question_keys(ctx.catalog, rnd.phase).index(key) + 1
    if not others:
        return Join([Msg("ans.first", n=n)])
    lines: list[object] = [Msg("ans.team_head", n=n, text=Msg(f"cycle.phase{rnd.phase}.q.{key}.label"))]
    lines += [Msg("ans.team_line", name=names.get(a.member_id, "?"), text=a.text) for a in rows]
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
    _, rnd = await _current(ctx)
    key = _question(ctx, rnd, number)
    if not text:
        return [await ask_question(ctx, str(rnd.id), str(rnd.phase), key)]
    return await _store(ctx, rnd, key, text)


@command("answers", params=(Param("number"),), access=Access.SCHOOL_MEMBER, section="cycle")
async def team_answers(ctx: Context, number: str) -> Text:
    _, rnd = await _current(ctx)
    key = _question(ctx, rnd, number)
    mine = (await ctx.session.exec(select(Answer).where(
        Answer.round_id == rnd.id, Answer.question == stored_key(rnd.phase, key),
        Answer.member_id == ctx.require_member().id))).first()
    if mine is None:
        raise UserError(Msg("ans.answer_first", n=int(number), answer_cmd=command_name("answer")))
    return Text(await _team_answers(ctx, rnd, key), target=PRIVATE)
