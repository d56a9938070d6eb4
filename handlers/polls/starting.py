"""Starting polls: a chair's own question, the post-meeting poll now, closing early, and the
five-dimension scan."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import PRIVATE, Choices, DirectTo, Option, Reply, TeamChat, Text
from handlers.common.school_time import when_msg, zone
from handlers.common.targets import NoChat, to_team
from handlers.common.validation import shorten
from handlers.common.values import read_index, read_text
from handlers.cycle.state import cycle_team, team_named_or_mine
from handlers.polls.lookup import (
    ADHOC_DEFAULT,
    MEETING_POLL_OPEN,
    OPTION_MAX,
    QUESTION_MAX,
    SCAN_OPEN,
    is_open,
    poll_title,
    split_duration,
)
from handlers.polls.results import numbered, refuse_closed, result_replies, team_polls
from handlers.polls.scan_results import scan_replies
from handlers.polls.small_teams import require_big_enough
from handlers.polls.store import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    Spec,
    create_poll,
    meeting_specs,
    option_label,
    question_label,
    questions_of,
    scan_specs,
    settings_of,
    threshold_of,
    values_of,
)
from prompts.catalog import Catalog, Join, Msg
from storage.models import (
    Meeting,
    Poll,
    PollQuestion,
    School,
    Team,
)


# --- starting polls -----------------------------------------------------------------------------
def opening_body(poll: Poll, team: Team, tz: Any, questions: list[PollQuestion], threshold: int,
                 answer_cmd: object) -> Join:
    lines: list[Any] = [Msg("poll.open_head", title=poll_title(poll, team), count=len(questions),
                            closes=when_msg(poll.closes_at, tz))]
    if poll.kind == "adhoc" and questions:
        lines.append(question_label(questions[0]))
    lines.append(Msg("poll.anonymous_line", threshold=threshold))
    lines.append(Msg("poll.open_hint", answer_cmd=answer_cmd))
    return Join(lines)


def opening_options(poll: Poll, questions: list[PollQuestion]) -> tuple[Option, ...]:
    """A one-question poll answers with one tap; longer ones start with 'fill in'."""
    if len(questions) == 1:
        qq = questions[0]
        return tuple(Option(option_label(qq, v), f"poll_vote {poll.id} {qq.id} {v}") for v in values_of(qq))
    return (Option(Msg("poll.fill_in"), f"poll_next {poll.id}"),)


def parse_options(parts: list[str]) -> tuple[str, tuple[str, ...]]:
    kind = "scale"
    if not parts:
        return kind, ()
    if len(parts) == 1 and parts[0].strip().lower() in ("1-5", "1–5", "schaal", "scale"):
        return kind, ()
    if [p.strip().lower() for p in parts] in (["ja", "nee"], ["yes", "no"]):
        return "yesno", ()
    if not MIN_OPTIONS <= len(parts) <= MAX_OPTIONS:
        raise UserError(Msg("poll.option_count", got=len(parts), low=MIN_OPTIONS, high=MAX_OPTIONS))
    options = []
    for raw in parts:
        text = " ".join(raw.split())
        if not text:
            raise UserError(Msg("poll.option_empty"))
        if len(text) > OPTION_MAX:
            raise UserError(Msg("poll.option_long", max=OPTION_MAX, text=shorten(text)))
        options.append(text)
    if len({o.lower() for o in options}) != len(options):
        raise UserError(Msg("poll.option_twice"))
    return "choice", tuple(options)


@command("poll_new", params=(Param("question", rest=True, max_length=2000),), access=Access.SCHOOL_MEMBER,
         section="polls")
async def new_poll(ctx: Context, question: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    await require_big_enough(ctx.session, team)
    duration, rest = split_duration(question, ADHOC_DEFAULT)
    first, *parts = rest.split("|")
    text = " ".join(read_text(first, max_length=QUESTION_MAX, what="poll.what.question").split())
    kind, options = parse_options([p for p in parts])
    now = ctx.now()
    poll_id = await create_poll(
        ctx.session,
        team_id=team.id,
        kind="adhoc",
        key=f"adhoc:{uuid.uuid4().hex}",
        opens=now,
        closes=now + duration,
        specs=[Spec(kind=kind, text=text, options=options)],
        now=now,
        created_by=ctx.member.id if ctx.member else None,
    )
    poll = await ctx.session.get(Poll, poll_id)
    assert poll is not None
    return await announce(ctx.session, ctx.catalog, poll, team, ctx.lang, ctx)


async def announce(session: AsyncSession, catalog: Catalog, poll: Poll, team: Team, lang: str,
                   ctx: Context | None = None) -> list[Reply]:
    """The opening message: in the team's channel (scans: to each member privately)."""
    school = await session.get(School, team.school_id)
    tz = zone(school)
    threshold = threshold_of(await settings_of(session, team.school_id))
    questions = (await questions_of(session, [poll.id])).get(poll.id, [])
    answer_cmd = command_name("poll_answer")
    body = opening_body(poll, team, tz, questions, threshold, answer_cmd)
    options = opening_options(poll, questions)
    if poll.kind == "scan":
        from storage.models import TeamMembership

        members = (await session.exec(select(TeamMembership.member_id).where(
            TeamMembership.team_id == team.id).order_by(col(TeamMembership.member_id)))).all()
        return [Choices(body, options, target=DirectTo(m)) for m in members]
    replies = await to_team(
        session, team, lambda target: [Choices(body, options, target=target)], no_chat=NoChat.EACH_MEMBER
    )
    if ctx is not None and (ctx.team is None or ctx.team.id != team.id) and any(
            isinstance(getattr(r, "target", None), TeamChat) for r in replies):
        replies.append(Text(Msg("poll.posted", team=team.name)))
    return replies


@command("meeting_poll", access=Access.SCHOOL_MEMBER, section="polls")
async def meeting_poll_now(ctx: Context) -> list[Reply]:
    """The chair sends the post-meeting poll now (e.g. after a meeting the bot did not plan)."""
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    await require_big_enough(ctx.session, team)
    now = ctx.now()
    last = (
        await ctx.session.exec(
            select(Meeting)
            .where(
                Meeting.team_id == team.id,
                Meeting.status == "held",
                col(Meeting.starts_at) >= now - timedelta(days=2),
            )
            .order_by(col(Meeting.starts_at).desc())
        )
    ).first()
    settings = await settings_of(ctx.session, team.school_id)
    key = f"meeting:{last.id}" if last is not None else f"meeting:{team.id}:{now.isoformat()}"
    poll_id = await create_poll(
        ctx.session,
        team_id=team.id,
        kind="meeting",
        key=key,
        opens=now,
        closes=now + MEETING_POLL_OPEN,
        specs=meeting_specs(ctx.catalog, settings),
        now=now,
        created_by=ctx.member.id if ctx.member else None,
        meeting_id=last.id if last is not None else None,
    )
    if poll_id is None:
        raise UserError(Msg("poll.meeting_poll_exists", answer_cmd=command_name("poll_answer")))
    poll = await ctx.session.get(Poll, poll_id)
    assert poll is not None
    return await announce(ctx.session, ctx.catalog, poll, team, ctx.lang, ctx)


@command("poll_close", params=(Param("number"),), access=Access.SCHOOL_MEMBER, section="polls")
async def close_poll(ctx: Context, number: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    polls = await team_polls(ctx, team)
    if not any(is_open(p, ctx.now()) for p in polls):
        raise UserError(Msg("poll.none_open_team", team=team.name))
    poll = numbered(polls, number, "poll_close")
    refuse_closed(ctx, poll, number)
    if not await close_now(
        ctx.session, poll, ctx.now()
    ):  # the clock closed it just now: it posts the results
        raise UserError(
            Msg("poll.number_closed", n=read_index(number), results_cmd=command_name("poll_results"))
        )
    school = await ctx.session.get(School, team.school_id)
    make = await result_replies(ctx.session, ctx.catalog, poll, team, school, final=True)
    return await to_team(ctx.session, team, make, no_chat=NoChat.EACH_MEMBER)


async def close_now(session: AsyncSession, poll: Poll, now: datetime) -> bool:
    done = await session.exec(update(Poll).where(col(Poll.id) == poll.id, col(Poll.status) == "open")
                              .values(status="closed", closed_at=now))
    poll.status, poll.closed_at = "closed", now
    return done.rowcount == 1


# --- the scan -------------------------------------------------------------------------------------
async def next_scan_round(session: AsyncSession, team_id: int) -> int:
    from sqlalchemy import func

    last = (
        await session.exec(select(func.max(Poll.round)).where(Poll.team_id == team_id, Poll.kind == "scan"))
    ).first()
    return int(last or 0) + 1


async def start_scan(session: AsyncSession, catalog: Catalog, team: Team, now: datetime,
                     created_by: int | None = None) -> Poll | None:
    rnd = await next_scan_round(session, team.id)
    poll_id = await create_poll(
        session,
        team_id=team.id,
        kind="scan",
        key=f"scan:{team.id}:{rnd}",
        opens=now,
        closes=now + SCAN_OPEN,
        specs=scan_specs(),
        now=now,
        created_by=created_by,
        round_=rnd,
    )
    return await session.get(Poll, poll_id) if poll_id is not None else None


@command("scan_start", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="polls")
async def scan_now(ctx: Context, team: str | None) -> list[Reply]:
    found = await team_named_or_mine(ctx, team)
    await ctx.require_team_manager(found)
    await require_big_enough(ctx.session, found)
    running = (await ctx.session.exec(select(Poll).where(Poll.team_id == found.id, Poll.kind == "scan",
                                                         Poll.status == "open"))).first()
    if running is not None:
        raise UserError(Msg("poll.scan_running", team=found.name))
    poll = await start_scan(ctx.session, ctx.catalog, found, ctx.now(), ctx.member.id if ctx.member else None)
    if poll is None:
        raise UserError(Msg("poll.scan_running", team=found.name))
    replies = await announce(ctx.session, ctx.catalog, poll, found, ctx.lang)
    school = await ctx.session.get(School, found.school_id)
    replies.append(Text(Msg("poll.scan_started", team=found.name, round=poll.round,
                            closes=when_msg(poll.closes_at, zone(school)))))
    return replies


@command("scan_results", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="polls")
async def scan_results(ctx: Context, team: str | None) -> list[Reply]:
    found = await team_named_or_mine(ctx, team)
    make = await scan_replies(ctx.session, ctx.catalog, found, ctx.lang)
    return make(PRIVATE)
