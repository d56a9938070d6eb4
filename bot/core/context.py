"""Everything a handler needs about one event: who, where, which school and team, in which
language, plus the database session and the clock. Roles are always read from the database,
never from what a client sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect as sa_inspect
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.errors import UserError
from bot.core.events import Event
from prompts.catalog import LANGUAGES, Catalog, Msg, normalize_language
from storage import circle
from storage import queries as q
from storage.models import Identity, Member, School, SchoolMembership, Team, TeamMembership

if TYPE_CHECKING:
    from bot.core.capability import Registry


@dataclass
class Context:
    event: Event
    session: AsyncSession
    clock: Clock
    settings: Settings
    catalog: Catalog
    registry: Registry  # what the app's capabilities contribute (commands for /hulp, hooks)
    member: Member | None = None
    school: School | None = None
    team: Team | None = None  # the team whose channel/group this event happened in
    school_via_workspace: bool = False
    lang: str = "nl"
    # the team a waiting question was asked for: its answer belongs there, wherever it is typed
    focus_team_id: int | None = None
    reach: object | None = None  # the transport the event came through, for can_post (optional)
    _memberships: dict[int, SchoolMembership | None] = field(default_factory=dict)
    # the caller's team membership read with the context (only a found one: a membership made
    # later in the same event is then still seen), dropped once deleted
    _team_memberships: dict[int, TeamMembership] = field(default_factory=dict)

    @classmethod
    async def build(
        cls, event: Event, session: AsyncSession, clock: Clock, settings: Settings, catalog: Catalog,
        registry: Registry, reach: object | None = None,
    ) -> Context:
        ctx = cls(event, session, clock, settings, catalog, registry, reach=reach)
        found = await q.who_and_where(session, event.platform, event.user.user_id,
                                      None if event.chat.is_private else event.chat.chat_id,
                                      event.chat.workspace_id)
        ctx.member, ctx.team, ctx.school = found.member, found.team, found.school
        ctx.school_via_workspace = found.via_workspace
        if ctx.school is not None and ctx.member is not None:  # None too: "not a member" is known
            ctx._memberships[ctx.school.id] = found.school_membership
        if found.team_membership is not None:
            ctx._team_memberships[found.team_membership.team_id] = found.team_membership
        if ctx.school is None and ctx.member is not None:
            ctx.school = await q.first_school_of(session, ctx.member.id)
        ctx.lang = ctx.language_for(ctx.member)
        return ctx

    async def can_post_here(self) -> bool | None:
        """Whether the bot may post in the chat this event came from (None: the platform cannot
        tell, or the event came without a transport, as in tests and scripts)."""
        from bot.core.delivery import can_post

        if self.reach is None or self.event.chat.is_private:
            return None
        return await can_post(self.reach, self.event.chat.chat_id)

    # --- language -------------------------------------------------------------------------
    def language_for(self, member: Member | None) -> str:
        if member is not None and member.language in LANGUAGES:
            return member.language
        if member is None or member.id == (self.member.id if self.member else None):
            locale = normalize_language(self.event.user.locale)  # nl-BE if we have it, else nl
            if locale is not None:
                return locale
        if self.school is not None and self.school.language in LANGUAGES:
            return self.school.language
        return self.settings.language

    # --- who ------------------------------------------------------------------------------
    async def ensure_member(self) -> Member:
        """The caller as a stored member, created on first need (reading never writes)."""
        if self.member is not None:
            user = self.event.user
            if user.display_name and self.member.display_name != user.display_name[:80]:
                self.member.display_name = user.display_name[:80]
                self.session.add(self.member)
            return self.member
        user = self.event.user
        member = Member(display_name=(user.display_name or user.user_id)[:80], created_at=self.clock.now())
        self.session.add(member)
        await self.session.flush()
        self.session.add(
            Identity(
                platform=self.event.platform,
                user_id=user.user_id,
                handle=(user.handle or None) and user.handle[:64],
                member_id=member.id,
            )
        )
        await self.session.flush()
        self.member = member
        return member

    def require_member(self) -> Member:
        """The caller as a stored member, for what only makes sense once they joined (answering,
        voting): the dispatcher's access checks have let them in, so a missing row is a mistake."""
        if self.member is None:
            raise UserError(Msg("school.not_member"))
        return self.member

    async def membership(self, school: School | None = None) -> SchoolMembership | None:
        school = school or self.school
        if school is None or self.member is None:
            return None
        known = self._memberships.get(school.id)
        if school.id not in self._memberships or (known is not None and _gone(known)):
            self._memberships[school.id] = await q.school_membership(
                self.session, school.id, self.member.id
            )
        return self._memberships[school.id]

    async def in_school(self) -> bool:
        """A stored membership, or the platform vouches: the school's workspace or a team's chat."""
        if self.school is None:
            return False
        if await self.membership() is not None:
            return True
        return self.school_via_workspace or self.team is not None

    async def ensure_school_membership(self) -> SchoolMembership:
        school = self.require_school()
        member = await self.ensure_member()
        existing = await self.membership(school)
        if existing is not None:
            return existing
        sm = SchoolMembership(school_id=school.id, member_id=member.id, joined_at=self.clock.now())
        self.session.add(sm)
        await self.session.flush()
        self._memberships[school.id] = sm
        return sm

    # --- roles ----------------------------------------------------------------------------
    def require_school(self) -> School:
        if self.school is None:
            raise UserError(Msg("school.none"))
        return self.school

    async def is_school_manager(self) -> bool:
        sm = await self.membership()
        return bool(sm and (sm.is_leader or sm.is_admin))

    async def team_role(self, team: Team) -> str | None:
        tm = await self.team_membership(team)
        return tm.role if tm else None

    async def manages_school(self, school_id: int) -> bool:
        """Leader or admin of *that* school (in a private chat ``self.school`` is only the
        person's first school, which need not be the team's)."""
        if self.member is None:
            return False
        sm = self._memberships.get(school_id)
        if sm is None or _gone(sm):
            sm = await q.school_membership(self.session, school_id, self.member.id)
        return bool(sm and (sm.is_leader or sm.is_admin))

    async def can_manage_team(self, team: Team) -> bool:
        if team.kind == circle.CHAIRS_KIND:  # the chairs' meeting: its leaders and chairs, nobody else
            return self.member is not None and await circle.is_participant(
                self.session, team.school_id, self.member.id)
        return await self.manages_school(team.school_id) or await self.team_role(team) == "chair"

    async def require_team_manager(self, team: Team) -> None:
        if not await self.can_manage_team(team):
            raise UserError(Msg("access.need_chair", team=team.name))

    async def team_membership(self, team: Team) -> TeamMembership | None:
        if self.member is None:
            return None
        known = self._team_memberships.get(team.id)
        if known is not None and not _gone(known):
            return known
        return await q.team_membership(self.session, team.id, self.member.id)

    def now(self) -> Any:
        return self.clock.now()


def _gone(row: object) -> bool:
    """A row this event deleted (or that left the session): not to be trusted from a cache."""
    state = sa_inspect(row)
    return bool(state.deleted or state.was_deleted or state.detached)
