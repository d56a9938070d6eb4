"""Meetings: a team's rhythm, its meetings and agenda, school holidays, and what the momentum guard
noticed (the leader digest reads those flags).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import aware
from storage.types import UTCDateTime

MEETING_STATUSES = ("planned", "held", "cancelled", "dropped", "holiday")
DEFAULT_REMINDERS = [1440, 60]  # minutes before a meeting: the day before, and an hour before


class MeetingRhythm(SQLModel, table=True):
    """A team's fixed meeting rhythm, in the school's time zone: weekday, local time, every N weeks
    counted from ``anchor`` (a date on that weekday)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", unique=True)
    weekday: int  # 0 = Monday … 6 = Sunday
    local_time: str = Field(max_length=5)  # "15:30", in the school's time zone
    duration_min: int = 60
    every_n_weeks: int = 1
    anchor: date
    reminder_offsets: list[int] = Field(default_factory=lambda: list(DEFAULT_REMINDERS),
                                        sa_column=Column(JSON, nullable=False))
    set_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()


class Meeting(SQLModel, table=True):
    """One meeting of a team. Regular meetings come from the rhythm, one per ``slot_key``
    (``r:<date>``), so planning them again is a no-op; an extra meeting has ``x:<uid>``.
    ``uid`` and ``sequence`` make calendar exports update in place (RFC 5545)."""

    __table_args__ = (
        UniqueConstraint("team_id", "slot_key"),
        Index("ix_meeting_status_starts_at", "status", "starts_at"),
    )
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    slot_key: str = Field(max_length=40)
    starts_at: datetime = aware()
    duration_min: int = 60
    status: str = Field(default="planned", max_length=16)  # planned|held|cancelled|dropped|holiday
    kind: str = Field(default="regular", max_length=16)  # regular | extra
    moved: bool = False  # moved by hand: a rhythm change leaves it where it is
    cancel_reason: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=4000)
    notes_by: int | None = Field(default=None, foreign_key="member.id")
    notes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    uid: str = Field(max_length=64, unique=True)
    sequence: int = 0
    created_at: datetime = aware()
    updated_at: datetime = aware()


class Holiday(SQLModel, table=True):
    """A school holiday (first and last day inclusive): the rhythm pauses."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    school_id: int = Field(foreign_key="school.id", index=True)
    first_day: date
    last_day: date
    label: str = Field(max_length=80)
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = aware()


class AgendaItem(SQLModel, table=True):
    """A point for the team's next meeting. Open items are on the agenda of the next meeting
    until handled; ``meeting_id`` is the meeting it was handled in, ``carried`` how many
    meetings it has rolled over."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    title: str = Field(max_length=200)
    minutes: int | None = None
    owner_member_id: int | None = Field(default=None, foreign_key="member.id")
    added_by: int | None = Field(default=None, foreign_key="member.id")
    position: int = 0
    status: str = Field(default="open", max_length=16)  # open | done | removed
    carried: int = 0
    added_at: datetime = aware()
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)



class MomentumFlag(SQLModel, table=True):
    """Something the momentum guard noticed, once per ``key``; the leader digest reads these."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    kind: str = Field(max_length=32)  # cancelled_in_a_row | phase_stalled | quiet_member
    key: str = Field(max_length=160, unique=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    raised_at: datetime = aware()
    nudged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
