"""The school leader: when the weekly digest arrives, questions teams put to the leader, and the
leader's visits to team meetings. (Privacy: a school's retention period lives on ``School``.)
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import aware
from storage.types import UTCDateTime


class DigestSetting(SQLModel, table=True):
    """When a leader gets the weekly digest (default Friday 15:00 in the school's time zone)."""

    __table_args__ = (UniqueConstraint("school_id", "member_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    school_id: int = Field(foreign_key="school.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    weekday: int = 4  # 0 = Monday … 6 = Sunday
    local_time: str = Field(default="15:00", max_length=5)
    enabled: bool = True
    updated_at: datetime = aware()


class LeaderQuestion(SQLModel, table=True):
    """A question a team puts to the school leader; the answer is posted back to the team."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    asked_by: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(max_length=1000)
    asked_at: datetime = aware()
    answer: str | None = Field(default=None, max_length=2000)
    answered_by: int | None = Field(default=None, foreign_key="member.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LeaderVisit(SQLModel, table=True):
    """A school leader joined a team's meeting (the digest notes teams not visited for a month)."""

    __table_args__ = (UniqueConstraint("team_id", "member_id", "on"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    on: date
    recorded_at: datetime = aware()
