"""What the clock does for polls and the stille wand, through the same durable outbox as the
meeting reminders (``handlers/meeting_outbox.py``, ``bot/scheduler.py``).

Each tick, inside the planning transaction and right after the meetings were closed:

- a meeting that has just been held gets its post-meeting poll (once: the poll's unique key is
  ``meeting:<id>``), announced through an outbox row ``poll_open:<poll>``;
- a team whose scan is due (the school's rhythm, default every six weeks) gets the next round,
  sent to each member privately (``scan:<team>:<round>``, ``poll_open:<poll>``);
- a poll whose reminder moment has come queues one reminder (``poll_remind:<poll>``), written at
  send time to those who have not answered yet, privately;
- a poll whose time is up is closed (``UPDATE … WHERE status='open'``: one process wins) and its
  results are posted (``poll_close:<poll>``); a scan round's close also puts the conversation
  about it on the team's next agenda (``scan_agenda``);
- a stille wand whose time is up is revealed (``wall_reveal:<wall>``).

Teams smaller than the anonymity threshold get no polls or scans: their results could never be
shown without singling someone out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Job, Skip
from handlers.common.school_time import hold_quiet, when_msg, zone
from handlers.common.targets import NoChat, to_team
from handlers.meetings.reminders import ASK_NOTES_WITHIN
from handlers.polls.small_teams import skipped_notices
from handlers.polls.store import meeting_specs, member_counts, questions_of, thresholds
from prompts.catalog import Catalog, Join, Msg, default_catalog
from storage import circle
from storage.models import Meeting, Outbox, Poll, PollSettings, School, Team
from storage.queries import insert_ignore

DEFAULT_SCAN_WEEKS = 6


def _row(key: str, kind: str, due: datetime, now: datetime, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "kind": kind,
        "due_at": due,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "payload": payload,
    }


async def plan(session: AsyncSession, now: datetime) -> None:
    from handlers.polls import stille_wand

    catalog = default_catalog()
    rows: list[dict[str, Any]] = []
    rows += await _meeting_polls(session, catalog, now)
    rows += await _scans(session, catalog, now)
    rows += await _reminders(session, now)
    rows += await _closing(session, catalog, now)
    rows += await stille_wand.due_reveals(session, now)
    await _hold_quiet(session, rows)
    rows.sort(key=lambda r: r["dedupe_key"])
    await insert_ignore(session, Outbox, rows, ["dedupe_key"])


async def _hold_quiet(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Poll posts wait for the next school morning (handlers/common/school_time.next_allowed)."""
    poll_ids = {r["payload"].get("poll_id") for r in rows} - {None}
    team_of: dict[Any, int] = dict((await session.exec(
        select(Poll.id, Poll.team_id).where(col(Poll.id).in_(sorted(poll_ids)))
    )).all()) if poll_ids else {}
    await hold_quiet(session, rows, [r["payload"].get("team_id") or team_of.get(r["payload"].get("poll_id"))
                                     for r in rows])


async def _big_enough(session: AsyncSession, team_ids: list[int]) -> set[int]:
    counts = await member_counts(session, team_ids)
    limits = await thresholds(session, team_ids)
    return {t for t in team_ids if counts.get(t, 0) >= limits.get(t, 3)}


async def _meeting_polls(session: AsyncSession, catalog: Catalog, now: datetime) -> list[dict[str, Any]]:
    from handlers.polls.lookup import MEETING_POLL_OPEN
    from handlers.polls.store import create_poll

    with_poll = select(Poll.meeting_id).where(col(Poll.meeting_id).is_not(None))
    held = [m for m in (await session.exec(select(Meeting).where(
        Meeting.status == "held", col(Meeting.starts_at) >= now - ASK_NOTES_WITHIN - timedelta(days=1),
        col(Meeting.id).not_in(with_poll),
        # not the chairs' meeting
        col(Meeting.team_id).in_(select(Team.id).where(Team.kind == circle.TEAM_KIND)),
    ).order_by(col(Meeting.starts_at), col(Meeting.id)))).all()
        if timedelta(0) <= now - (m.starts_at + timedelta(minutes=m.duration_min)) <= ASK_NOTES_WITHIN]
    if not held:
        return []
    ok = await _big_enough(session, sorted({m.team_id for m in held}))
    teams = {t.id: t for t in (await session.exec(select(Team).where(col(Team.id).in_(list(ok))))).all()}
    settings = {s.school_id: s for s in (await session.exec(select(PollSettings).where(
        col(PollSettings.school_id).in_({t.school_id for t in teams.values()})))).all()}
    rows = []
    rows += await skipped_notices(session, [m.team_id for m in held if m.team_id not in ok], now)
    for m in held:
        if m.team_id not in ok:
            continue
        end = m.starts_at + timedelta(minutes=m.duration_min)
        poll_id = await create_poll(
            session,
            team_id=m.team_id,
            kind="meeting",
            key=f"meeting:{m.id}",
            opens=end,
            closes=end + MEETING_POLL_OPEN,
            now=now,
            meeting_id=m.id,
            specs=meeting_specs(catalog, settings.get(teams[m.team_id].school_id)),
        )
        if poll_id is not None:
            rows.append(_row(f"poll_open:{poll_id}", "poll_open", end, now, {"poll_id": poll_id}))
    return rows


async def scan_due(session: AsyncSession, now: datetime) -> dict[int, datetime]:
    """Team -> when its next scan is due (the last round's start, or the team's creation, plus
    the school's rhythm); teams with an open scan or a rhythm switched off are left out."""
    from sqlalchemy import func

    # plain columns: every tick reads every team of the board here
    teams = (await session.exec(select(Team.id, Team.created_at, PollSettings.scan_weeks).outerjoin(
        PollSettings, col(PollSettings.school_id) == col(Team.school_id))
        .where(Team.kind == circle.TEAM_KIND))).all()
    last = dict((await session.exec(select(Poll.team_id, func.max(Poll.opens_at)).where(Poll.kind == "scan")
                                    .group_by(col(Poll.team_id)))).all())
    running = set(
        (await session.exec(select(Poll.team_id).where(Poll.kind == "scan", Poll.status == "open"))).all()
    )
    out: dict[int, datetime] = {}
    for team_id, created_at, weeks in teams:
        weeks = DEFAULT_SCAN_WEEKS if weeks is None else weeks
        if not weeks or team_id in running:
            continue
        since = last.get(team_id)
        since = _aware(since) if since is not None else created_at
        out[team_id] = since + timedelta(weeks=weeks)
    return out


async def _scans(session: AsyncSession, catalog: Catalog, now: datetime) -> list[dict[str, Any]]:
    from handlers.polls.starting import start_scan

    due = [t for t, at in (await scan_due(session, now)).items() if at <= now]
    if not due:
        return []
    ok = await _big_enough(session, sorted(due))
    rows = []
    for team in (
        await session.exec(select(Team).where(col(Team.id).in_(sorted(ok))).order_by(col(Team.id)))
    ).all():
        poll = await start_scan(session, catalog, team, now)
        if poll is not None:
            rows.append(_row(f"poll_open:{poll.id}", "poll_open", now, now, {"poll_id": poll.id}))
    return rows


async def _reminders(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    polls = (await session.exec(select(Poll).where(
        Poll.status == "open", col(Poll.remind_at) <= now, col(Poll.closes_at) > now))).all()
    return [_row(f"poll_remind:{p.id}", "poll_remind", p.remind_at, now, {"poll_id": p.id}) for p in polls]


async def _closing(session: AsyncSession, catalog: Catalog, now: datetime) -> list[dict[str, Any]]:
    """Close what is due; a scan round that closes puts its conversation on the team's agenda."""
    from handlers.polls.scan_agenda import add_discussion_point
    from handlers.polls.starting import close_now

    rows = []
    for p in (await session.exec(select(Poll).where(Poll.status == "open", col(Poll.closes_at) <= now)
                                 .order_by(col(Poll.id)))).all():
        if await close_now(session, p, now):
            if p.kind == "scan":
                await add_discussion_point(session, catalog, p, now)
            rows.append(_row(f"poll_close:{p.id}", "poll_close", p.closes_at, now, {"poll_id": p.id}))
    return rows


def _aware(value: Any) -> datetime:

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- the console's clock stops at these moments -------------------------------------------------
async def due_moments(session: AsyncSession, after: datetime, until: datetime) -> list[datetime]:
    from handlers.polls import stille_wand

    found: list[datetime] = []
    for remind, closes in (await session.exec(select(Poll.remind_at, Poll.closes_at).where(
        Poll.status == "open", col(Poll.closes_at) > after, col(Poll.remind_at) <= until))).all():
        found += [t for t in (remind, closes) if after < t <= until]
    found += [t for t in (await scan_due(session, after)).values() if after < t <= until]
    found += await stille_wand.due_moments(session, after, until)
    return found


# --- writing the queued messages ------------------------------------------------------------------
async def _poll(session: AsyncSession, payload: dict[str, Any]) -> tuple[Poll, Team, School]:
    poll = await session.get(Poll, int(payload.get("poll_id", 0)))
    team = await session.get(Team, poll.team_id) if poll is not None else None
    school = await session.get(School, team.school_id) if team is not None else None
    if poll is None or team is None or school is None:
        raise Skip("poll gone")
    return poll, team, school


async def render_open(job: Job) -> list[Any]:
    session, payload, now, catalog = job.session, job.payload, job.now, job.catalog
    from handlers.polls.starting import announce

    poll, team, school = await _poll(session, payload)
    if poll.status != "open" or poll.closes_at <= now:
        raise Skip("closed")
    return await announce(session, catalog, poll, team, school.language)


async def render_remind(job: Job) -> list[Any]:
    session, payload, now = job.session, job.payload, job.now
    from bot.core.replies import Choices, DirectTo
    from handlers.polls.lookup import poll_title
    from handlers.polls.starting import opening_options
    from handlers.polls.store import non_voters

    poll, team, school = await _poll(session, payload)
    if poll.status != "open" or poll.closes_at <= now:
        raise Skip("closed")
    waiting = await non_voters(session, poll)
    if not waiting:
        raise Skip("everyone answered")
    questions = (await questions_of(session, [poll.id])).get(poll.id, [])
    body = Join(
        [
            Msg("poll.reminder", title=poll_title(poll, team), closes=when_msg(poll.closes_at, zone(school))),
            Msg("poll.reminder_anonymous"),
        ]
    )
    options = opening_options(poll, questions)
    return [Choices(body, options, target=DirectTo(m)) for m in waiting]


async def render_close(job: Job) -> list[Any]:
    session, payload, catalog = job.session, job.payload, job.catalog
    from handlers.polls.results import result_replies

    poll, team, school = await _poll(session, payload)
    make = await result_replies(session, catalog, poll, team, school, final=True)
    return await to_team(session, team, make, no_chat=NoChat.EACH_MEMBER)
