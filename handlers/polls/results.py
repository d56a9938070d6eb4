"""Poll and scan results: aggregates only, and only for questions at least the school's threshold
answered (default 3, never below 3); until then the bot says how many more are needed. While a
poll is open everyone sees a snapshot, taken again only once the threshold of votes were cast or
changed since (``store.refresh_snapshots``); the final result comes at the close.

Polls are numbered one way everywhere: as ``/peilingen`` lists them (newest first), for
``/peiling``, ``/uitslag`` and ``/sluitpeiling``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import PRIVATE, Image, Reply, Text
from handlers.common.school_time import when_msg, zone
from handlers.common.values import number_msg, read_index
from handlers.cycle.state import cycle_team, team_named_or_mine
from handlers.polls.charts import Bars, poll_chart, render
from handlers.polls.lookup import is_open, poll_title
from handlers.polls.scan_results import scan_replies
from handlers.polls.store import (
    YES,
    PollResult,
    option_label,
    option_plain,
    question_label,
    results,
    settings_of,
    short_label,
    threshold_of,
    values_of,
)
from prompts.catalog import Catalog, Join, Msg
from prompts.markup import plain
from storage.models import (
    Poll,
    School,
    Team,
)


# --- results --------------------------------------------------------------------------------------
def _plain(catalog: Catalog, lang: str, body: Any) -> str:
    return plain(catalog.render(body, lang))


def result_lines(res: PollResult, catalog: Catalog, lang: str) -> list[Any]:
    lines: list[Any] = []
    for qr in res.questions:
        qq = qr.question
        label = question_label(qq)
        if not qr.shown:
            lines.append(
                Msg("poll.result.withheld", n=qq.position, text=label, need=res.threshold - qr.answers)
            )
        elif qq.kind == "scale":
            spread = Join(
                [Msg("poll.result.option", label=str(v), count=qr.counts.get(v, 0)) for v in values_of(qq)],
                " · ",
            )
            lines.append(
                Msg(
                    "poll.result.scale",
                    n=qq.position,
                    text=label,
                    mean=number_msg(round(qr.mean or 0, 1)),
                    count=qr.answers,
                    spread=spread,
                )
            )
        elif qq.kind == "yesno":
            lines.append(Msg("poll.result.yesno", n=qq.position, text=label, yes=qr.counts.get(YES, 0),
                             no=qr.answers - qr.counts.get(YES, 0), count=qr.answers))
        else:
            spread = Join([Msg("poll.result.option", label=option_label(qq, v), count=qr.counts.get(v, 0))
                           for v in values_of(qq)], " · ")
            lines.append(
                Msg("poll.result.choice", n=qq.position, text=label, count=qr.answers, spread=spread)
            )
    return lines


async def result_replies(
    session: AsyncSession,
    catalog: Catalog,
    poll: Poll,
    team: Team,
    school: School | None,
    *,
    final: bool,
    lang: str | None = None,
) -> Any:
    """A function of the target: the results as a chart with the numbers in words (or, below
    the threshold, how many more answers are needed)."""
    lang = lang or (school.language if school is not None else "nl")
    if poll.kind == "scan":
        return await scan_replies(session, catalog, team, lang, upto=poll, final=final)
    res = (await results(session, [poll]))[poll.id]
    head = Msg("poll.final_head" if final else "poll.results_head", title=poll_title(poll, team),
               answers=res.answers, members=res.members)
    if not res.any_shown:
        body = Join(
            [
                head,
                Msg(
                    "poll.final_withheld" if final else "poll.withheld_head",
                    threshold=res.threshold,
                    answers=res.answers,
                    need=res.needed,
                ),
            ]
        )
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


async def team_polls(ctx: Context, team: Team, limit: int = 10) -> list[Poll]:
    """The team's latest polls (not the scan), newest first: what /peilingen numbers."""
    return list(
        (
            await ctx.session.exec(
                select(Poll)
                .where(Poll.team_id == team.id, Poll.kind != "scan")
                .order_by(col(Poll.opens_at).desc(), col(Poll.id).desc())
                .limit(limit)
            )
        ).all()
    )


def numbered(polls: list[Poll], number: str, command_id: str) -> Poll:
    """The poll with this number in the team's list (``team_polls``, as ``/peilingen`` shows it)."""
    n = read_index(number)
    if n is None or not 1 <= n <= len(polls):
        raise UsageError(command_id, Msg("poll.bad_number", max=len(polls)))
    return polls[n - 1]


def refuse_closed(ctx: Context, poll: Poll, number: str) -> None:
    if not is_open(poll, ctx.now()):
        raise UserError(
            Msg("poll.number_closed", n=read_index(number), results_cmd=command_name("poll_results"))
        )


@command(
    "poll_results", params=(Param("number", required=False),), access=Access.SCHOOL_MEMBER, section="polls"
)
async def show_results(ctx: Context, number: str | None) -> list[Reply]:
    team = await cycle_team(ctx)
    polls = await team_polls(ctx, team)
    if not polls:
        raise UserError(Msg("poll.none_yet", team=team.name, new_cmd=command_name("poll_new")))
    poll = numbered(polls, number, "poll_results") if number is not None else polls[0]
    make = await result_replies(
        ctx.session, ctx.catalog, poll, team, ctx.school, final=poll.status == "closed", lang=ctx.lang
    )
    return make(PRIVATE)


@command(
    "polls", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER, section="polls"
)
async def list_polls(ctx: Context, team: str | None) -> Text:
    found = await team_named_or_mine(ctx, team)
    school = await ctx.session.get(School, found.school_id)
    tz = zone(school)
    polls = await team_polls(ctx, found)
    res = await results(ctx.session, polls)
    settings = await settings_of(ctx.session, found.school_id)
    lines: list[Any] = [Msg("poll.list_head", team=found.name)]
    if not polls:
        lines.append(Msg("poll.list_none"))
    for n, p in enumerate(polls, 1):
        state = Msg("poll.state_open", when=when_msg(p.closes_at, tz)) if is_open(p, ctx.now()) else \
            Msg("poll.state_closed", when=when_msg(min(p.closed_at or p.closes_at, p.closes_at), tz))
        lines.append(Msg("poll.list_line", n=n, title=poll_title(p, found), answers=res[p.id].answers,
                         members=res[p.id].members, state=state))
    weeks = settings.scan_weeks if settings is not None else 6
    lines.append(
        Msg(
            "poll.settings_line",
            threshold=threshold_of(settings),
            scan=Msg("poll.scan_every", weeks=weeks) if weeks else Msg("poll.scan_off"),
            questions=Msg("poll.questions_own")
            if settings is not None and settings.meeting_questions
            else Msg("poll.questions_default"),
        )
    )
    lines.append(
        Msg(
            "poll.list_hint",
            answer_cmd=command_name("poll_answer"),
            results_cmd=command_name("poll_results"),
            close_cmd=command_name("poll_close"),
        )
    )
    return Text(Join(lines))
