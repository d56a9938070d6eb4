"""Who is looking, and what they may see: the chat's rules, read from the database on every page.

* any member of a school sees every team of it: focus, phase, meetings, agenda, cycle records,
  quality cards, the library, and scan aggregates (as ``/scanresultaten <team>`` in chat);
* poll results (aggregates above the threshold) only for the team's own members and the school's
  leaders and admins (as ``/peilingresultaten``, which answers for one's own team);
* the digest only for a leader or admin of that school (``SchoolMembership.is_leader/is_admin``);
* a person's data only for that person. Individual answers are never read by any page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from bot.core.events import ChatRef, Event, UserRef
from handlers.web.render import Texts
from storage import circle
from storage import queries as q
from storage.models import Member, School, SchoolMembership, Team, WebSession


class Refused(Exception):
    """The reader may not see this (HTTP 403)."""


class NotFound(Exception):
    """No such page (HTTP 404)."""


@dataclass
class Viewer:
    app: Any  # bot.app.Leerteam
    session: AsyncSession
    member: Member
    web_session: WebSession
    lang: str
    texts: Texts

    @property
    def member_id(self) -> int:
        return self.member.id

    def now(self) -> Any:
        return self.app.clock.now()

    async def schools(self) -> list[tuple[School, SchoolMembership]]:
        return [
            (s, m)
            for s, m in (
                await self.session.exec(
                    select(School, SchoolMembership)
                    .join(SchoolMembership, col(SchoolMembership.school_id) == col(School.id))
                    .where(SchoolMembership.member_id == self.member_id)
                    .order_by(col(School.name))
                )
            ).all()
        ]

    async def school(self, school_id: int) -> tuple[School, SchoolMembership]:
        school = await self.session.get(School, school_id)
        if school is None:
            raise NotFound()
        membership = await q.school_membership(self.session, school_id, self.member_id)
        if membership is None:
            raise Refused()
        return school, membership

    async def team(self, team_id: int) -> tuple[Team, School, SchoolMembership]:
        team = await self.session.get(Team, team_id)
        if team is None or team.kind == circle.CHAIRS_KIND:  # the chairs' meeting has no team page
            raise NotFound()
        school, membership = await self.school(team.school_id)
        return team, school, membership

    async def manages(self, school_id: int) -> bool:
        membership = await q.school_membership(self.session, school_id, self.member_id)
        return bool(membership and (membership.is_leader or membership.is_admin))

    async def sees_polls_of(self, team: Team) -> bool:
        team_id: int = team.id
        in_team = await q.team_membership(self.session, team_id, self.member_id) is not None
        return in_team or await self.manages(team.school_id)

    def context(self, school: School | None) -> Context:
        """A chat context for this reader, for the few chat functions that take one (no event
        reaches the dispatcher: it only carries who is asking)."""
        user = UserRef("web", str(self.member_id), self.member.display_name)
        event = Event(
            event_id="web",
            chat=ChatRef("web", f"web-{self.member_id}", True),
            user=user,
            received_at=self.now(),
        )
        return Context(
            event,
            self.session,
            self.app.clock,
            self.app.settings,
            self.app.catalog,
            self.app.registry,
            member=self.member,
            school=school,
            lang=self.lang,
        )


def language_of(catalog: Any, member: Member, school_language: str | None, default: str) -> str:
    """The member's chosen language, else their school's, else the installation's."""
    for lang in (member.language, school_language, default):
        if lang and lang in catalog.messages:
            return lang
    return default
