"""Queries the handlers share. Lists are fetched set-based (one query per table, not per row)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import circle
from storage.models import (
    ChatLink,
    Identity,
    Member,
    School,
    SchoolLink,
    SchoolMembership,
    Team,
    TeamMembership,
)

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def name_key(name: str) -> str:
    """How two names are compared: 'Groep 3-4', 'groep 3 4' and 'GROEP_3-4' are the same team."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s_\-]+", "-", folded).strip("-")


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


async def member_for_identity(session: AsyncSession, platform: str, user_id: str) -> Member | None:
    stmt = (
        select(Member)
        .join(Identity, col(Identity.member_id) == col(Member.id))
        .where(Identity.platform == platform, Identity.user_id == user_id)
    )
    return (await session.exec(stmt)).first()


@dataclass(frozen=True)
class WhoAndWhere:
    """Who wrote an event and where, read in one statement (the dispatcher's context): the member
    behind the platform identity, the team linked to the chat, the school (the team's, else the
    workspace's) and the member's roles there. Any part may be missing (None)."""

    member: Member | None
    team: Team | None
    school: School | None
    via_workspace: bool
    school_membership: SchoolMembership | None
    team_membership: TeamMembership | None


@cache
def who_and_where_statement() -> Any:
    """Built once, on the first event: every event runs it, and building a statement of seven joins
    costs more CPU than SQLite takes to answer it. Not built at import: its aliases make SQLAlchemy
    configure every mapper, which the console need not wait for before its prompt."""
    anchor = sa.select(sa.literal(1).label("one")).subquery("anchor")
    team_school = aliased(School, name="team_school")
    space_school = aliased(School, name="space_school")
    platform, user_id = sa.bindparam("platform", type_=sa.String), sa.bindparam("user_id", type_=sa.String)
    return (
        sa.select(Member, Team, team_school, space_school, SchoolMembership, TeamMembership)
        .select_from(anchor)
        .outerjoin(Identity, sa.and_(col(Identity.platform) == platform, col(Identity.user_id) == user_id))
        .outerjoin(Member, col(Member.id) == col(Identity.member_id))
        .outerjoin(ChatLink, sa.and_(col(ChatLink.platform) == platform,
                                     col(ChatLink.chat_id) == sa.bindparam("chat_id")))
        .outerjoin(Team, col(Team.id) == col(ChatLink.team_id))
        .outerjoin(team_school, col(team_school.id) == col(Team.school_id))
        .outerjoin(SchoolLink, sa.and_(col(SchoolLink.platform) == platform,
                                       col(SchoolLink.workspace_id) == sa.bindparam("workspace_id"),
                                       col(Team.id).is_(None)))
        .outerjoin(space_school, col(space_school.id) == col(SchoolLink.school_id))
        .outerjoin(SchoolMembership, sa.and_(
            col(SchoolMembership.member_id) == col(Member.id),
            col(SchoolMembership.school_id) == sa.func.coalesce(col(team_school.id), col(space_school.id))))
        .outerjoin(TeamMembership, sa.and_(col(TeamMembership.member_id) == col(Member.id),
                                           col(TeamMembership.team_id) == col(Team.id)))
        .limit(1)
    )


async def who_and_where(session: AsyncSession, platform: str, user_id: str, chat_id: str | None,
                        workspace_id: str | None) -> WhoAndWhere:
    """One query instead of five: every event pays for this, so it is one round trip to the
    database (``python -m bench`` counts the statements per answer). Outer joins from a one-row
    anchor, so a stranger in an unknown chat still gets one row of NULLs; a missing chat or
    workspace (None) matches nothing."""
    row = (await session.exec(who_and_where_statement(), params={
        "platform": platform, "user_id": user_id, "chat_id": chat_id, "workspace_id": workspace_id or None,
    })).one()
    member, team, t_school, s_school, sm, tm = row
    return WhoAndWhere(member, team, t_school or s_school, t_school is None and s_school is not None, sm, tm)


async def names_of(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    """Members' display names by id (agenda owners, action owners, who still has to do something):
    two columns, not mapped objects — a fan-out of reminders asks this for every team at once."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = (await session.exec(select(Member.id, Member.display_name)
                               .where(col(Member.id).in_(wanted)))).all()
    return {int(member_id): name for member_id, name in rows}


async def identity_of(session: AsyncSession, member_id: int, platform: str | None) -> Identity | None:
    stmt = select(Identity).where(Identity.member_id == member_id).order_by(col(Identity.id))
    rows = (await session.exec(stmt)).all()
    for row in rows:
        if platform is None or row.platform == platform:
            return row
    return rows[0] if rows else None


async def chat_of_team(session: AsyncSession, team_id: int, platform: str | None) -> ChatLink | None:
    """The team's chat: its chat on ``platform`` if it has one there, else its first."""
    return (await chats_of_teams(session, [team_id], platform)).get(team_id)


async def chats_of_teams(session: AsyncSession, team_ids: Sequence[int],
                         platform: str | None) -> dict[int, ChatLink]:
    """:func:`chat_of_team` for many teams in one query (a batch of reminders); teams without a
    chat are absent."""
    if not team_ids:
        return {}
    stmt = select(ChatLink).where(col(ChatLink.team_id).in_(list(team_ids))).order_by(col(ChatLink.id))
    found: dict[int, ChatLink] = {}
    for row in (await session.exec(stmt)).all():
        here = found.get(row.team_id)
        if here is None or (platform is not None and row.platform == platform and here.platform != platform):
            found[row.team_id] = row
    return found


async def teams_with_chat(session: AsyncSession, team_ids: Sequence[int]) -> set[int]:
    """Which of these teams have a chat linked (one column: a batch of reminders only needs to know
    whether a team's post goes to its chat or to each member; the addresses come later)."""
    if not team_ids:
        return set()
    stmt = select(ChatLink.team_id).where(col(ChatLink.team_id).in_(list(team_ids))).distinct()
    return {int(team_id) for team_id in (await session.exec(stmt)).all()}


async def first_school_of(session: AsyncSession, member_id: int) -> School | None:
    stmt = (
        select(School)
        .join(SchoolMembership, col(SchoolMembership.school_id) == col(School.id))
        .where(SchoolMembership.member_id == member_id)
        .order_by(col(SchoolMembership.joined_at), col(SchoolMembership.id))
    )
    return (await session.exec(stmt)).first()


async def school_by_code(session: AsyncSession, code: str) -> School | None:
    stmt = select(School).where(School.join_code == code.strip().upper())
    return (await session.exec(stmt)).first()


async def school_membership(session: AsyncSession, school_id: int, member_id: int) -> SchoolMembership | None:
    stmt = select(SchoolMembership).where(
        SchoolMembership.school_id == school_id, SchoolMembership.member_id == member_id
    )
    return (await session.exec(stmt)).first()


async def team_membership(session: AsyncSession, team_id: int, member_id: int) -> TeamMembership | None:
    stmt = select(TeamMembership).where(
        TeamMembership.team_id == team_id, TeamMembership.member_id == member_id
    )
    return (await session.exec(stmt)).first()


# A team named by id in a button's value ("\u2060" + id): a word joiner, a format character that no
# team name may contain (handlers/common/validation.clean_name) and nobody can type (bot.core.typed),
# so it never collides with a name, and a value with a 60-character emoji name stays short enough
# for Telegram's 64 bytes of callback data.
TEAM_REF = "\u2060"


def team_ref(team_id: int) -> str:
    """How a button names a team: short, whatever the team is called."""
    return f"{TEAM_REF}{team_id}"


async def team_by_name(session: AsyncSession, school_id: int, name: str) -> Team | None:
    """An active team of the school by its name, or by :func:`team_ref` (a button)."""
    if name.startswith(TEAM_REF) and name[len(TEAM_REF):].isdigit():
        team = await session.get(Team, int(name[len(TEAM_REF):]))
        ok = (team is not None and team.school_id == school_id and team.archived_at is None
              and team.kind == circle.TEAM_KIND)
        return team if ok else None
    stmt = select(Team).where(Team.school_id == school_id, Team.name_key == name_key(name),
                              Team.kind == circle.TEAM_KIND)  # never the chairs' meeting
    return (await session.exec(stmt)).first()


@dataclass(frozen=True)
class Person:
    member: Member
    membership: SchoolMembership
    identities: tuple[Identity, ...]


async def people_of_school(session: AsyncSession, school_id: int) -> list[Person]:
    """Everyone in a school with their identities, in two queries."""
    rows = (
        await session.exec(
            select(Member, SchoolMembership)
            .join(SchoolMembership, col(SchoolMembership.member_id) == col(Member.id))
            .where(SchoolMembership.school_id == school_id)
            .order_by(col(Member.display_name))
        )
    ).all()
    ids = [m.id for m, _ in rows]
    idents: dict[int, list[Identity]] = {}
    if ids:
        for ident in (await session.exec(select(Identity).where(col(Identity.member_id).in_(ids)))).all():
            idents.setdefault(ident.member_id, []).append(ident)
    return [Person(m, sm, tuple(idents.get(m.id or 0, ()))) for m, sm in rows]


@dataclass(frozen=True)
class TeamOverview:
    team: Team
    linked: bool
    members: tuple[tuple[Member, str], ...]  # (member, role) chairs first


async def teams_overview(session: AsyncSession, school_id: int) -> list[TeamOverview]:
    """All teams of a school with their members and roles, in three queries."""
    teams = (
        await session.exec(select(Team).where(Team.school_id == school_id, col(Team.archived_at).is_(None),
                                              Team.kind == circle.TEAM_KIND)  # not the chairs' meeting
                           .order_by(col(Team.name_key)))
    ).all()
    if not teams:
        return []
    team_ids = [t.id for t in teams]
    rows = (
        await session.exec(
            select(TeamMembership, Member)
            .join(Member, col(Member.id) == col(TeamMembership.member_id))
            .where(col(TeamMembership.team_id).in_(team_ids))
        )
    ).all()
    linked = set(
        (await session.exec(select(ChatLink.team_id).where(col(ChatLink.team_id).in_(team_ids)))).all()
    )
    by_team: dict[int, list[tuple[Member, str]]] = {}
    for tm, m in rows:
        by_team.setdefault(tm.team_id, []).append((m, tm.role))
    out = []
    for t in teams:
        members = sorted(
            by_team.get(t.id or 0, []), key=lambda mr: (mr[1] != "chair", mr[0].display_name.casefold())
        )
        out.append(TeamOverview(t, (t.id in linked), tuple(members)))
    return out


# --- set-based writes ---------------------------------------------------------------------------
INSERT_ROWS = 1000  # rows per INSERT statement (see insert_ignore)


async def core(session: AsyncSession, statement: Any,
               params: dict[str, Any] | list[dict[str, Any]] | None = None) -> Any:
    """Run a Core statement on the session's connection, inside its transaction. The ORM's own
    execution layer (loading objects, keeping them in step with an UPDATE) costs more CPU than
    SQLite takes for the statement, and the busiest paths — every event's key, an answer, every
    sent message's outcome — need none of it (``python -m bench``)."""
    return await (await session.connection()).execute(statement, params)


def insert_for(dialect_name: str) -> Any:
    """The dialect's ``insert`` with ``ON CONFLICT`` (PostgreSQL's or SQLite's): the one place that
    chooses it, for every idempotent write. PostgreSQL's is imported here, not at the top: a
    console on SQLite need not load that dialect."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    return sqlite_insert


async def dialect(session: AsyncSession) -> str:
    """The database's dialect name, without asking the session for a connection (a round through
    the async layer on the busiest paths)."""
    return session.get_bind().dialect.name


async def existing_keys(session: AsyncSession, column: Any, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are stored already in a unique ``column`` (a dedupe key): a planner that
    recomputes every tick what is due can then write only what is new, rather than sending the
    same thousands of rows to ``INSERT … ON CONFLICT DO NOTHING`` each time."""
    found: set[str] = set()
    wanted = list(keys)
    for start in range(0, len(wanted), INSERT_ROWS):
        found.update((await session.exec(select(column).where(
            col(column).in_(wanted[start:start + INSERT_ROWS])))).all())
    return found


async def insert_ignore(
    session: AsyncSession, model: Any, rows: list[dict[str, Any]], keys: list[str]
) -> int:
    """INSERT … ON CONFLICT DO NOTHING for many rows at once; returns how many were new.

    At most :data:`INSERT_ROWS` rows go in one statement: PostgreSQL takes no more than 65,535
    parameters in one, which eight weeks of meetings for 700 teams already exceed."""
    if not rows:
        return 0
    make = insert_for(await dialect(session))
    table = model.__table__
    stmt = make(table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    # one statement with the rows as parameters (SQLAlchemy sends them as multi-row VALUES pages
    # from a cached template) rather than a statement built from the rows: compiling a thousand
    # rows' VALUES was most of a fan-out tick's planning (``python -m bench``). Rows are grouped by
    # the columns they set, since every row of one statement binds the same ones.
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(row)), []).append(row)
    new = 0
    for same in by_columns.values():
        for start in range(0, len(same), INSERT_ROWS):
            new += len((await core(session, stmt, same[start:start + INSERT_ROWS])).all())
    return new


class Upsert:
    """One prepared ``INSERT … ON CONFLICT (keys) DO UPDATE SET …  RETURNING …`` for PostgreSQL and
    SQLite alike: a write that is idempotent by its unique key and needs no read first. The
    statement is built once per dialect (building one costs more CPU than running it); each call
    binds the values."""

    def __init__(self, model: Any, columns: tuple[str, ...], keys: tuple[str, ...], update: tuple[str, ...],
                 returning: str) -> None:
        self.model, self.columns, self.keys = model, columns, keys
        self.update, self.returning = update, returning
        self._built: dict[str, Any] = {}

    def _statement(self, dialect_name: str) -> Any:
        if dialect_name not in self._built:
            table = table_of(self.model)
            make = insert_for(dialect_name)
            stmt = make(table).values({c: sa.bindparam(c, type_=table.c[c].type) for c in self.columns})
            self._built[dialect_name] = stmt.on_conflict_do_update(
                index_elements=list(self.keys), set_={c: stmt.excluded[c] for c in self.update},
            ).returning(table.c[self.returning])
        return self._built[dialect_name]

    async def __call__(self, session: AsyncSession, **values: Any) -> Any:
        stmt = self._statement(await dialect(session))
        return (await core(session, stmt, values)).scalar_one()


def table_of(model: Any) -> Table:
    """A table class's SQLAlchemy :class:`Table`, for Core statements (SQLModel leaves ``__table__``
    untyped)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
