"""The stille wand (silent brainstorm): everyone writes first, then all ideas are revealed at
once, without names, and only then does the discussion start.

The chair opens a wall with a question and a closing time. Members send ideas privately (a
button that asks in the private chat, or ``/idee`` there). At the closing time (or when the chair
says so) the bot reveals every idea together, in alphabetical order so nothing hints at who
wrote first, and invites *parels en puzzels*: a parel marks an idea worth keeping, a puzzel asks
a question about one. The team then formulates three joint tips, which are kept with the wall.
Authors are stored only so a member's data can be exported or deleted (issue 8); no output ever
names them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Job, Skip
from bot.core.commands import Access, Param, Where, answers, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import PRIVATE, Ask, Choices, Option, Reply, Text
from handlers.common.school_time import when_msg, zone
from handlers.common.targets import NoChat, to_team
from handlers.common.values import read_index, read_text
from handlers.cycle.state import cycle_team, require_team_member, team_named_or_mine
from prompts.catalog import Catalog, Join, Msg
from storage.models import Brainstorm, BrainstormIdea, BrainstormReaction, BrainstormTip, School, Team

IDEA_MAX = 500
QUESTION_MAX = 300
TIP_MAX = 300
TIPS = 3
DEFAULT_OPEN = timedelta(days=2)
STOP_WORDS = {"-", "stop", "klaar", "done"}



async def current_wall(
    session: AsyncSession, team_id: int, statuses: tuple[str, ...] = ("collecting", "revealed")
) -> Brainstorm | None:
    return (await session.exec(select(Brainstorm).where(
        Brainstorm.team_id == team_id, col(Brainstorm.status).in_(statuses),
    ).order_by(col(Brainstorm.opens_at).desc(), col(Brainstorm.id).desc()))).first()


async def ideas_in_order(session: AsyncSession, wall_id: int) -> list[BrainstormIdea]:
    """Alphabetical, so the order says nothing about who wrote what or when."""
    rows = list(
        (await session.exec(select(BrainstormIdea).where(BrainstormIdea.brainstorm_id == wall_id))).all()
    )
    return sorted(rows, key=lambda i: (i.text.casefold(), i.id))


async def _team_school(session: AsyncSession, wall: Brainstorm) -> tuple[Team, School]:
    team = await session.get(Team, wall.team_id)
    school = await session.get(School, team.school_id) if team is not None else None
    assert team is not None and school is not None
    return team, school


# --- opening --------------------------------------------------------------------------------------
@command("wall_start", params=(Param("question", rest=True, max_length=1000),), access=Access.SCHOOL_MEMBER,
         section="polls")
async def start_wall(ctx: Context, question: str) -> list[Reply]:
    from handlers.polls.lookup import split_duration

    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    duration, rest = split_duration(question, DEFAULT_OPEN)
    text = " ".join(read_text(rest, max_length=QUESTION_MAX, what="wall.what.question").split())
    now = ctx.now()
    running = await current_wall(ctx.session, team.id)
    if running is not None and running.status == "collecting":
        raise UserError(Msg("wall.already_open", team=team.name, reveal_cmd=command_name("wall_reveal")))
    if running is not None:  # a revealed wall without its three tips: it is finished now
        running.status, running.done_at = "done", now
        ctx.session.add(running)
        await ctx.session.flush()
    wall = Brainstorm(
        team_id=team.id,
        question=text,
        status="collecting",
        opens_at=now,
        closes_at=now + duration,
        created_by=ctx.member.id if ctx.member else None,
    )
    ctx.session.add(wall)
    await ctx.session.flush()
    school = await ctx.session.get(School, team.school_id)
    body = Join(
        [
            Msg("wall.opened", team=team.name, question=text, closes=when_msg(wall.closes_at, zone(school))),
            Msg("wall.how", idea_cmd=command_name("wall_idea")),
        ]
    )
    option = (Option(Msg("wall.write_button"), f"wall_write {wall.id}"),)
    replies = await to_team(
        ctx.session, team, lambda target: [Choices(body, option, target=target)], no_chat=NoChat.EACH_MEMBER
    )
    if ctx.team is None or ctx.team.id != team.id:
        replies.append(Text(Msg("wall.started", team=team.name)))
    return replies


def _ask_idea(wall: Brainstorm, first: bool) -> Ask:
    lines: list[Any] = [Msg("wall.ask_idea" if first else "wall.ask_more", question=wall.question)]
    return Ask(Join(lines), question_id="wall_idea", target=PRIVATE, payload={"wall_id": wall.id})


@command("wall_write", params=(Param("wall"),), access=Access.SCHOOL_MEMBER, hidden=True)
async def write_button(ctx: Context, wall: str) -> Ask:
    found = await _collecting(ctx, read_index(wall) or -1)
    return _ask_idea(found, True)


async def _collecting(ctx: Context, wall_id: int) -> Brainstorm:
    wall = await ctx.session.get(Brainstorm, wall_id) if wall_id > 0 else None
    if wall is None:
        raise UserError(Msg("wall.bad_button"))
    team = await ctx.session.get(Team, wall.team_id)
    if team is None or ctx.member is None or await ctx.team_membership(team) is None:
        raise UserError(Msg("wall.not_your_team"))
    if wall.status != "collecting" or wall.closes_at <= ctx.now():
        raise UserError(Msg("wall.closed"))
    return wall


async def _add_idea(ctx: Context, wall: Brainstorm, text: str) -> int:
    clean = read_text(text, max_length=IDEA_MAX, what="wall.what.idea")
    ctx.session.add(BrainstormIdea(brainstorm_id=wall.id, author_id=ctx.member.id if ctx.member else None,
                                   text=" ".join(clean.split()), created_at=ctx.now()))
    await ctx.session.flush()
    from sqlalchemy import func

    return int((await ctx.session.exec(select(func.count()).select_from(BrainstormIdea).where(
        BrainstormIdea.brainstorm_id == wall.id))).one())


@answers("wall_idea")
async def idea_answer(ctx: Context, payload: dict[str, Any], text: str) -> list[Reply]:
    wall = await _collecting(ctx, int(payload.get("wall_id", 0)))
    if text.strip().lower() in STOP_WORDS:
        return [Text(Msg("wall.thanks", when=when_msg(wall.closes_at, zone(ctx.school))))]
    total = await _add_idea(ctx, wall, text)
    return [Text(Msg("wall.idea_saved", total=total)), _ask_idea(wall, False)]


@command(
    "wall_idea",
    params=(Param("idea", rest=True, max_length=IDEA_MAX * 2),),
    access=Access.SCHOOL_MEMBER,
    where=Where.PRIVATE,
    section="polls",
)
async def add_idea(ctx: Context, idea: str) -> Text:
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    wall = await current_wall(ctx.session, team.id, ("collecting",))
    if wall is None or wall.closes_at <= ctx.now():
        raise UserError(Msg("wall.none_open", team=team.name))
    total = await _add_idea(ctx, wall, idea)
    return Text(Msg("wall.idea_saved_when", total=total, when=when_msg(wall.closes_at, zone(ctx.school))))


# --- revealing --------------------------------------------------------------------------------------
async def reveal_now(session: AsyncSession, wall: Brainstorm, now: datetime) -> bool:
    """Reveal once: of the chair's /onthul and the clock, only the one whose update changed the
    row posts the wall."""
    done = await session.exec(
        update(Brainstorm)
        .where(col(Brainstorm.id) == wall.id, col(Brainstorm.status) == "collecting")
        .values(status="revealed", revealed_at=now)
    )
    if done.rowcount != 1:
        return False
    wall.status, wall.revealed_at = "revealed", now
    return True


async def reveal_body(
    session: AsyncSession, wall: Brainstorm, team: Team, catalog: Catalog, lang: str
) -> Join:
    ideas = await ideas_in_order(session, wall.id)
    lines: list[Any] = [Msg("wall.revealed", team=team.name, question=wall.question, count=len(ideas))]
    if not ideas:
        lines.append(Msg("wall.no_ideas"))
        return Join(lines)
    lines += [Msg("wall.idea_line", n=n, text=i.text) for n, i in enumerate(ideas, 1)]
    lines.append(Msg("wall.invite", pearl_cmd=command_name("wall_pearl"),
                     puzzle_cmd=command_name("wall_puzzle"), tip_cmd=command_name("wall_tip")))
    return Join(lines)


@command("wall_reveal", access=Access.SCHOOL_MEMBER, section="polls")
async def reveal(ctx: Context) -> list[Reply]:

    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    wall = await current_wall(ctx.session, team.id, ("collecting",))
    if wall is None:
        raise UserError(Msg("wall.nothing_to_reveal", team=team.name))
    if not await reveal_now(ctx.session, wall, ctx.now()):
        return []  # the clock revealed it a moment ago and posts it itself
    school = await ctx.session.get(School, team.school_id)
    body = await reveal_body(ctx.session, wall, team, ctx.catalog, school.language if school else ctx.lang)
    replies = await to_team(
        ctx.session, team, lambda target: [Text(body, target=target)], no_chat=NoChat.EACH_MEMBER
    )
    if ctx.team is None or ctx.team.id != team.id:
        replies.append(Text(Msg("wall.posted", team=team.name)))
    return replies


async def due_reveals(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for wall in (
        await session.exec(
            select(Brainstorm)
            .where(Brainstorm.status == "collecting", col(Brainstorm.closes_at) <= now)
            .order_by(col(Brainstorm.id))
        )
    ).all():
        if await reveal_now(session, wall, now):
            rows.append(
                {
                    "dedupe_key": f"wall_reveal:{wall.id}",
                    "kind": "wall_reveal",
                    "due_at": wall.closes_at,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    # the team lets the clock hold the post for the next school morning (quiet hours)
                    "payload": {"wall_id": wall.id, "team_id": wall.team_id},
                }
            )
    return rows


async def due_moments(session: AsyncSession, after: datetime, until: datetime) -> list[datetime]:
    return list(
        (
            await session.exec(
                select(Brainstorm.closes_at).where(
                    Brainstorm.status == "collecting",
                    col(Brainstorm.closes_at) > after,
                    col(Brainstorm.closes_at) <= until,
                )
            )
        ).all()
    )


async def render_reveal(job: Job) -> list[Any]:
    session, payload, catalog = job.session, job.payload, job.catalog

    wall = await session.get(Brainstorm, int(payload.get("wall_id", 0)))
    if wall is None:
        raise Skip("wall gone")
    team, school = await _team_school(session, wall)
    body = await reveal_body(session, wall, team, catalog, school.language)
    return await to_team(
        session, team, lambda target: [Text(body, target=target)], no_chat=NoChat.EACH_MEMBER
    )


# --- parels, puzzels and tips ---------------------------------------------------------------------
async def _revealed(ctx: Context) -> tuple[Team, Brainstorm]:
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    wall = await current_wall(ctx.session, team.id)
    if wall is None or wall.status != "revealed":
        key = "wall.not_revealed_yet" if wall is not None else "wall.none_revealed"
        raise UserError(Msg(key, team=team.name))
    return team, wall


async def _idea(ctx: Context, wall: Brainstorm, number: str, command_id: str) -> tuple[int, BrainstormIdea]:
    ideas = await ideas_in_order(ctx.session, wall.id)
    n = read_index(number)
    if n is None or not 1 <= n <= len(ideas):
        raise UsageError(command_id, Msg("wall.bad_idea_number", max=len(ideas)))
    return n, ideas[n - 1]


async def _react(ctx: Context, kind: str, number: str, text: str | None, command_id: str) -> Text:
    _, wall = await _revealed(ctx)
    n, idea = await _idea(ctx, wall, number, command_id)
    note = read_text(text, max_length=IDEA_MAX, what="wall.what.reaction") if text else None
    mine = (await ctx.session.exec(select(BrainstormReaction).where(
        BrainstormReaction.idea_id == idea.id, BrainstormReaction.author_id == ctx.require_member().id,
        BrainstormReaction.kind == kind))).first()
    if mine is None:
        mine = BrainstormReaction(
            brainstorm_id=wall.id,
            idea_id=idea.id,
            kind=kind,
            author_id=ctx.require_member().id,
            text=note,
            created_at=ctx.now(),
        )
    else:
        mine.text = note or mine.text
    ctx.session.add(mine)
    return Text(Msg(f"wall.{kind}_saved", n=n, show_cmd=command_name("wall_show")))


@command("wall_pearl", params=(Param("number"), Param("why", required=False, rest=True, max_length=IDEA_MAX)),
         access=Access.SCHOOL_MEMBER, section="polls")
async def pearl(ctx: Context, number: str, why: str | None) -> Text:
    return await _react(ctx, "pearl", number, why, "wall_pearl")


@command("wall_puzzle", params=(Param("number"), Param("question", rest=True, max_length=IDEA_MAX)),
         access=Access.SCHOOL_MEMBER, section="polls")
async def puzzle(ctx: Context, number: str, question: str) -> Text:
    return await _react(ctx, "puzzle", number, question, "wall_puzzle")


@command("wall_tip", params=(Param("tip", rest=True, max_length=TIP_MAX * 2),), access=Access.SCHOOL_MEMBER,
         section="polls")
async def add_tip(ctx: Context, tip: str) -> list[Reply]:

    team, wall = await _revealed(ctx)
    text = " ".join(read_text(tip, max_length=TIP_MAX, what="wall.what.tip").split())
    tips = list((await ctx.session.exec(select(BrainstormTip).where(BrainstormTip.brainstorm_id == wall.id)
                                        .order_by(col(BrainstormTip.position)))).all())
    if any(t.text.casefold() == text.casefold() for t in tips):
        raise UserError(Msg("wall.tip_twice"))
    position = len(tips) + 1
    ctx.session.add(BrainstormTip(brainstorm_id=wall.id, position=position, text=text,
                                  added_by=ctx.member.id if ctx.member else None, created_at=ctx.now()))
    await ctx.session.flush()
    if position < TIPS:
        return [Text(Msg("wall.tip_saved", n=position, left=TIPS - position))]
    wall.status, wall.done_at = "done", ctx.now()
    ctx.session.add(wall)
    await ctx.session.flush()
    body = await summary(ctx.session, wall, team)
    replies = await to_team(
        ctx.session, team, lambda target: [Text(body, target=target)], no_chat=NoChat.EACH_MEMBER
    )
    if ctx.team is None or ctx.team.id != team.id:
        replies.insert(0, Text(Msg("wall.tip_saved", n=position, left=0)))
    return replies


async def summary(session: AsyncSession, wall: Brainstorm, team: Team) -> Join:
    """The wall as it stands: ideas (with how many parels and puzzels), and the tips; no names."""
    ideas = await ideas_in_order(session, wall.id)
    reactions = list((await session.exec(select(BrainstormReaction).where(
        BrainstormReaction.brainstorm_id == wall.id).order_by(col(BrainstormReaction.id)))).all())
    tips = list((await session.exec(select(BrainstormTip).where(BrainstormTip.brainstorm_id == wall.id)
                                    .order_by(col(BrainstormTip.position)))).all())
    lines: list[Any] = [
        Msg(f"wall.summary_{wall.status}", team=team.name, question=wall.question, count=len(ideas))
    ]
    if wall.status == "collecting":
        return Join(lines)
    for n, idea in enumerate(ideas, 1):
        pearls = sum(1 for r in reactions if r.idea_id == idea.id and r.kind == "pearl")
        lines.append(Msg("wall.summary_idea", n=n, text=idea.text, pearls=pearls))
        for r in reactions:
            if r.idea_id == idea.id and r.kind == "puzzle" and r.text:
                lines.append(Msg("wall.summary_puzzle", text=r.text))
    if tips:
        lines.append(Msg("wall.tips_head"))
        lines += [Msg("wall.tip_line", n=t.position, text=t.text) for t in tips]
    return Join(lines)


@command(
    "wall_show",
    params=(Param("team", required=False, rest=True),),
    access=Access.SCHOOL_MEMBER,
    section="polls",
)
async def show_wall(ctx: Context, team: str | None) -> Text:

    found = await team_named_or_mine(ctx, team)
    wall = await current_wall(ctx.session, found.id, ("collecting", "revealed", "done"))
    if wall is None:
        raise UserError(Msg("wall.none_yet", team=found.name, start_cmd=command_name("wall_start")))
    return Text(await summary(ctx.session, wall, found))
