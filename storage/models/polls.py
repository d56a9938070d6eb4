"""Reflection polls, the five-dimension scan and the stille wand: polls with their questions and
anonymous votes, a school's poll settings, and the wall's ideas, reactions and tips.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, true
from sqlmodel import Field, SQLModel

from storage.models.base import aware, partial_unique_index
from storage.types import UTCDateTime

POLL_KINDS = ("meeting", "scan", "adhoc")
QUESTION_KINDS = ("scale", "yesno", "choice")
MIN_ANSWERS_FLOOR = 3  # results are never shown for fewer answers than this, whatever a school sets


class PollSettings(SQLModel, table=True):
    """A school's choices for polls: how many answers before results show (never below 3), the
    scan rhythm in weeks (0: no automatic scan), and its own post-meeting questions (``None``:
    the catalog's)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    school_id: int = Field(foreign_key="school.id", unique=True)
    min_answers: int = MIN_ANSWERS_FLOOR
    scan_weeks: int = 6
    meeting_questions: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True))
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()


class Poll(SQLModel, table=True):
    """A poll of one team: after a meeting, a round of the five-dimension scan, or a chair's own
    question. ``key`` makes creating it idempotent (``meeting:<id>``, ``scan:<team>:<round>``,
    ``adhoc:<uid>``). Anonymous always: answers are only ever shown as aggregates."""

    __table_args__ = (Index("ix_poll_status_closes_at", "status", "closes_at"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    kind: str = Field(max_length=16)  # meeting | scan | adhoc
    key: str = Field(max_length=120, unique=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    round: int = 0  # scans: 1, 2, … per team
    anonymous: bool = True
    status: str = Field(default="open", max_length=16)  # open | closed
    opens_at: datetime = aware()
    remind_at: datetime = aware()
    closes_at: datetime = aware()
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = aware()
    shown_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # results first posted
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollQuestion(SQLModel, table=True):
    """One question of a poll, its wording fixed when the poll opened: a catalog ``key`` or the
    school's or chair's own ``text``; ``options`` for a choice question."""

    __table_args__ = (UniqueConstraint("poll_id", "position"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int
    kind: str = Field(max_length=16)  # scale (1–5) | yesno (1 yes, 2 no) | choice (1…n)
    key: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=300)
    dimension: str | None = Field(default=None, max_length=16)  # scan: visie, focus, …
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # While the poll is open everyone sees this tally ({"value": count}), not the live one: it is
    # taken again only once the threshold of votes was cast or changed since (``PollVote.pending``).
    snapshot: dict[str, int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class PollVote(SQLModel, table=True):
    """One answer; unique per question and voter, so a vote arriving twice counts once and a
    changed vote replaces the old one. ``voter_id`` becomes NULL when a member deletes their
    data: the answer stays in the aggregates without an identity."""

    __table_args__ = (UniqueConstraint("question_id", "voter_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    poll_id: int = Field(foreign_key="poll.id", index=True)
    question_id: int = Field(foreign_key="pollquestion.id", index=True)
    voter_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    value: int
    # cast or changed since its question's last snapshot (``PollQuestion.snapshot``)
    pending: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    created_at: datetime = aware()
    updated_at: datetime = aware()


class Brainstorm(SQLModel, table=True):
    """A stille wand: ideas are collected privately, revealed together without names, then the
    team reacts (parels en puzzels) and keeps three joint tips. One open wall per team."""

    __table_args__ = (
        partial_unique_index("uq_brainstorm_open_team", "team_id", "status IN ('collecting', 'revealed')"),
    )
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    question: str = Field(max_length=300)
    status: str = Field(default="collecting", max_length=16)  # collecting | revealed | done
    opens_at: datetime = aware()
    closes_at: datetime = aware()
    created_by: int | None = Field(default=None, foreign_key="member.id")
    revealed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BrainstormIdea(SQLModel, table=True):
    """An idea on the wall; never shown with a name (``author_id`` only to let a member see and
    delete their own; NULL after deletion)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    brainstorm_id: int = Field(foreign_key="brainstorm.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    text: str = Field(max_length=500)
    created_at: datetime = aware()


class BrainstormReaction(SQLModel, table=True):
    """A parel (an idea worth keeping) or a puzzel (a question about an idea), one of each per
    member and idea; shown without names."""

    __table_args__ = (UniqueConstraint("idea_id", "author_id", "kind"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    brainstorm_id: int = Field(foreign_key="brainstorm.id", index=True)
    idea_id: int = Field(foreign_key="brainstormidea.id", index=True)
    kind: str = Field(max_length=8)  # pearl | puzzle
    author_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    text: str | None = Field(default=None, max_length=500)
    created_at: datetime = aware()


class BrainstormTip(SQLModel, table=True):
    """One of the three joint tips the team keeps from a stille wand."""

    __table_args__ = (UniqueConstraint("brainstorm_id", "position"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    brainstorm_id: int = Field(foreign_key="brainstorm.id", index=True)
    position: int
    text: str = Field(max_length=300)
    added_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = aware()
