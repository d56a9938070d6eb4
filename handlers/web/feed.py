"""Calendar subscription feeds: ``/web/feed/<token>.ics`` for one team or all of a person's
teams, built by the meetings capability's own iCalendar writer (the same events, UIDs and
SEQUENCE as ``/kalender``), so a calendar that imported the file and one that subscribes agree.

The token is the only credential (calendar apps cannot log in); it is checked, with the owner's
membership of the school, on every fetch, and a revoked token stops working at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.meetings.calendar import calendar_meetings, ics_calendar
from handlers.web.tokens import find_feed
from prompts.catalog import Catalog
from storage import queries as q
from storage.models import Member, School, Team, TeamMembership


async def feed_ics(
    session: AsyncSession, catalog: Catalog, token: str, now: datetime, default_lang: str
) -> bytes | None:
    """The calendar behind a feed token, or None when the token is unknown or revoked or its
    owner is no longer at the team's school."""
    feed = await find_feed(session, token)
    if feed is None:
        return None
    member = await session.get(Member, feed.member_id)
    if member is None:
        return None
    lang = member.language if member.language in catalog.messages else default_lang
    if feed.team_id is not None:
        team = await session.get(Team, feed.team_id)
        member_id: int = member.id
        if team is None or await q.school_membership(session, team.school_id, member_id) is None:
            return None
        teams = [team]
    else:
        teams = list(
            (
                await session.exec(
                    select(Team)
                    .join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
                    .where(TeamMembership.member_id == member.id)
                    .order_by(col(Team.name_key))
                )
            ).all()
        )
    names = {t.id: catalog.raw(lang, "meet.ics_title").format(team=t.name) for t in teams}
    meetings = await calendar_meetings(session, [t.id for t in teams], now)
    school = await session.get(School, teams[0].school_id) if teams else None
    title = names[teams[0].id] if feed.team_id is not None else catalog.raw(lang, "page.feed_title_all")
    return ics_calendar(
        school or School(name="", join_code=""),
        [(m, names[m.team_id]) for m in meetings],
        title,
        now,
    )
