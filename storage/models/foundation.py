"""Who and where: schools, members and their platform identities, teams and their chats, and the
bookkeeping every capability relies on (processed events, pending questions, sent messages, the
outbox of scheduled sends).

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

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import aware
from storage.types import UTCDateTime

TEAM_ROLES = ("member", "chair")


class School(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    name: str = Field(max_length=80)
    timezone: str = Field(default="Europe/Amsterdam", max_length=64)
    language: str = Field(default="nl", max_length=8)
    join_code: str = Field(max_length=16, unique=True)
    created_at: datetime = aware()
    # free-text answers older than this are removed (AVG: keep no longer than needed)
    retention_days: int = Field(default=730, sa_column_kwargs={"server_default": "730"})
    # quiet hours, local "HH:MM": nothing is posted on the bot's own from quiet_from to quiet_until,
    # nor at weekends (handlers/common/school_time.next_allowed); direct answers are never delayed
    quiet_from: str = Field(default="18:00", max_length=5, sa_column_kwargs={"server_default": "18:00"})
    quiet_until: str = Field(default="07:30", max_length=5, sa_column_kwargs={"server_default": "07:30"})
    # the school's own word for a team's chair (prompts.catalog.ROLES): fills {role} in every text
    role_name: str = Field(default="voorzitter", max_length=24,
                           sa_column_kwargs={"server_default": "voorzitter"})


class SchoolLink(SQLModel, table=True):
    """A platform workspace that *is* the school (Slack workspace, the local console)."""

    __table_args__ = (UniqueConstraint("platform", "workspace_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    platform: str = Field(max_length=16)
    workspace_id: str = Field(max_length=64)
    school_id: int = Field(foreign_key="school.id", index=True)


class Team(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "name_key"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=60)
    name_key: str = Field(max_length=60)
    created_at: datetime = aware()
    # archived: kept with its history, but no channel, members or reminders (handlers/school/manage.py)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # "team" (a learning team) or "chairs": the school's voorzittersoverleg, which borrows a team's
    # meetings, agenda and chat but is never listed as a team (handlers/chairs/circle.py says why)
    kind: str = Field(default="team", max_length=16, sa_column_kwargs={"server_default": "team"})


class ChatLink(SQLModel, table=True):
    """The team's channel or group on one platform."""

    __table_args__ = (
        UniqueConstraint("platform", "chat_id"),
        UniqueConstraint("team_id", "platform"),
    )
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    team_id: int = Field(foreign_key="team.id", index=True)
    linked_at: datetime = aware()


class Member(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    display_name: str = Field(max_length=80)
    language: str | None = Field(default=None, max_length=8)
    # the team a private chat acts for when the person is in several (chosen with /team)
    working_team_id: int | None = Field(default=None, foreign_key="team.id")
    created_at: datetime = aware()


class Identity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    handle: str | None = Field(default=None, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)


class SchoolMembership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "member_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    school_id: int = Field(foreign_key="school.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    is_admin: bool = False
    is_leader: bool = False
    joined_at: datetime = aware()


class TeamMembership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(default="member", max_length=16)
    joined_at: datetime = aware()


class ArchivedMembership(SQLModel, table=True):
    """Who was in an archived team, in which role: archiving ends the memberships (nothing is sent
    for the team any more) and ``/herstelteam`` brings these people back (handlers/school/team_restore.py).
    Foreign keys only, so deleting the team or a person's own data finds these rows by itself."""

    __table_args__ = (UniqueConstraint("team_id", "member_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(default="member", max_length=16)
    joined_at: datetime = aware()


class ProcessedEvent(SQLModel, table=True):
    """Platform events already handled; the primary key makes redelivery a no-op."""

    platform: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=128)
    processed_at: datetime = aware()


class PendingQuestion(SQLModel, table=True):
    """What the bot waits for from a person in a chat; survives restarts by living here.

    A *queue* per person, platform and chat (ordered by id): at most one question is ``shown``
    at a time, the others wait their turn and are asked next (bot.core.conversation). A row of
    kind ``_menu`` holds the numbered options last shown there (``member_id`` None: shown to
    everyone in a group), so a typed number or yes/no answers them."""

    __table_args__ = (Index("ix_pendingquestion_platform_chat_id", "platform", "chat_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    asked_at: datetime = aware()
    shown: bool = Field(default=False)


class SimulatedClock(SQLModel, table=True):
    """The console's simulated time (``/klok``), so a restarted console resumes where it was
    instead of jumping back to the real date with "future" meetings already in the past."""

    name: str = Field(primary_key=True, max_length=16)
    at: datetime = aware()


class SentMessage(SQLModel, table=True):
    """Where a bot message with a logical reference ended up, so it can be edited later."""

    __table_args__ = (UniqueConstraint("ref", "platform", "chat_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    ref: str = Field(max_length=128)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=128)
    lang: str = Field(default="nl", max_length=8)
    sent_at: datetime = aware()



class Outbox(SQLModel, table=True):
    """Everything the bot sends on its own, durably: a row per message, unique by ``dedupe_key``,
    claimed by one process (pending -> sending) and rendered only when it is sent."""

    __table_args__ = (Index("ix_outbox_status_due_at", "status", "due_at"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    dedupe_key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=32)  # reminder | notes_ask | nudge
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_at: datetime = aware()
    status: str = Field(default="pending", max_length=16)  # pending|sending|sent|skipped|failed
    attempts: int = 0
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=200)  # why it was skipped or failed
    # the lease (bot/core/outbox.py): who holds the claim, until when, and which claim it is (fencing)
    holder: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_no: int = 0
    created_at: datetime = aware()


class EntryVersion(SQLModel, table=True):
    """An entry as it was just before ``member_id`` replaced it at ``saved_at`` (issue 13): an edited
    answer or record keeps the version it had, so ``/ongedaan`` brings that back instead of removing
    the entry (handlers/common/versions.py). ``data`` holds the row's columns as they were."""

    __table_args__ = (Index("ix_entryversion_entry_table_entry_id", "entry_table", "entry_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    entry_table: str = Field(max_length=64)
    entry_id: int
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    saved_at: datetime = aware()
