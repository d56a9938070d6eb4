"""Meetings: the rhythm, holidays, the agenda, reminders and notes through the outbox, and the
momentum guard."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Capability, PlanRun
from handlers.common.undo import UNDO_HOOK, Undoable
from handlers.meetings import agenda, calendar, commands, holidays, momentum, reminders
from handlers.meetings.plan import materialise, offsets_of
from handlers.school.home import HOME_NEXT_HOOK
from storage.models import AgendaItem, Meeting, MeetingRhythm


async def plan(run: PlanRun) -> None:
    """Meetings up to the horizon, reminders that are due, meetings that ended, the momentum guard."""
    run.report.new_meetings = await materialise(run.session, run.now)
    run.report.queued = await reminders.queue_reminders(run.session, run.now)
    run.report.closed = await reminders.close_meetings(run.session, run.now)
    run.report.nudges = await momentum.check(run.session, run.settings, run.now)


async def due_moments(session: AsyncSession, after: datetime, until: datetime) -> list[datetime]:
    """A reminder falls due or a meeting ends (the console's clock stops there)."""
    found: list[datetime] = []
    rows = (
        await session.exec(
            select(Meeting, MeetingRhythm)
            .outerjoin(MeetingRhythm, col(MeetingRhythm.team_id) == col(Meeting.team_id))
            .where(
                Meeting.status == "planned",
                col(Meeting.starts_at) > after - timedelta(days=1),
                col(Meeting.starts_at) <= until + timedelta(days=8),
            )
        )
    ).all()
    for meeting, rhythm in rows:
        moments = [meeting.starts_at - timedelta(minutes=o) for o in offsets_of(rhythm)]
        moments.append(meeting.starts_at + timedelta(minutes=meeting.duration_min))
        found += [t for t in moments if after < t <= until]
    return found


MEETINGS = Capability.collect(
    "meetings", (commands, holidays, calendar, agenda),
    batch_renderers={"reminder": reminders.render_reminders},
    renderers={"reminder": reminders.render_reminder, "notes_ask": reminders.render_notes_ask,
               "nudge": reminders.render_nudge},
    planners=(plan,),
    due_moments=(due_moments,),
    hooks={HOME_NEXT_HOOK: ((30, agenda.next_meeting_steps),),
           UNDO_HOOK: (Undoable(AgendaItem, "added_by", "added_at", "conv.what.agenda", "title"),)},
)
