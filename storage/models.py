"""What Leerteam remembers.

A *member* is a person; a person reaches the bot through one or more platform *identities*
(a Slack user, a Telegram user, a console name). Schools and teams are linked to platform
places: a Slack workspace or the console's one workspace is a school (``SchoolLink``), a
channel or group is a team (``ChatLink``). Roles live on memberships: leader and admin per
school, member and chair per team. Uniqueness that matters for correctness (one identity per
platform user, one team name per school, one processed event per platform event) is enforced
by unique keys, never by code alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

TEAM_ROLES = ("member", "chair")

# Named constraints, so later migrations can drop or alter them on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _when(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class School(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    timezone: str = Field(default="Europe/Amsterdam", max_length=64)
    language: str = Field(default="nl", max_length=8)
    join_code: str = Field(max_length=16, unique=True)
    created_at: datetime = _when()


class SchoolLink(SQLModel, table=True):
    """A platform workspace that *is* the school (Slack workspace, the local console)."""

    __table_args__ = (UniqueConstraint("platform", "workspace_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    workspace_id: str = Field(max_length=64)
    school_id: int = Field(foreign_key="school.id", index=True)


class Team(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "name_key"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=60)
    name_key: str = Field(max_length=60)
    created_at: datetime = _when()


class ChatLink(SQLModel, table=True):
    """The team's channel or group on one platform."""

    __table_args__ = (
        UniqueConstraint("platform", "chat_id"),
        UniqueConstraint("team_id", "platform"),
    )
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    team_id: int = Field(foreign_key="team.id", index=True)
    linked_at: datetime = _when()


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=80)
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = _when()


class Identity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    handle: str | None = Field(default=None, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)


class SchoolMembership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    is_admin: bool = False
    is_leader: bool = False
    joined_at: datetime = _when()


class TeamMembership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(default="member", max_length=16)
    joined_at: datetime = _when()


class ProcessedEvent(SQLModel, table=True):
    """Platform events already handled; the primary key makes redelivery a no-op."""

    platform: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=128)
    processed_at: datetime = _when()


class PendingQuestion(SQLModel, table=True):
    """A free-text answer the bot is waiting for; survives restarts by living here."""

    __table_args__ = (UniqueConstraint("member_id", "platform", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    asked_at: datetime = _when()


class SentMessage(SQLModel, table=True):
    """Where a bot message with a logical reference ended up, so it can be edited later."""

    __table_args__ = (UniqueConstraint("ref", "platform", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=128)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=128)
    lang: str = Field(default="nl", max_length=8)
    sent_at: datetime = _when()
