"""What the clock queues and how each queued message is written when it is sent.

The clock (``bot/core/outbox.py``, through the meetings capability's planner) calls
:func:`queue_reminders` and :func:`close_meetings` on every tick; they insert outbox rows with
unique dedupe keys, so a tick run twice, or by two processes, queues nothing twice. The
``render_*`` functions turn a claimed row into replies at send time, so a reminder carries the
agenda as it is then, and a reminder for a meeting that moved, was cancelled or has already
started is skipped instead of sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Job, Skip
from bot.core.commands import command_name
from bot.core.replies import Ask, DirectTo, Reply, TeamChat, Text
from handlers.common.school_time import before_start, hold_quiet, schools_of_teams, when_msg, zone
from handlers.common.values import date_msg
from handlers.meetings.plan import agenda_bodies, chairs_of, offsets_from, open_items
from prompts.catalog import Join, Msg
from storage import circle
from storage import queries as q
from storage.models import (
    AgendaItem,
    Meeting,
    MeetingRhythm,
    MomentumFlag,
    Outbox,
    School,
    Team,
    TeamMembership,
)
from storage.queries import existing_keys, insert_ignore

MAX_OFFSET = timedelta(days=7)
# The reminder's extension point: provider(session, team, meeting, now) -> [lines] added to the agenda a
# reminder carries (the chairs' meeting adds each team's state: handlers/chairs/).
AGENDA_EXTRA_HOOK = "meetings.agenda_extra"
ASK_NOTES_WITHIN = timedelta(days=2)  # after downtime, notes are asked only for recent meetings


def reminder_key(meeting_id: int, offset: int, starts_at: datetime) -> str:
    return f"reminder:{meeting_id}:{offset}:{starts_at.isoformat()}"


async def queue_reminders(session: AsyncSession, now: datetime) -> int:
    """For each meeting still ahead, queue the latest reminder that is due, once.

    In normal running each reminder becomes 'the latest due' at its own time; after downtime the
    earlier ones are passed over, so a team gets one reminder, not a burst of stale ones. A moved
    meeting has a new start, hence new keys."""
    # plain columns, not mapped objects: every tick reads every meeting of the next day or so
    # (thousands on a big board), and only these four values are needed
    rows = (
        await session.exec(
            select(Meeting.id, Meeting.team_id, Meeting.starts_at, MeetingRhythm.reminder_offsets)
            .outerjoin(MeetingRhythm, col(MeetingRhythm.team_id) == col(Meeting.team_id))
            .where(
                Meeting.status == "planned",
                col(Meeting.starts_at) > now,
                col(Meeting.starts_at) <= now + MAX_OFFSET,
            )
        )
    ).all()
    latest: list[tuple[str, int, datetime, int]] = []  # (key, meeting, start, offset) of what is due
    for meeting_id, _, starts_at, offsets in rows:
        due = [o for o in offsets_from(offsets) if starts_at - timedelta(minutes=o) <= now]
        if due:
            latest.append((reminder_key(meeting_id, min(due), starts_at), meeting_id, starts_at, min(due)))
    # every tick finds the same reminders due until they are sent: only new keys are written
    # (the insert still ignores a key another process wrote in between)
    queued_already = await existing_keys(session, Outbox.dedupe_key, [key for key, _, _, _ in latest])
    queued: list[dict[str, Any]] = []
    for key, meeting_id, starts_at, offset in latest:
        if key in queued_already:
            continue
        queued.append(
            {
                "dedupe_key": key,
                "kind": "reminder",
                "due_at": starts_at - timedelta(minutes=offset),
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "payload": {
                    "meeting_id": meeting_id,
                    "offset": offset,
                    "starts_at": starts_at.isoformat(),
                },
            }
        )
    if not queued:
        return 0
    team_of = {meeting_id: team_id for meeting_id, team_id, _, _ in rows}
    starts = {meeting_id: starts_at for meeting_id, _, starts_at, _ in rows}
    schools = await schools_of_teams(session, {team_of[_meeting_of(r)] for r in queued})
    for r in queued:  # quiet hours, but never past the meeting's start (school_time.before_start)
        meeting_id = _meeting_of(r)
        if team_of[meeting_id] in schools:
            r["due_at"] = before_start(schools[team_of[meeting_id]], r["due_at"], starts[meeting_id])
    queued.sort(key=lambda r: r["dedupe_key"])
    return await insert_ignore(session, Outbox, queued, ["dedupe_key"])


def _meeting_of(row: dict[str, Any]) -> int:
    return int(row["payload"]["meeting_id"])


async def close_meetings(session: AsyncSession, now: datetime) -> int:
    """Meetings that ended are held: open agenda points roll over, and the chair is asked once
    for the notes of the team's latest meeting."""
    ended = [m for m in (await session.exec(select(Meeting).where(
        Meeting.status == "planned", col(Meeting.starts_at) <= now,
    ).order_by(col(Meeting.starts_at)))).all() if m.starts_at + timedelta(minutes=m.duration_min) <= now]
    if not ended:
        return 0
    latest: dict[int, Meeting] = {}
    for m in ended:
        result = await session.exec(update(Meeting).where(
            col(Meeting.id) == m.id, col(Meeting.status) == "planned").values(status="held"))
        if result.rowcount != 1:
            continue  # another process closed it
        await session.exec(
            update(AgendaItem)
            .where(
                col(AgendaItem.team_id) == m.team_id,
                col(AgendaItem.status) == "open",
                col(AgendaItem.added_at) < m.starts_at,
            )
            .values(carried=AgendaItem.carried + 1)
        )
        latest[m.team_id] = m
    chairs = await chairs_of(session, list(latest))
    asks = []
    for team_id, m in latest.items():
        end = m.starts_at + timedelta(minutes=m.duration_min)
        if team_id in chairs and now - end <= ASK_NOTES_WITHIN:
            asks.append(
                {
                    "dedupe_key": f"notes:{m.id}",
                    "kind": "notes_ask",
                    "due_at": end,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "payload": {"meeting_id": m.id, "chair_id": chairs[team_id]},
                }
            )
    ask_team = {m.id: m.team_id for m in latest.values()}
    await hold_quiet(session, asks, [ask_team[_meeting_of(r)] for r in asks])
    await insert_ignore(session, Outbox, asks, ["dedupe_key"])
    return len(latest)


# --- writing a queued message (at send time) ---------------------------------------------------
async def _team_school(session: AsyncSession, team_id: int) -> tuple[Team, School]:
    team = await session.get(Team, team_id)
    school = await session.get(School, team.school_id) if team is not None else None
    if team is None or school is None:
        raise Skip("team gone")
    return team, school


def relative_when(starts: datetime, now: datetime, tz: Any) -> Msg:
    local, today = starts.astimezone(tz), now.astimezone(tz).date()
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return Msg("reminder.today", time=hhmm)
    if local.date() == today + timedelta(days=1):
        return Msg(
            "reminder.tomorrow",
            weekday=Msg(f"meet.weekday.d{local.weekday()}"),
            date=date_msg(local.date()),
            time=hhmm,
        )
    return Msg("reminder.on", when=when_msg(starts, tz))


async def render_reminder(job: Job) -> list[Reply]:
    """One reminder (a retry, or a lone row): the batch form with one job."""
    result = (await render_reminders([job]))[0]
    if isinstance(result, Skip):
        raise result
    return result


async def render_reminders(jobs: Sequence[Job]) -> list[list[Reply] | Skip]:
    """The reminders of a fan-out, written together: one query per kind of record for the whole
    batch (meetings, teams and schools, chats, members, the agendas' points and cycle records),
    so two thousand reminders cost the queries of one. Only reads; each job's answer is its
    replies or the reason it is skipped (the meeting moved, was cancelled or has started)."""
    if not jobs:
        return []
    session, now = jobs[0].session, jobs[0].now
    wanted_ids = [int(job.payload["meeting_id"]) for job in jobs]
    meetings = {m.id: m for m in (await session.exec(
        select(Meeting).where(col(Meeting.id).in_(wanted_ids)))).all()}
    team_ids = sorted({m.team_id for m in meetings.values()})
    places = {team.id: (team, school) for team, school in (await session.exec(
        select(Team, School).join(School, col(School.id) == col(Team.school_id))
        .where(col(Team.id).in_(team_ids)))).all()} if team_ids else {}
    with_chat = await q.teams_with_chat(session, team_ids)
    members: dict[int, list[int]] = {}
    without_chat = [t for t in team_ids if t not in with_chat]
    if without_chat:
        for team_id, member_id in (await session.exec(
            select(TeamMembership.team_id, TeamMembership.member_id)
            .where(col(TeamMembership.team_id).in_(without_chat)).order_by(col(TeamMembership.id)))).all():
            members.setdefault(team_id, []).append(member_id)
    results: list[list[Reply] | Skip] = []
    due: list[tuple[int, Meeting, Team, Any]] = []
    for i, (job, meeting_id) in enumerate(zip(jobs, wanted_ids)):
        meeting = meetings.get(meeting_id)
        results.append(Skip("not planned any more"))
        if meeting is None or meeting.status != "planned":
            continue
        if meeting.starts_at.isoformat() != job.payload.get("starts_at"):
            results[i] = Skip("moved")
        elif meeting.starts_at <= now:
            results[i] = Skip("already started")
        elif meeting.team_id not in places:
            results[i] = Skip("team gone")
        else:
            team, school = places[meeting.team_id]
            due.append((i, meeting, team, zone(school)))
    bodies = await agenda_bodies(session, [(team, meeting, tz) for _, meeting, team, tz in due], now)
    extras = jobs[0].registry.hooks(AGENDA_EXTRA_HOOK)
    for i, meeting, team, tz in due:
        body = Join([
            Msg("reminder.head", team=team.name, when=relative_when(meeting.starts_at, now, tz),
                minutes=meeting.duration_min),
            *bodies[team.id],
            *[line for provider in extras for line in await provider(session, team, meeting, now)],
            *([Msg("reminder.add_hint", add_cmd=command_name("agenda_add"))]
              if team.kind == circle.TEAM_KIND else []),  # the chairs' meeting's hint comes with its hook
        ])
        if team.id in with_chat:
            results[i] = [Text(body, target=TeamChat(team.id))]
        else:  # no team channel linked: each member (the chairs' meeting: each participant) privately
            reach = members.get(team.id, []) if team.kind == circle.TEAM_KIND else await circle.members_of(
                session, team)
            results[i] = [Text(body, target=DirectTo(member_id)) for member_id in reach]
    return results


async def render_notes_ask(job: Job) -> list[Reply]:
    session, payload = job.session, job.payload
    meeting = await session.get(Meeting, int(payload["meeting_id"]))
    if meeting is None or meeting.status != "held":
        raise Skip("not held")
    if meeting.notes:
        raise Skip("notes already there")
    team, school = await _team_school(session, meeting.team_id)
    tz = zone(school)
    still_open = (await open_items(session, [team.id])).get(team.id, [])
    when = when_msg(meeting.starts_at, tz)
    lines: list[Any] = [Msg("chairs.notes_ask", when=when, notes_cmd=command_name("chairs_notes"))
                        if team.kind == circle.CHAIRS_KIND else Msg("notes.ask", team=team.name, when=when)]
    if still_open:
        lines.append(Msg("notes.rolled_over", count=len(still_open)))
    lines.append(Msg("notes.ask_hint"))
    return [Ask(Join(lines), question_id="meeting_notes", target=DirectTo(int(payload["chair_id"])),
                payload={"meeting_id": meeting.id})]


async def render_nudge(job: Job) -> list[Reply]:
    session, payload, now = job.session, job.payload, job.now
    team, school = await _team_school(session, int(payload["team_id"]))
    tz = zone(school)
    kind, detail = payload["kind"], payload.get("detail", {})
    if kind == "cancelled_in_a_row":
        dates = [date_msg(datetime.fromisoformat(s).astimezone(tz).date()) for s in detail.get("starts", [])]
        body = Msg(
            "momentum.cancelled",
            team=team.name,
            count=detail.get("count", 2),
            dates=Join(dates, ", "),
            list_cmd=command_name("meetings"),
            rhythm_cmd=command_name("meeting_rhythm"),
        )
    elif kind == "phase_stalled":
        body = Msg(
            "momentum.phase",
            team=team.name,
            weeks=detail.get("weeks", 0),
            phase=detail.get("phase", 1),
            name=Msg(f"cycle.phase{detail.get('phase', 1)}.name"),
            status_cmd=command_name("cycle_status"),
        )
    elif kind == "moment_missed":
        body = Msg("method.moment_missed", team=team.name,
                   on=date_msg(date.fromisoformat(detail.get("on", "2000-01-01"))),
                   what=detail.get("label") or "—", result_cmd=command_name("result"))
    elif kind == "quiet_member":
        from storage.models import Member

        member = await session.get(Member, int(payload.get("member_id") or 0))
        if member is None:
            raise Skip("member gone")
        body = Msg(
            "momentum.quiet", team=team.name, person=member.display_name, meetings=detail.get("meetings", 3)
        )
    else:
        raise Skip(f"unknown flag {kind}")
    await session.exec(update(MomentumFlag).where(MomentumFlag.key == payload["flag_key"])
                       .values(nudged_at=now))
    return [Text(body, target=DirectTo(int(payload["chair_id"])))]
