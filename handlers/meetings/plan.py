"""Meetings as data: the rhythm turned into dated meetings, holidays that pause it, the agenda
of a team's next meeting, and the texts that show them.

Shared by the commands (``commands.py``, ``agenda.py``) and the clock (the capability's
planner). Times are stored in UTC and shown in the school's time zone; a rhythm is kept in local
time ("Tuesday 15:30"), so a meeting stays at 15:30 across the switch to
winter time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.common.school_time import local_start, when_msg, zone
from handlers.common.values import date_msg, today_in
from handlers.cycle.charter import agenda_charter_lines_of
from handlers.cycle.running import running_lines
from handlers.cycle.state import active_cycles, load_rounds, missing_for_teams
from prompts.catalog import Join, Msg
from storage import circle
from storage.models import (
    DEFAULT_REMINDERS,
    AgendaItem,
    CycleRound,
    Holiday,
    Meeting,
    MeetingRhythm,
    School,
    Team,
    TeamMembership,
)
from storage.queries import insert_ignore, names_of

HORIZON_DAYS = 56  # meetings are planned this far ahead (8 weeks)
MAX_SHOWN_ITEMS = 15
UPCOMING_SHOWN = 6


# --- time ---------------------------------------------------------------------------------------
def rhythm_days(rhythm: MeetingRhythm, first: date, last: date) -> list[date]:
    """The days the rhythm meets between two dates (inclusive), counted from its anchor."""
    step = 7 * max(1, rhythm.every_n_weeks)
    start = max(first, rhythm.anchor)
    offset = (start - rhythm.anchor).days % step
    day = start if offset == 0 else start + timedelta(days=step - offset)
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=step)
    return out


def anchor_for(weekday: int, today: date) -> date:
    """The first day on or after today that falls on the weekday."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def slot_key(day: date) -> str:
    return f"r:{day.isoformat()}"


def new_uid() -> str:
    return uuid.uuid4().hex


def in_holiday(day: date, holidays: Sequence[Holiday]) -> Holiday | None:
    for h in holidays:
        if h.first_day <= day <= h.last_day:
            return h
    return None


# --- set-based helpers --------------------------------------------------------------------------
async def school_holidays(session: AsyncSession, school_ids: Iterable[int], first: date,
                          last: date) -> dict[int, list[Holiday]]:
    ids = list(set(school_ids))
    if not ids:
        return {}
    rows = (await session.exec(select(Holiday).where(
        col(Holiday.school_id).in_(ids), col(Holiday.last_day) >= first, col(Holiday.first_day) <= last,
    ).order_by(col(Holiday.first_day)))).all()
    out: dict[int, list[Holiday]] = {}
    for h in rows:
        out.setdefault(h.school_id, []).append(h)
    return out


# --- planning -----------------------------------------------------------------------------------
async def materialise(session: AsyncSession, now: datetime, team_ids: Sequence[int] | None = None) -> int:
    """Create the meetings of every rhythm up to the horizon (holidays as 'holiday'), in one
    insert that ignores slots that already exist. Safe to run from several processes at once."""
    stmt = select(MeetingRhythm, Team, School).join(Team, col(Team.id) == col(MeetingRhythm.team_id)).join(
        School, col(School.id) == col(Team.school_id))
    if team_ids is not None:
        stmt = stmt.where(col(MeetingRhythm.team_id).in_(list(team_ids)))
    found = (await session.exec(stmt)).all()
    if not found:
        return 0
    first_any = min(today_in(s.timezone, now) for _, _, s in found)
    holidays = await school_holidays(session, [s.id for _, _, s in found], first_any,
                                     first_any + timedelta(days=HORIZON_DAYS + 2))
    planned_until: dict[int, str] = {}
    if team_ids is None:  # the clock's pass: only the days beyond what is planned already
        planned_until = dict((await session.exec(
            select(Meeting.team_id, func.max(Meeting.slot_key)).where(Meeting.kind == "regular")
            .group_by(col(Meeting.team_id))
        )).all())
    rows: list[dict[str, Any]] = []
    for rhythm, team, school in found:
        tz = zone(school)
        today = today_in(school.timezone, now)
        planned = planned_until.get(team.id, "")
        for day in rhythm_days(rhythm, today, today + timedelta(days=HORIZON_DAYS)):
            if slot_key(day) <= planned:  # planned already (every tick but the one a new week enters)
                continue
            starts = local_start(day, rhythm.local_time, tz)
            if starts <= now:
                continue
            off = in_holiday(day, holidays.get(school.id, []))
            rows.append({
                "team_id": team.id, "slot_key": slot_key(day), "starts_at": starts,
                "duration_min": rhythm.duration_min, "status": "holiday" if off else "planned",
                "kind": "regular", "moved": False, "uid": new_uid(), "sequence": 0,
                "created_at": now, "updated_at": now,
            })
    rows.sort(key=lambda r: (r["team_id"], r["slot_key"]))
    return await insert_ignore(session, Meeting, rows, ["team_id", "slot_key"])


async def resync_team(session: AsyncSession, team: Team, school: School, rhythm: MeetingRhythm,
                      now: datetime) -> None:
    """After the rhythm changed: future regular meetings that no longer fit are dropped (their
    calendar entries are cancelled), fitting ones get the new time, missing ones are created.
    Meetings moved by hand and cancelled ones stay as they are."""
    tz = zone(school)
    today = today_in(school.timezone, now)
    days = {slot_key(d): d for d in rhythm_days(rhythm, today, today + timedelta(days=HORIZON_DAYS))}
    holidays = (await school_holidays(session, [school.id], today,
                                      today + timedelta(days=HORIZON_DAYS + 2))).get(school.id, [])
    future = (await session.exec(select(Meeting).where(
        Meeting.team_id == team.id, Meeting.kind == "regular", col(Meeting.starts_at) > now,
        col(Meeting.status).in_(("planned", "holiday", "dropped")), col(Meeting.moved).is_(False),
    ))).all()
    for m in future:
        day = days.get(m.slot_key)
        if day is None:
            if m.status != "dropped":
                m.status, m.sequence, m.updated_at = "dropped", m.sequence + 1, now
                session.add(m)
            continue
        starts = local_start(day, rhythm.local_time, tz)
        status = "holiday" if in_holiday(day, holidays) else "planned"
        if (m.starts_at, m.duration_min, m.status) != (starts, rhythm.duration_min, status):
            m.starts_at, m.duration_min, m.status = starts, rhythm.duration_min, status
            m.sequence, m.updated_at = m.sequence + 1, now
            session.add(m)
    await session.flush()
    await materialise(session, now, [team.id])


async def apply_holiday(session: AsyncSession, school: School, first: date, last: date, now: datetime,
                        *, pausing: bool) -> int:
    """A holiday added pauses the planned regular meetings in it; removed, they come back."""
    tz = zone(school)
    lo = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    team_ids = select(Team.id).where(Team.school_id == school.id)
    before, after = ("planned", "holiday") if pausing else ("holiday", "planned")
    result = await session.exec(
        update(Meeting).where(
            col(Meeting.team_id).in_(team_ids), col(Meeting.kind) == "regular", col(Meeting.status) == before,
            col(Meeting.starts_at) >= max(lo, now), col(Meeting.starts_at) < hi,
        ).values(status=after, sequence=Meeting.sequence + 1, updated_at=now)
    )
    return result.rowcount or 0


# --- reading ------------------------------------------------------------------------------------
async def next_meeting(session: AsyncSession, team_id: int, now: datetime) -> Meeting | None:
    """The planned meeting that has not ended yet, soonest first."""
    rows = (await session.exec(select(Meeting).where(
        Meeting.team_id == team_id, Meeting.status == "planned",
        col(Meeting.starts_at) > now - timedelta(hours=12),
    ).order_by(col(Meeting.starts_at)))).all()
    for m in rows:
        if m.starts_at + timedelta(minutes=m.duration_min) > now:
            return m
    return None


async def next_meetings(session: AsyncSession, team_ids: Sequence[int], now: datetime) -> dict[int, Meeting]:
    """Each team's next planned meeting, in two queries: the candidates' times (a board has
    thousands of planned meetings; only one per team is wanted whole), then those meetings."""
    if not team_ids:
        return {}
    when = select(Meeting.id, Meeting.team_id, Meeting.starts_at, Meeting.duration_min)
    rows = (await session.exec(when.where(
        col(Meeting.team_id).in_(list(team_ids)), Meeting.status == "planned",
        col(Meeting.starts_at) > now - timedelta(hours=12),
    ).order_by(col(Meeting.starts_at)))).all()
    chosen: dict[int, int] = {}
    for meeting_id, team_id, starts_at, minutes in rows:
        if team_id not in chosen and starts_at + timedelta(minutes=minutes) > now:
            chosen[team_id] = meeting_id
    if not chosen:
        return {}
    wanted = select(Meeting).where(col(Meeting.id).in_(list(chosen.values())))
    found = {m.id: m for m in (await session.exec(wanted)).all()}
    return {team_id: found[meeting_id] for team_id, meeting_id in chosen.items()}


async def upcoming(
    session: AsyncSession, team_id: int, now: datetime, limit: int = UPCOMING_SHOWN
) -> list[Meeting]:
    """Meetings still ahead (planned, cancelled, in a holiday), for listing and numbering."""
    rows = (await session.exec(select(Meeting).where(
        Meeting.team_id == team_id, col(Meeting.status).in_(("planned", "cancelled", "holiday")),
        col(Meeting.starts_at) > now,
    ).order_by(col(Meeting.starts_at)).limit(limit))).all()
    return list(rows)


async def open_items(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, list[AgendaItem]]:
    if not team_ids:
        return {}
    rows = (await session.exec(select(AgendaItem).where(
        col(AgendaItem.team_id).in_(list(team_ids)), AgendaItem.status == "open",
    ).order_by(col(AgendaItem.position), col(AgendaItem.id)))).all()
    out: dict[int, list[AgendaItem]] = {}
    for item in rows:
        out.setdefault(item.team_id, []).append(item)
    return out


async def chairs_of(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, int]:
    """Each team's chair (the longest-serving one), in one query."""
    if not team_ids:
        return {}
    rows = (await session.exec(select(TeamMembership).where(
        col(TeamMembership.team_id).in_(list(team_ids)), TeamMembership.role == "chair",
    ).order_by(col(TeamMembership.joined_at), col(TeamMembership.id)))).all()
    out: dict[int, int] = {}
    for tm in rows:
        out.setdefault(tm.team_id, tm.member_id)
    without = [i for i in team_ids if i not in out]
    if not without:
        return out
    # the chairs' meeting has no members of its own: whoever set its rhythm (else a leader) is asked
    for team, rhythm in (await session.exec(
            select(Team, MeetingRhythm).outerjoin(MeetingRhythm, col(MeetingRhythm.team_id) == col(Team.id))
            .where(col(Team.id).in_(without), Team.kind == circle.CHAIRS_KIND)
    )).all():
        who = await circle.participant_ids(session, team.school_id)
        chosen = rhythm.set_by if rhythm is not None and rhythm.set_by in who else (who[0] if who else None)
        if chosen is not None:
            out[team.id] = chosen
    return out


def offsets_of(rhythm: MeetingRhythm | None) -> list[int]:
    return offsets_from(rhythm.reminder_offsets if rhythm is not None else None)


def offsets_from(values: Sequence[Any] | None) -> list[int]:
    """A rhythm's reminder offsets (minutes before the start, latest first) from the stored
    column; no rhythm: the defaults."""
    chosen = list(values) if values is not None else list(DEFAULT_REMINDERS)
    return sorted({int(v) for v in chosen if int(v) > 0}, reverse=True)


def offset_msg(minutes: int) -> Msg:
    if minutes % 1440 == 0:
        return Msg("meet.offset.days", n=minutes // 1440)
    if minutes % 60 == 0:
        return Msg("meet.offset.hours", n=minutes // 60)
    return Msg("meet.offset.minutes", n=minutes)


# --- texts --------------------------------------------------------------------------------------
def item_line(n: int, item: AgendaItem, names: dict[int, str]) -> Msg:
    extra: list[Any] = []
    if item.minutes:
        extra.append(Msg("agenda.item_minutes", minutes=item.minutes))
    if item.owner_member_id is not None and item.owner_member_id in names:
        extra.append(names[item.owner_member_id])
    details = Msg("agenda.item_details", details=Join(extra, ", ")) if extra else ""
    carried = Msg("agenda.item_carried") if item.carried else ""
    return Msg("agenda.item", n=n, title=item.title, details=details, carried=carried)


async def agenda_body(session: AsyncSession, team: Team, meeting: Meeting | None, tz: ZoneInfo,
                      now: datetime, items: list[AgendaItem] | None = None) -> list[Any]:
    """The agenda of a team's next meeting: the members' points, then the cycle's state."""
    given = None if items is None else {team.id: items}
    return (await agenda_bodies(session, [(team, meeting, tz)], now, given))[team.id]


async def agenda_bodies(session: AsyncSession, wanted: Sequence[tuple[Team, Meeting | None, ZoneInfo]],
                        now: datetime, items: dict[int, list[AgendaItem]] | None = None
                        ) -> dict[int, list[Any]]:
    """:func:`agenda_body` for many teams at once (a fan-out of reminders), with one query per kind
    of record for all of them: the same texts, a fixed number of queries."""
    team_ids = [team.id for team, _, _ in wanted]
    if items is None:
        items = await open_items(session, team_ids)
    names = await names_of(session, [i.owner_member_id for rows in items.values() for i in rows])
    charters = await agenda_charter_lines_of(session, [(team, meeting) for team, meeting, _ in wanted])
    # the chairs' meeting has no cycle of its own: only learning teams get the cycle's lines
    cycles = await cycle_lines_of(session, [w for w in wanted if w[0].kind == circle.TEAM_KIND], now)
    out: dict[int, list[Any]] = {}
    for team, _, _ in wanted:
        mine = items.get(team.id, [])
        lines: list[Any] = list(charters[team.id])  # atop the first agendas after a charter is set
        if mine:
            total = sum(i.minutes or 0 for i in mine)
            lines.append(Msg("agenda.items_head", total=total) if total else Msg("agenda.items_head_plain"))
            shown = mine[:MAX_SHOWN_ITEMS]
            lines += [item_line(n, item, names) for n, item in enumerate(shown, 1)]
            if len(mine) > len(shown):
                lines.append(Msg("agenda.more_items", count=len(mine) - len(shown)))
        else:
            lines.append(Msg("agenda.no_items"))
        out[team.id] = lines + cycles.get(team.id, [])
    return out


async def cycle_lines_of(session: AsyncSession, wanted: Sequence[tuple[Team, Meeting | None, ZoneInfo]],
                         now: datetime) -> dict[int, list[Any]]:
    """What the bot adds to every agenda — the cycle's phase, what is missing, actions due — for
    many teams, with one query per kind of record for all of them."""
    found = await active_cycles(session, [team.id for team, _, _ in wanted])
    records = await load_rounds(session, [rnd for _, rnd in found.values()])
    running: dict[int, Msg] = {}
    by_zone: dict[str, list[tuple[int, CycleRound]]] = {}
    for team, _, tz in wanted:
        if team.id in found:
            by_zone.setdefault(str(tz), []).append((team.id, found[team.id][1]))
    for zone_name, rounds in by_zone.items():  # "today" is the school's own date
        running.update(await running_lines(session, rounds, now.astimezone(ZoneInfo(zone_name)).date(),
                                           zone_name))
    missing = await missing_for_teams(session, [
        (team, records[found[team.id][1].id]) for team, _, _ in wanted
        if team.id in found and team.id not in running])
    out: dict[int, list[Any]] = {}
    for team, meeting, tz in wanted:
        if team.id not in found:
            out[team.id] = [Msg("agenda.cycle_none")]
            continue
        cycle, rnd = found[team.id]
        rec = records[rnd.id]
        since = rnd.phase_started_at.astimezone(tz).date()
        lines: list[Any] = [Msg("agenda.cycle_head", title=cycle.title, phase=rnd.phase,
                                name=Msg(f"cycle.phase{rnd.phase}.name"), since=date_msg(since))]
        if team.id in running:  # the intervention runs: where it stands in the plan, not what is "missing"
            lines.append(Msg("method.status_running", running=running[team.id]))
        elif missing[team.id]:
            lines.append(Msg("agenda.cycle_missing"))
            lines += [Msg("cycle.bullet", text=m) for m in missing[team.id]]
        else:
            lines.append(Msg("agenda.cycle_ready"))
        today = now.astimezone(tz).date()
        until = meeting.starts_at.astimezone(tz).date() if meeting is not None else today + timedelta(days=7)
        due = [a for a in rec.actions if today <= a.due <= until]
        if due:
            lines.append(Msg("agenda.actions_due"))
            lines += [
                Msg("agenda.action", what=a.description, owner=a.owner_label, due=date_msg(a.due))
                for a in due
            ]
        out[team.id] = lines
    return out


def meeting_line(n: int, m: Meeting, tz: ZoneInfo, holidays: Sequence[Holiday] = ()) -> Msg:
    when = when_msg(m.starts_at, tz)
    if m.status == "cancelled":
        return Msg("meet.line_cancelled", n=n, when=when, reason=m.cancel_reason or "—")
    if m.status == "holiday":
        off = in_holiday(m.starts_at.astimezone(tz).date(), holidays)
        return Msg("meet.line_holiday", n=n, when=when, label=off.label if off else "—")
    extra = Msg("meet.extra_mark") if m.kind == "extra" else ""
    return Msg("meet.line", n=n, when=when, minutes=m.duration_min, extra=extra)
