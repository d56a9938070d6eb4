"""Quick reflection polls: after each meeting, the five-dimension scan, and a chair's own question.

Answering is one tap per question (numbers in the console): every button is a hidden command
(``poll_next``, ``poll_q``, ``poll_vote``) that the dispatcher runs with the caller's real
identity and role, and that re-checks the poll, the team, the question and the option, so a
forged or stale button changes nothing. One vote per member per question (a unique key), which a
member can change until the poll closes; the same vote twice is counted once.

Anonymity: the bot knows who answered (to remind those who did not, and to stop double votes)
but never shows an individual answer to anyone, the leader included — not even the voter's own
answer is echoed back. Results are aggregates, and only for questions at least the school's
threshold answered (default 3, never below 3); until then the bot says how many more are needed.
While a poll is open everyone sees a snapshot, taken again only once the threshold of votes were
cast or changed since (``poll_store.refresh_snapshots``); the final result comes at the close.

Polls are numbered one way everywhere: as ``/peilingen`` lists them (newest first), for
``/peiling``, ``/uitslag`` and ``/sluitpeiling``.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, cmd, command
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from prompts.markup import plain
from bot.core.replies import PRIVATE, Choices, DirectTo, Image, Option, Reply, TeamChat, Text
from handlers.cycle.state import cycle_team, team_named_or_mine
from handlers.common.school_time import when_msg, zone
from handlers.polls.charts import Bars, poll_chart, render, scan_chart
from handlers.polls.store import (
    DIMENSIONS,
    MAX_OPTIONS,
    MIN_OPTIONS,
    TREND_ROUNDS,
    YES,
    PollResult,
    Spec,
    create_poll,
    dimension_averages,
    lock_poll,
    meeting_specs,
    my_answered,
    option_label,
    option_plain,
    question_label,
    questions_of,
    refresh_snapshots,
    results,
    scan_rounds,
    scan_specs,
    settings_of,
    short_label,
    threshold_of,
    values_of,
)
from handlers.common.validation import shorten
from handlers.common.values import number_msg, read_index, read_text
from prompts.catalog import Catalog, Join, Msg
from storage import queries as q
from storage.models import MIN_ANSWERS_FLOOR, Meeting, Poll, PollQuestion, PollSettings, PollVote, School, Team

QUESTION_MAX = 300
OPTION_MAX = 60
ADHOC_DEFAULT = timedelta(days=2)
MEETING_POLL_OPEN = timedelta(days=3)
SCAN_OPEN = timedelta(days=7)
MIN_DURATION, MAX_DURATION = 10, 14 * 1440  # minutes a chair's poll or a stille wand stays open
MAX_MIN_ANSWERS = 50
MAX_SCAN_WEEKS = 26
DURATION = re.compile(r"^([0-9]{1,4})\s*(m|min|minuten|minutes|u|uur|h|hours?|d|dag|dagen|days?|w|weken|weeks?)$")
DURATION_UNITS = {"m": 1, "min": 1, "minuten": 1, "minutes": 1, "u": 60, "uur": 60, "h": 60, "hour": 60,
                  "hours": 60, "d": 1440, "dag": 1440, "dagen": 1440, "day": 1440, "days": 1440, "w": 10080,
                  "weken": 10080, "week": 10080, "weeks": 10080}
YESNO_PREFIX = re.compile(r"^(ja/nee|ja-nee|yes/no|yes-no)\s*:\s*", re.IGNORECASE)



# --- reading a duration at the start of a line --------------------------------------------------
def split_duration(text: str, default: timedelta) -> tuple[timedelta, str]:
    """``2d Welke dag?`` -> (2 days, 'Welke dag?'); a first word that is not a duration with a
    unit (``10 leerlingen…``) is part of the text, and the default applies."""
    first, _, rest = text.strip().partition(" ")
    m = DURATION.match(first.lower())
    if not m:
        return default, text.strip()
    minutes = int(m[1]) * DURATION_UNITS[m[2]]
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise UserError(Msg("poll.bad_duration", text=shorten(first), low=MIN_DURATION, days=MAX_DURATION // 1440))
    return timedelta(minutes=minutes), rest.strip()


# --- whose polls ----------------------------------------------------------------------------------
async def member_team_ids(ctx: Context) -> list[int]:
    if ctx.member is None:
        return []
    from storage.models import TeamMembership

    return list((await ctx.session.exec(select(TeamMembership.team_id).where(
        TeamMembership.member_id == ctx.member.id))).all())


async def open_polls(ctx: Context) -> list[Poll]:
    """Open polls of the caller's teams (only this channel's team when typed in one)."""
    teams = await member_team_ids(ctx)
    if ctx.team is not None:
        teams = [t for t in teams if t == ctx.team.id]
    if not teams:
        return []
    return list((await ctx.session.exec(select(Poll).where(
        col(Poll.team_id).in_(teams), Poll.status == "open", col(Poll.closes_at) > ctx.now(),
    ).order_by(col(Poll.opens_at), col(Poll.id)))).all())


def poll_title(poll: Poll, team: Team) -> Msg:
    if poll.kind == "scan":
        return Msg("poll.title.scan", team=team.name, round=poll.round)
    if poll.kind == "meeting":
        return Msg("poll.title.meeting", team=team.name)
    return Msg("poll.title.adhoc", team=team.name)


async def _poll_team(session: AsyncSession, poll: Poll) -> tuple[Team, School]:
    team = await session.get(Team, poll.team_id)
    school = await session.get(School, team.school_id) if team is not None else None
    assert team is not None and school is not None
    return team, school


def _int(raw: str | None) -> int:
    value = read_index(raw)
    if value is None:
        raise UserError(Msg("poll.bad_button"))
    return value


async def _my_poll(ctx: Context, raw_id: str) -> tuple[Poll, Team]:
    """A poll named by a button: it exists, and the caller is in its team."""
    poll = await ctx.session.get(Poll, _int(raw_id))
    if poll is None:
        raise UserError(Msg("poll.bad_button"))
    team = await ctx.session.get(Team, poll.team_id)
    if team is None or ctx.member is None or await ctx.team_membership(team) is None:
        raise UserError(Msg("poll.not_your_team"))
    return poll, team


def _is_open(poll: Poll, now: datetime) -> bool:
    return poll.status == "open" and now < poll.closes_at


# --- answering ------------------------------------------------------------------------------------
def question_choices(ctx: Context, poll: Poll, team: Team, question: PollQuestion, total: int,
                     note: Any = None, again: bool = False) -> Choices:
    lines: list[Any] = [note] if note is not None else []
    lines += [Msg("poll.question_head", title=poll_title(poll, team), n=question.position, total=total),
              question_label(question)]
    if question.kind == "scale":
        lines.append(Msg("poll.scale_hint"))
    if again:
        lines.append(Msg("poll.answer_again"))
    options = tuple(Option(option_label(question, v), f"poll_vote {poll.id} {question.id} {v}")
                    for v in values_of(question))
    return Choices(Join(lines), options, target=PRIVATE)


async def next_step(ctx: Context, poll: Poll, team: Team, note: Any = None) -> Reply:
    """The caller's first unanswered question, or — all answered — where the results stand and
    buttons to change an answer."""
    qs = (await questions_of(ctx.session, [poll.id])).get(poll.id, [])  # type: ignore[list-item]
    done = await my_answered(ctx.session, poll.id, ctx.member.id)  # type: ignore[arg-type, union-attr]
    for question in qs:
        if question.id not in done:
            return question_choices(ctx, poll, team, question, len(qs), note)
    res = (await results(ctx.session, [poll]))[poll.id]  # type: ignore[index]
    lines: list[Any] = [note] if note is not None else []
    lines.append(Msg("poll.all_answered", title=poll_title(poll, team)))
    lines.append(status_line(ctx, poll, res))
    lines.append(Msg("poll.change_hint"))
    options = tuple(Option(Msg("poll.change_option", n=qq.position, text=question_label(qq)),
                           f"poll_q {poll.id} {qq.id}") for qq in qs)
    return Choices(Join(lines), options, target=PRIVATE)


def status_line(ctx: Context, poll: Poll, res: PollResult) -> Msg:
    if poll.kind == "scan":
        return Msg("poll.scan_after", threshold=res.threshold, results_cmd=cmd(ctx, "scan_results"))
    if res.all_shown:
        return Msg("poll.results_ready", results_cmd=cmd(ctx, "poll_results"))
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
        col(PollVote.poll_id).in_(ids), PollVote.voter_id == ctx.member.id,  # type: ignore[union-attr]
    ).group_by(col(PollVote.poll_id)))).all())
    return [p for p in polls if mine.get(p.id, 0) < total.get(p.id, 0)]


@command("poll_answer", params=(Param("number", required=False),), access=Access.SCHOOL_MEMBER, section="polls")
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
    options = tuple(Option(Msg("poll.pick_option", title=poll_title(p, teams[p.team_id])), f"poll_next {p.id}")
                    for p in polls)
    return Choices(Msg("poll.pick", count=len(polls)), options, target=PRIVATE)


@command("poll_next", params=(Param("poll"),), access=Access.SCHOOL_MEMBER, hidden=True)
async def poll_next(ctx: Context, poll: str) -> Reply:
    found, team = await _my_poll(ctx, poll)
    if not _is_open(found, ctx.now()):
        raise UserError(Msg("poll.closed"))
    return await next_step(ctx, found, team)


@command("poll_q", params=(Param("poll"), Param("question")), access=Access.SCHOOL_MEMBER, hidden=True)
async def poll_question(ctx: Context, poll: str, question: str) -> Reply:
    found, team = await _my_poll(ctx, poll)
    if not _is_open(found, ctx.now()):
        raise UserError(Msg("poll.closed"))
    qs = (await questions_of(ctx.session, [found.id])).get(found.id, [])  # type: ignore[list-item]
    wanted = _int(question)
    chosen = next((qq for qq in qs if qq.id == wanted), None)
    if chosen is None:
        raise UserError(Msg("poll.bad_button"))
    answered = chosen.id in await my_answered(ctx.session, found.id, ctx.member.id)  # type: ignore[arg-type, union-attr]
    return question_choices(ctx, found, team, chosen, len(qs), again=answered)


@command("poll_vote", params=(Param("poll"), Param("question"), Param("value")), access=Access.SCHOOL_MEMBER,
         hidden=True)
async def poll_vote(ctx: Context, poll: str, question: str, value: str) -> list[Reply]:
    found, team = await _my_poll(ctx, poll)
    now = ctx.now()
    found = await lock_poll(ctx.session, found.id) or found  # type: ignore[arg-type]
    if not _is_open(found, now):
        raise UserError(Msg("poll.closed"))
    chosen = await ctx.session.get(PollQuestion, _int(question))
    if chosen is None or chosen.poll_id != found.id:
        raise UserError(Msg("poll.bad_button"))
    picked = _int(value)
    if picked not in values_of(chosen):
        raise UserError(Msg("poll.no_such_option", max=len(values_of(chosen))))
    member_id = ctx.member.id  # type: ignore[union-attr]
    mine = (await ctx.session.exec(select(PollVote).where(
        PollVote.question_id == chosen.id, PollVote.voter_id == member_id))).first()
    if mine is None:
        ctx.session.add(PollVote(poll_id=found.id, question_id=chosen.id, voter_id=member_id, value=picked,  # type: ignore[arg-type]
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


async def first_results(session: AsyncSession, catalog: Catalog, poll: Poll, team: Team, now: datetime) -> list[Reply]:
    """When every question has reached the threshold for the first time, the team sees the
    results (once: the update only succeeds for the first)."""
    res = (await results(session, [poll]))[poll.id]  # type: ignore[index]
    if not res.all_shown or poll.shown_at is not None:
        return []
    done = await session.exec(update(Poll).where(col(Poll.id) == poll.id, col(Poll.shown_at).is_(None))  # type: ignore[call-overload]
                              .values(shown_at=now))
    if done.rowcount != 1:
        return []
    school = await session.get(School, team.school_id)
    return await to_team(session, team, await result_replies(session, catalog, poll, team, school, final=False))


async def to_team(session: AsyncSession, team: Team, make: Any) -> list[Reply]:
    """Replies for the team's channel, or for each member privately when it has none. ``make``
    is a function of the target returning replies (or the replies for TeamChat)."""
    from storage.models import TeamMembership

    if await q.chat_of_team(session, team.id, None) is not None:  # type: ignore[arg-type]
        target: Any = TeamChat(team.id)  # type: ignore[arg-type]
        return make(target) if callable(make) else make
    members = (await session.exec(select(TeamMembership.member_id).where(
        TeamMembership.team_id == team.id).order_by(col(TeamMembership.member_id)))).all()
    out: list[Reply] = []
    for member_id in members:
        out += make(DirectTo(member_id)) if callable(make) else [_retarget(r, DirectTo(member_id)) for r in make]
    return out


def _retarget(reply: Reply, target: Any) -> Reply:
    import dataclasses

    return dataclasses.replace(reply, target=target)  # type: ignore[type-var]


# --- results --------------------------------------------------------------------------------------
def _plain(catalog: Catalog, lang: str, body: Any) -> str:
    return plain(catalog.render(body, lang))


def result_lines(res: PollResult, catalog: Catalog, lang: str) -> list[Any]:
    lines: list[Any] = []
    for qr in res.questions:
        qq = qr.question
        label = question_label(qq)
        if not qr.shown:
            lines.append(Msg("poll.result.withheld", n=qq.position, text=label, need=res.threshold - qr.answers))
        elif qq.kind == "scale":
            spread = Join([Msg("poll.result.option", label=str(v), count=qr.counts.get(v, 0)) for v in values_of(qq)],
                          " · ")
            lines.append(Msg("poll.result.scale", n=qq.position, text=label, mean=number_msg(round(qr.mean or 0, 1)),
                             count=qr.answers, spread=spread))
        elif qq.kind == "yesno":
            lines.append(Msg("poll.result.yesno", n=qq.position, text=label, yes=qr.counts.get(YES, 0),
                             no=qr.answers - qr.counts.get(YES, 0), count=qr.answers))
        else:
            spread = Join([Msg("poll.result.option", label=option_label(qq, v), count=qr.counts.get(v, 0))
                           for v in values_of(qq)], " · ")
            lines.append(Msg("poll.result.choice", n=qq.position, text=label, count=qr.answers, spread=spread))
    return lines


async def result_replies(session: AsyncSession, catalog: Catalog, poll: Poll, team: Team, school: School | None,
                         *, final: bool, lang: str | None = None) -> Any:
    """A function of the target: the results as a chart with the numbers in words (or, below
    the threshold, how many more answers are needed)."""
    lang = lang or (school.language if school is not None else "nl")
    if poll.kind == "scan":
        return await scan_replies(session, catalog, team, lang, upto=poll)
    res = (await results(session, [poll]))[poll.id]  # type: ignore[index]
    head = Msg("poll.final_head" if final else "poll.results_head", title=poll_title(poll, team),
               answers=res.answers, members=res.members)
    if not res.any_shown:
        body = Join([head, Msg("poll.final_withheld" if final else "poll.withheld_head", threshold=res.threshold,
                               answers=res.answers, need=res.needed)])
        return lambda target: [Text(body, target=target)]
    lines = result_lines(res, catalog, lang)
    if poll.status == "open":
        lines.append(Msg("poll.snapshot_note", threshold=res.threshold))
    lines.append(Msg("poll.anonymous_note", threshold=res.threshold))
    bars = [Bars(short_label(qr.question, catalog, lang), [option_plain(qr.question, v, catalog, lang)
                                                           for v in values_of(qr.question)],
                 [qr.counts.get(v, 0) for v in values_of(qr.question)], qr.mean)
            for qr in res.questions if qr.shown]
    png = await render(poll_chart, _plain(catalog, lang, poll_title(poll, team)), bars,
                       catalog.raw(lang, "poll.chart.count"), catalog.raw(lang, "poll.chart.mean"),
                       catalog.raw(lang, "poll.chart.decimal"))
    alt = Join(lines)
    if png is None:
        return lambda target: [Text(Join([head, alt]), target=target)]
    return lambda target: [Image(png, f"peiling-{poll.id}.png", caption=head, alt_text=alt, target=target)]


async def scan_replies(session: AsyncSession, catalog: Catalog, team: Team, lang: str,
                       upto: Poll | None = None) -> Any:
    """The scan per dimension (this round, the previous one) and the trend over the last rounds."""
    items = (await scan_rounds(session, [team.id], TREND_ROUNDS + 1)).get(team.id, [])  # type: ignore[list-item]
    if upto is not None:
        items = [(p, r) for p, r in items if p.round <= upto.round]
    if not items:
        return lambda target: [Text(Msg("poll.scan_none", team=team.name), target=target)]
    poll, res = items[-1]
    head = Msg("poll.scan_head", team=team.name, round=poll.round, answers=res.answers, members=res.members)
    current = {d: v for d, (v, _) in dimension_averages(res).items()}
    if not current:
        body = Join([head, Msg("poll.withheld_head", threshold=res.threshold, answers=res.answers, need=res.needed)])
        return lambda target: [Text(body, target=target)]
    rounds = [(p, {d: v for d, (v, _) in dimension_averages(r).items()}) for p, r in items]
    rounds = [(p, dims) for p, dims in rounds if dims][-TREND_ROUNDS:]
    previous = rounds[-2][1] if len(rounds) > 1 else None
    lines: list[Any] = []
    for d in DIMENSIONS:
        name = Msg(f"poll.dim.{d}")
        if d not in current:
            lines.append(Msg("poll.scan_dim_withheld", dimension=name))
        elif previous and d in previous:
            lines.append(Msg("poll.scan_dim_prev", dimension=name, avg=number_msg(round(current[d], 1)),
                             prev=number_msg(round(previous[d], 1))))
        else:
            lines.append(Msg("poll.scan_dim", dimension=name, avg=number_msg(round(current[d], 1))))
    if len(rounds) > 1:
        lines.append(Msg("poll.scan_trend_head", count=len(rounds)))
        for d in DIMENSIONS:
            points = [number_msg(round(dims[d], 1)) for _, dims in rounds if d in dims]
            if points:
                lines.append(Msg("poll.scan_trend_line", dimension=Msg(f"poll.dim.{d}"), values=Join(points, " → ")))
    weakest = min(current, key=lambda d: current[d])
    lines.append(Msg("poll.scan_weakest", dimension=Msg(f"poll.dim.{weakest}"),
                     consequence=Msg(f"poll.consequence.{weakest}")))
    if poll.status == "open":
        lines.append(Msg("poll.snapshot_note", threshold=res.threshold))
    lines.append(Msg("poll.anonymous_note", threshold=res.threshold))
    labels = {d: catalog.raw(lang, f"poll.dim.{d}") for d in DIMENSIONS}
    texts = {k: catalog.raw(lang, f"poll.chart.{k}") for k in ("now", "previous", "trend", "scale", "decimal")}
    trend = [(catalog.raw(lang, "poll.chart.round").format(n=p.round), dims) for p, dims in rounds]
    png = await render(scan_chart, _plain(catalog, lang, head), list(DIMENSIONS), labels, current, previous, trend, texts)
    alt = Join(lines)
    if png is None:
        return lambda target: [Text(Join([head, alt]), target=target)]
    return lambda target: [Image(png, f"scan-{team.id}-{poll.round}.png", caption=head, alt_text=alt, target=target)]


async def _team_for_results(ctx: Context, team: str | None) -> Team:
    return await team_named_or_mine(ctx, team)


async def team_polls(ctx: Context, team: Team, limit: int = 10) -> list[Poll]:
    """The team's latest polls (not the scan), newest first: what /peilingen numbers."""
    return list((await ctx.session.exec(select(Poll).where(Poll.team_id == team.id, Poll.kind != "scan")
                                        .order_by(col(Poll.opens_at).desc(), col(Poll.id).desc()).limit(limit))).all())


def numbered(polls: list[Poll], number: str, command_id: str) -> Poll:
    """The poll with this number in the team's list (``team_polls``, as ``/peilingen`` shows it)."""
    n = read_index(number)
    if n is None or not 1 <= n <= len(polls):
        raise UsageError(command_id, Msg("poll.bad_number", max=len(polls)))
    return polls[n - 1]


def refuse_closed(ctx: Context, poll: Poll, number: str) -> None:
    if not _is_open(poll, ctx.now()):
        raise UserError(Msg("poll.number_closed", n=read_index(number), results_cmd=cmd(ctx, "poll_results")))


@command("poll_results", params=(Param("number", required=False),), access=Access.SCHOOL_MEMBER, section="polls")
async def show_results(ctx: Context, number: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    polls = await team_polls(ctx, team)
    if not polls:
        raise UserError(Msg("poll.none_yet", team=team.name, new_cmd=cmd(ctx, "poll_new")))
    poll = numbered(polls, number, "poll_results") if number is not None else polls[0]
    make = await result_replies(ctx.session, ctx.catalog, poll, team, ctx.school, final=poll.status == "closed",
                                lang=ctx.lang)
    return make(PRIVATE)


@command("polls", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER, section="polls")
async def list_polls(ctx: Context, team: str | None) -> Text:
    found = await _team_for_results(ctx, team)
    school = await ctx.session.get(School, found.school_id)
    tz = zone(school)
    polls = await team_polls(ctx, found)
    res = await results(ctx.session, polls)
    settings = await settings_of(ctx.session, found.school_id)
    lines: list[Any] = [Msg("poll.list_head", team=found.name)]
    if not polls:
        lines.append(Msg("poll.list_none"))
    for n, p in enumerate(polls, 1):
        state = Msg("poll.state_open", when=when_msg(p.closes_at, tz)) if _is_open(p, ctx.now()) else \
            Msg("poll.state_closed", when=when_msg(min(p.closed_at or p.closes_at, p.closes_at), tz))
        lines.append(Msg("poll.list_line", n=n, title=poll_title(p, found), answers=res[p.id].answers,  # type: ignore[index]
                         members=res[p.id].members, state=state))  # type: ignore[index]
    weeks = settings.scan_weeks if settings is not None else 6
    lines.append(Msg("poll.settings_line", threshold=threshold_of(settings),
                     scan=Msg("poll.scan_every", weeks=weeks) if weeks else Msg("poll.scan_off"),
                     questions=Msg("poll.questions_own") if settings is not None and settings.meeting_questions
                     else Msg("poll.questions_default")))
    lines.append(Msg("poll.list_hint", answer_cmd=cmd(ctx, "poll_answer"), results_cmd=cmd(ctx, "poll_results"),
                     close_cmd=cmd(ctx, "poll_close")))
    return Text(Join(lines))


# --- starting polls -----------------------------------------------------------------------------
def opening_body(poll: Poll, team: Team, tz: Any, questions: list[PollQuestion], threshold: int,
                 answer_cmd: str) -> Join:
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
    duration, rest = split_duration(question, ADHOC_DEFAULT)
    first, *parts = rest.split("|")
    text = " ".join(read_text(first, max_length=QUESTION_MAX, what="poll.what.question").split())
    kind, options = parse_options([p for p in parts])
    now = ctx.now()
    poll_id = await create_poll(ctx.session, team_id=team.id, kind="adhoc", key=f"adhoc:{uuid.uuid4().hex}",  # type: ignore[arg-type]
                                opens=now, closes=now + duration, specs=[Spec(kind=kind, text=text, options=options)],
                                now=now, created_by=ctx.member.id if ctx.member else None)
    poll = await ctx.session.get(Poll, poll_id)
    assert poll is not None
    return await announce(ctx.session, ctx.catalog, poll, team, ctx.lang, ctx)


async def announce(session: AsyncSession, catalog: Catalog, poll: Poll, team: Team, lang: str,
                   ctx: Context | None = None) -> list[Reply]:
    """The opening message: in the team's channel (scans: to each member privately)."""
    school = await session.get(School, team.school_id)
    tz = zone(school)
    threshold = threshold_of(await settings_of(session, team.school_id))
    questions = (await questions_of(session, [poll.id])).get(poll.id, [])  # type: ignore[list-item]
    answer_cmd = catalog.raw(school.language if school else lang, "cmd.poll_answer.name")
    body = opening_body(poll, team, tz, questions, threshold, answer_cmd)
    options = opening_options(poll, questions)
    if poll.kind == "scan":
        from storage.models import TeamMembership

        members = (await session.exec(select(TeamMembership.member_id).where(
            TeamMembership.team_id == team.id).order_by(col(TeamMembership.member_id)))).all()
        return [Choices(body, options, target=DirectTo(m)) for m in members]
    replies = await to_team(session, team, lambda target: [Choices(body, options, target=target)])
    if ctx is not None and (ctx.team is None or ctx.team.id != team.id) and any(
            isinstance(r.target, TeamChat) for r in replies):  # type: ignore[union-attr]
        replies.append(Text(Msg("poll.posted", team=team.name)))
    return replies


@command("meeting_poll", access=Access.SCHOOL_MEMBER, section="polls")
async def meeting_poll_now(ctx: Context) -> list[Reply]:
    """The chair sends the post-meeting poll now (e.g. after a meeting the bot did not plan)."""
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    now = ctx.now()
    last = (await ctx.session.exec(select(Meeting).where(
        Meeting.team_id == team.id, Meeting.status == "held", col(Meeting.starts_at) >= now - timedelta(days=2),
    ).order_by(col(Meeting.starts_at).desc()))).first()
    settings = await settings_of(ctx.session, team.school_id)
    key = f"meeting:{last.id}" if last is not None else f"meeting:{team.id}:{now.isoformat()}"
    poll_id = await create_poll(ctx.session, team_id=team.id, kind="meeting", key=key, opens=now,  # type: ignore[arg-type]
                                closes=now + MEETING_POLL_OPEN, specs=meeting_specs(ctx.catalog, settings), now=now,
                                created_by=ctx.member.id if ctx.member else None,
                                meeting_id=last.id if last is not None else None)
    if poll_id is None:
        raise UserError(Msg("poll.meeting_poll_exists", answer_cmd=cmd(ctx, "poll_answer")))
    poll = await ctx.session.get(Poll, poll_id)
    assert poll is not None
    return await announce(ctx.session, ctx.catalog, poll, team, ctx.lang, ctx)


@command("poll_close", params=(Param("number"),), access=Access.SCHOOL_MEMBER, section="polls")
async def close_poll(ctx: Context, number: str) -> list[Reply]:
    team = await cycle_team(ctx)
    await ctx.require_team_manager(team)
    polls = await team_polls(ctx, team)
    if not any(_is_open(p, ctx.now()) for p in polls):
        raise UserError(Msg("poll.none_open_team", team=team.name))
    poll = numbered(polls, number, "poll_close")
    refuse_closed(ctx, poll, number)
    if not await close_now(ctx.session, poll, ctx.now()):  # the clock closed it just now: it posts the results
        raise UserError(Msg("poll.number_closed", n=read_index(number), results_cmd=cmd(ctx, "poll_results")))
    school = await ctx.session.get(School, team.school_id)
    make = await result_replies(ctx.session, ctx.catalog, poll, team, school, final=True)
    return await to_team(ctx.session, team, make)


async def close_now(session: AsyncSession, poll: Poll, now: datetime) -> bool:
    done = await session.exec(update(Poll).where(col(Poll.id) == poll.id, Poll.status == "open")  # type: ignore[call-overload]
                              .values(status="closed", closed_at=now))
    poll.status, poll.closed_at = "closed", now
    return done.rowcount == 1


# --- the scan -------------------------------------------------------------------------------------
async def next_scan_round(session: AsyncSession, team_id: int) -> int:
    from sqlalchemy import func

    last = (await session.exec(select(func.max(Poll.round)).where(Poll.team_id == team_id, Poll.kind == "scan"))).first()
    return int(last or 0) + 1


async def start_scan(session: AsyncSession, catalog: Catalog, team: Team, now: datetime,
                     created_by: int | None = None) -> Poll | None:
    rnd = await next_scan_round(session, team.id)  # type: ignore[arg-type]
    poll_id = await create_poll(session, team_id=team.id, kind="scan", key=f"scan:{team.id}:{rnd}", opens=now,  # type: ignore[arg-type]
                                closes=now + SCAN_OPEN, specs=scan_specs(catalog), now=now, created_by=created_by,
                                round_=rnd)
    return await session.get(Poll, poll_id) if poll_id is not None else None


@command("scan_start", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="polls")
async def scan_now(ctx: Context, team: str | None) -> list[Reply]:
    found = await _team_for_results(ctx, team)
    await ctx.require_team_manager(found)
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
    found = await _team_for_results(ctx, team)
    make = await scan_replies(ctx.session, ctx.catalog, found, ctx.lang)
    return make(PRIVATE)


# --- the school's settings (leader) ---------------------------------------------------------------
async def _settings_row(ctx: Context) -> PollSettings:
    school = ctx.require_school()
    row = await settings_of(ctx.session, school.id)  # type: ignore[arg-type]
    if row is None:
        row = PollSettings(school_id=school.id, updated_at=ctx.now())  # type: ignore[arg-type]
    row.updated_by, row.updated_at = (ctx.member.id if ctx.member else None), ctx.now()
    return row


@command("poll_minimum", params=(Param("count"),), access=Access.SCHOOL_MANAGER, section="polls")
async def set_minimum(ctx: Context, count: str) -> Text:
    value = read_index(count)
    if value is None or not MIN_ANSWERS_FLOOR <= value <= MAX_MIN_ANSWERS:
        raise UsageError("poll_minimum", Msg("poll.bad_minimum", text=shorten(count), low=MIN_ANSWERS_FLOOR,
                                             high=MAX_MIN_ANSWERS))
    row = await _settings_row(ctx)
    row.min_answers = value
    ctx.session.add(row)
    return Text(Msg("poll.minimum_set", count=value))


@command("scan_rhythm", params=(Param("weeks"),), access=Access.SCHOOL_MANAGER, section="polls")
async def set_scan_rhythm(ctx: Context, weeks: str) -> Text:
    word = weeks.strip().lower().rstrip("w")
    number = read_index(word)
    if word in ("uit", "off", "geen", "none", "0"):
        value = 0
    elif number is not None and 1 <= number <= MAX_SCAN_WEEKS:
        value = number
    else:
        raise UsageError("scan_rhythm", Msg("poll.bad_scan_weeks", text=shorten(weeks), high=MAX_SCAN_WEEKS))
    row = await _settings_row(ctx)
    row.scan_weeks = value
    ctx.session.add(row)
    if not value:
        return Text(Msg("poll.scan_rhythm_off", scan_cmd=cmd(ctx, "scan_start")))
    return Text(Msg("poll.scan_rhythm_set", weeks=value))


@command("meeting_questions", params=(Param("questions", rest=True, max_length=1200),), access=Access.SCHOOL_MANAGER,
         section="polls")
async def set_meeting_questions(ctx: Context, questions: str) -> Text:
    row = await _settings_row(ctx)
    if questions.strip().lower() in ("standaard", "default"):
        row.meeting_questions = None
        ctx.session.add(row)
        return Text(Msg("poll.questions_reset"))
    parts = [p.strip() for p in questions.split("|")]
    if not 2 <= len(parts) <= 3:
        raise UsageError("meeting_questions", Msg("poll.questions_count", got=len(parts)))
    stored = []
    for part in parts:
        kind = "scale"
        if m := YESNO_PREFIX.match(part):
            kind, part = "yesno", part[m.end():]
        text = " ".join(read_text(part, max_length=QUESTION_MAX, what="poll.what.question").split())
        stored.append({"kind": kind, "text": text})
    row.meeting_questions = stored
    ctx.session.add(row)
    return Text(Join([Msg("poll.questions_set", count=len(stored))] + [
        Msg("poll.questions_line", n=i, text=s["text"], kind=Msg(f"poll.kind.{s['kind']}"))
        for i, s in enumerate(stored, 1)]))
