"""The web pages' tables: one-time login links, browser sessions, calendar feed tokens.

Every token is stored as its SHA-256 only: what is in the database cannot be used to log in.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import aware
from storage.types import UTCDateTime


class WebLogin(SQLModel, table=True):
    """A one-time link from ``/web``: valid a few minutes, used once, for one person."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    token_hash: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = aware()
    expires_at: datetime = aware()
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A browser's session cookie; ``/web uit`` (or the page's button) ends it."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    token_hash: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    csrf: str = Field(max_length=64)  # the token every form of this session must send back
    created_at: datetime = aware()
    expires_at: datetime = aware()
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FeedToken(SQLModel, table=True):
    """An iCalendar subscription URL: one team's meetings, or (no team) all of a person's teams."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    token_hash: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    created_at: datetime = aware()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
