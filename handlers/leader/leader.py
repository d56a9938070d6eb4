"""The leader's side of the two-way street: questions a team puts to the leader and the answers
posted back, visits to team meetings, and when the weekly digest arrives."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Job, Skip
from bot.core.commands import Access, Param, answers, command, command_name
from bot.core.context import Context
from bot.core.errors import UsageError, UserError
from bot.core.replies import Ask, Choices, DirectTo, Option, Reply, TeamChat, Text
from handlers.common.forms import Field, form, start_form
from handlers.common.school_time import local_start, next_allowed, zone
from handlers.common.team_date import team_and_date
from handlers.common.values import (
    date_msg,
    read_date,
    read_index,
    read_text,
    read_time,
    read_weekday,
    time_msg,
    today_in,
)
from handlers.cycle.state import cycle_team, require_team_member
from prompts.catalog import Msg
from storage import queries as q
from storage.models import DigestSetting, LeaderQuestion, LeaderVisit, Outbox, School, SchoolMembership, Team
from storage.queries import insert_ignore

QUESTION_MAX = 1000
REQUEST_PART_MAX = 300  # need, why, proposal: together within QUESTION_MAX
ANSWER_MAX = 2000
DEFAULT_WEEKDAY, DEFAULT_TIME = 4, "15:00"  # Friday afternoon, in the school's time zone
CATCH_UP = timedelta(days=1)  # after downtime a digest is still sent up to a day late, once


# --- questions for the leader -------------------------------------------------------------------
@command("leader_ask", params=(Param("question", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="leader")
async def ask_leader(ctx: Context, question: str | None) -> list[Reply]:
    """An argued request, not 'mag dat?' (seed 003): what the team needs, why, and what it proposes."""
    team = await cycle_team(ctx)
    await require_team_member(ctx, team)
    return await start_form(ctx, "leader_ask", question, {"team_id": team.id})


@form("leader_ask", "leader_ask", (Field("need", max_length=REQUEST_PART_MAX),
                                   Field("why", max_length=REQUEST_PART_MAX),
                                   Field("proposal", max_length=REQUEST_PART_MAX)))
async def _save_request(ctx: Context, values: dict[str, Any], context: dict[str, Any]) -> list[Reply]:
    team = await cycle_team(ctx)
    member = await require_team_member(ctx, team)
    school = ctx.require_school()
    template = ctx.catalog.raw(school.language, "method.leader_request")
    text = template.format(need=values["need"], why=values["why"], proposal=values["proposal"])
    row = LeaderQuestion(team_id=team.id, asked_by=member.id, text=text[:QUESTION_MAX], asked_at=ctx.now())
    ctx.session.add(row)
    await ctx.session.flush()
    replies: list[Reply] = [Text(Msg("leader.asked", id=row.id, team=team.name))]
    leaders = (await ctx.session.exec(select(SchoolMembership.member_id).where(
        SchoolMembership.school_id == team.school_id, col(SchoolMembership.is_leader)))).all()
    for leader_id in sorted(set(leaders) - {member.id}):  # told at once; it stays in the digest too
        replies.append(Choices(
            Msg("daily.leader_told", id=row.id, team=team.name, person=member.display_name, question=text),
            (Option(Msg("daily.leader_answer_now"), f"leader_reply_ask {row.id}"),),
            target=DirectTo(leader_id)))
    return replies


async def _question(ctx: Context, number: str) -> tuple[LeaderQuestion, Team]:
    """A question of *this* leader's school, still open (the id may come from anywhere)."""
    school = ctx.require_school()
    qid = read_index(number.strip().lstrip("#")) or -1
    row = (await ctx.session.exec(
        select(LeaderQuestion, Team).join(Team, col(Team.id) == col(LeaderQuestion.team_id))
        .where(LeaderQuestion.id == qid, Team.school_id == school.id))).first()
    if row is None:
        raise UserError(Msg("leader.unknown_question", id=number.strip()[:12]))
    question, team = row
    if question.answered_at is not None:
        raise UserError(Msg("leader.already_answered", id=question.id))
    return question, team


async def _answer(ctx: Context, question: LeaderQuestion, team: Team, text: str) -> list[Reply]:
    clean = read_text(text, max_length=ANSWER_MAX, what="what.leader_answer")
    question.answer, question.answered_by, question.answered_at = clean, ctx.require_member().id, ctx.now()
    ctx.session.add(question)
    leader = ctx.member.display_name if ctx.member else "?"
    post = Text(Msg("leader.answer_posted", leader=leader, question=question.text, answer=clean),
                target=TeamChat(team.id))
    if await q.chat_of_team(ctx.session, team.id, None) is None:
        post = Text(post.body, target=_asker(question))
    return [post, Text(Msg("leader.answered", id=question.id, team=team.name))]


def _asker(question: LeaderQuestion) -> Any:
    from bot.core.replies import DirectTo

    return DirectTo(question.asked_by) if question.asked_by else TeamChat(question.team_id)


@command("leader_reply", params=(Param("number"), Param("answer", required=False, rest=True)),
         access=Access.SCHOOL_MANAGER, section="leader")
async def reply(ctx: Context, number: str, answer: str | None) -> list[Reply]:
    question, team = await _question(ctx, number)
    if not answer:
        return [_ask_answer(question, team)]
    return await _answer(ctx, question, team, answer)


def _ask_answer(question: LeaderQuestion, team: Team) -> Ask:
    return Ask(Msg("leader.answer_ask", id=question.id, team=team.name, question=question.text),
               question_id="leader_answer", payload={"question_id": question.id})


@command("leader_reply_ask", params=(Param("number"),), access=Access.SCHOOL_MANAGER, hidden=True)
async def reply_button(ctx: Context, number: str) -> Ask:
    question, team = await _question(ctx, number)
    return _ask_answer(question, team)


@answers("leader_answer")
async def answered(ctx: Context, payload: dict[str, Any], text: str) -> list[Reply]:
    if not await ctx.is_school_manager():
        raise UserError(Msg("access.need_leader"))
    question, team = await _question(ctx, str(payload.get("question_id", "")))
    return await _answer(ctx, question, team, text)


# --- visits ------------------------------------------------------------------------------------
@command("leader_visit", params=(Param("team", rest=True),), access=Access.SCHOOL_MANAGER, section="leader")
async def visit(ctx: Context, team: str) -> Text:
    """``/bezocht Groep 5`` (today) or ``/bezocht Groep 5 10-9-2026``: a team name may have spaces."""
    school = ctx.require_school()
    today = today_in(school.timezone, ctx.now())
    found, day = await team_and_date(ctx, school.id, team, today, "leader_visit")
    on = read_date(day, today, past=True) if day else today
    if on > today:
        raise UserError(Msg("leader.visit_future"))
    await insert_ignore(
        ctx.session,
        LeaderVisit,
        [{"team_id": found.id, "member_id": ctx.require_member().id, "on": on, "recorded_at": ctx.now()}],
        ["team_id", "member_id", "on"],
    )
    return Text(Msg("leader.visited", team=found.name, on=date_msg(on)))


# --- when the digest comes ----------------------------------------------------------------------
@command("digest_time", params=(Param("day"), Param("time", required=False, rest=True)),
         access=Access.SCHOOL_MANAGER,
         section="leader")
async def digest_time(ctx: Context, day: str, time: str | None) -> Text:
    school = ctx.require_school()
    member = await ctx.ensure_member()
    row = (await ctx.session.exec(select(DigestSetting).where(
        DigestSetting.school_id == school.id, DigestSetting.member_id == member.id))).first()
    row = row or DigestSetting(school_id=school.id, member_id=member.id, updated_at=ctx.now())
    if day.strip().lower() in ("uit", "off", "stop"):
        if time:
            raise UsageError("digest_time", Msg("usage.extra"))
        row.enabled = False
        reply = Msg("leader.digest_off", digest_cmd=command_name("digest"))
    else:
        weekday = read_weekday(day)
        hour, minute = read_time(time) if time else (15, 0)
        row.weekday, row.local_time, row.enabled = weekday, time_msg(hour, minute), True
        reply = Msg("leader.digest_set", weekday=Msg(f"meet.weekday.d{weekday}"), time=row.local_time)
    row.updated_at = ctx.now()
    ctx.session.add(row)
    return Text(reply)


async def _leaders(session: AsyncSession) -> list[tuple[School, SchoolMembership, int, str]]:
    """Every leader who wants the digest: (school, membership, weekday, local time), one query."""
    rows = (await session.exec(
        select(SchoolMembership, School, DigestSetting)
        .join(School, col(School.id) == col(SchoolMembership.school_id))
        .join(DigestSetting, (col(DigestSetting.school_id) == col(SchoolMembership.school_id))
              & (col(DigestSetting.member_id) == col(SchoolMembership.member_id)), isouter=True)
        .where(SchoolMembership.is_leader == True))).all()  # noqa: E712
    return [(school, sm, setting.weekday if setting else DEFAULT_WEEKDAY,
             setting.local_time if setting else DEFAULT_TIME)
            for sm, school, setting in rows if setting is None or setting.enabled]


def _due_before(school: School, weekday: int, hhmm: str, now: datetime) -> tuple[datetime, Any]:
    """The latest digest moment at or before ``now`` (this week's, or last week's)."""
    tz = zone(school)
    today = now.astimezone(tz).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    due = local_start(day, hhmm, tz)
    if due > now:
        day -= timedelta(days=7)
        due = local_start(day, hhmm, tz)
    return due, day


async def queue_digests(session: AsyncSession, now: datetime) -> int:
    """Queue this week's digest for every leader whose moment has come (once; a day's grace)."""
    due_rows = []
    for school, sm, weekday, hhmm in await _leaders(session):
        member_id = sm.member_id
        due, day = _due_before(school, weekday, hhmm, now)
        if not (due <= now < due + CATCH_UP) or sm.joined_at > due:
            continue  # not due, or this person was not at the school yet at that moment
        due_rows.append({"dedupe_key": f"digest:{school.id}:{member_id}:{day.isoformat()}", "kind": "digest",
                         "due_at": next_allowed(school, due), "status": "pending", "attempts": 0,
                         "created_at": now,
                         "payload": {"school_id": school.id, "member_id": member_id,
                                     "since": (due - timedelta(days=7)).isoformat()}})
    return await insert_ignore(session, Outbox, due_rows, ["dedupe_key"])


async def digest_moments(session: AsyncSession, after: datetime, until: datetime) -> list[datetime]:
    """When digests fall due in (after, until], so the console's /clock stops there."""
    found = []
    for school, sm, weekday, hhmm in await _leaders(session):
        due, _ = _due_before(school, weekday, hhmm, until)
        while due > after and due >= sm.joined_at:
            found.append(due)
            due, _ = _due_before(school, weekday, hhmm, due - timedelta(minutes=1))
    return found


async def render_digest(job: Job) -> list[Reply]:
    session, payload, now, catalog = job.session, job.payload, job.now, job.catalog
    from bot.core.replies import DirectTo
    from handlers.leader.digest import digest_replies
    from handlers.leader.digest_data import REFLECTION_HOOK
    from storage.models import Member

    school = await session.get(School, int(payload["school_id"]))
    member = await session.get(Member, int(payload["member_id"]))
    membership = await q.school_membership(session, int(payload["school_id"]), int(payload["member_id"]))
    if school is None or member is None or membership is None or not membership.is_leader:
        raise Skip("no longer a leader")
    lang = member.language if member.language in catalog.messages else school.language
    since = datetime.fromisoformat(payload["since"])
    return await digest_replies(session, catalog, school, member.id, lang, now, DirectTo(member.id),
                                since=since, reflection=job.registry.hooks(REFLECTION_HOOK))
