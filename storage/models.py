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

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text, true
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
    # free-text answers older than this are removed (AVG: keep no longer than needed)
    retention_days: int = Field(default=730, sa_column_kwargs={"server_default": "730"})


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
    # the team a private chat acts for when the person is in several (chosen with /team)
    working_team_id: int | None = Field(default=None, foreign_key="team.id")
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


# --- the inquiry cycle ------------------------------------------------------------------------
PHASES = (1, 2, 3, 4)
VERDICTS = ("solved", "partly", "not")


class Cycle(SQLModel, table=True):
    """One problem a team works on; at most one active per team (the team's focus)."""

    __table_args__ = (
        Index("uq_cycle_active_team", "team_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    title: str = Field(max_length=120)
    status: str = Field(default="active", max_length=16)  # active | closed
    started_by: int | None = Field(default=None, foreign_key="member.id")
    started_at: datetime = _when()
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CycleRound(SQLModel, table=True):
    """A pass through the four phases; 'partly' or 'not solved' starts the next round."""

    __table_args__ = (UniqueConstraint("cycle_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    number: int = 1
    phase: int = 1
    phase_started_at: datetime = _when()
    carried_learning: str | None = Field(default=None, max_length=4000)
    started_at: datetime = _when()


class PhaseTransition(SQLModel, table=True):
    """Every phase change, with the chair's reason when exit criteria were overridden."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    from_phase: int
    to_phase: int  # 0 = cycle closed, 1 after phase 4 = a new round
    by_member_id: int | None = Field(default=None, foreign_key="member.id")
    override_reason: str | None = Field(default=None, max_length=1000)
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    at: datetime = _when()


class Answer(SQLModel, table=True):
    """A member's answer to one guiding question, per round; answering again edits it."""

    __table_args__ = (UniqueConstraint("round_id", "question", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    phase: int
    question: str = Field(max_length=32)
    member_id: int = Field(foreign_key="member.id", index=True)
    text: str = Field(max_length=4000)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class ProblemRecord(SQLModel, table=True):
    """Phase 1: the problem statement and its baseline (nulmeting)."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    statement: str | None = Field(default=None, max_length=1000)
    baseline_value: float | None = None
    baseline_unit: str | None = Field(default=None, max_length=200)
    baseline_source: str | None = Field(default=None, max_length=300)
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = _when()


class Hypothesis(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    text: str = Field(max_length=500)
    carried: bool = False  # copied from the previous round
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = _when()


class Agreement(SQLModel, table=True):
    """A member supports the problem statement (phase 1 needs most of the team behind it)."""

    __table_args__ = (UniqueConstraint("round_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    at: datetime = _when()


class Source(SQLModel, table=True):
    """Phase 2: an entry in the team's library."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    title: str = Field(max_length=300)
    url: str | None = Field(default=None, max_length=500)
    author_year: str | None = Field(default=None, max_length=200)
    takeaway: str = Field(max_length=1000)
    relevance: int  # 1 low … 3 high
    reliability: int  # 1 low … 3 high
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = _when()


class DirectionRecord(SQLModel, table=True):
    """Phase 2: the direction the team chooses after reading."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    text: str = Field(max_length=1000)
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = _when()


class Action(SQLModel, table=True):
    """Phase 3: who does what, by when."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    description: str = Field(max_length=500)
    owner_member_id: int | None = Field(default=None, foreign_key="member.id")
    owner_label: str = Field(max_length=80)
    due: date
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = _when()


class PlanRecord(SQLModel, table=True):
    """Phase 3: the goal (what, how much, by when) and the data plan (instrument, baseline moment)."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    goal_text: str | None = Field(default=None, max_length=500)
    goal_value: float | None = None
    goal_deadline: date | None = None
    instrument: str | None = Field(default=None, max_length=300)
    baseline_moment: date | None = None
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = _when()


class MeasurementMoment(SQLModel, table=True):
    """Phase 3 plans it; phase 4 fills in the measured result."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    on: date
    label: str | None = Field(default=None, max_length=120)
    result_value: float | None = None
    result_by: int | None = Field(default=None, foreign_key="member.id")
    result_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EvaluationRecord(SQLModel, table=True):
    """Phase 4: verdict, what was learned, how it is embedded and when it is reviewed."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    verdict: str | None = Field(default=None, max_length=16)
    learned: str | None = Field(default=None, max_length=2000)
    embedding: str | None = Field(default=None, max_length=2000)
    review_on: date | None = None
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = _when()


class QualityCard(SQLModel, table=True):
    """The kwaliteitskaart of a closed cycle, kept as written so it can be retrieved later."""

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", unique=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    lang: str = Field(max_length=8)
    markdown: str
    created_at: datetime = _when()


# --- meetings, agendas, the outbox and the momentum guard (issue 6) ------------------------------
MEETING_STATUSES = ("planned", "held", "cancelled", "dropped", "holiday")
DEFAULT_REMINDERS = [1440, 60]  # minutes before a meeting: the day before, and an hour before


class MeetingRhythm(SQLModel, table=True):
    """A team's fixed meeting rhythm, in the school's time zone: weekday, local time, every N weeks
    counted from ``anchor`` (a date on that weekday)."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", unique=True)
    weekday: int  # 0 = Monday … 6 = Sunday
    local_time: str = Field(max_length=5)  # "15:30", in the school's time zone
    duration_min: int = 60
    every_n_weeks: int = 1
    anchor: date
    reminder_offsets: list[int] = Field(default_factory=lambda: list(DEFAULT_REMINDERS),
                                        sa_column=Column(JSON, nullable=False))
    set_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = _when()


class Meeting(SQLModel, table=True):
    """One meeting of a team. Regular meetings come from the rhythm, one per ``slot_key``
    (``r:<date>``), so planning them again is a no-op; an extra meeting has ``x:<uid>``.
    ``uid`` and ``sequence`` make calendar exports update in place (RFC 5545)."""

    __table_args__ = (
        UniqueConstraint("team_id", "slot_key"),
        Index("ix_meeting_status_starts_at", "status", "starts_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    slot_key: str = Field(max_length=40)
    starts_at: datetime = _when()
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
    created_at: datetime = _when()
    updated_at: datetime = _when()


class Holiday(SQLModel, table=True):
    """A school holiday (first and last day inclusive): the rhythm pauses."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    first_day: date
    last_day: date
    label: str = Field(max_length=80)
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = _when()


class AgendaItem(SQLModel, table=True):
    """A point for the team's next meeting. Open items are on the agenda of the next meeting
    until handled; ``meeting_id`` is the meeting it was handled in, ``carried`` how many
    meetings it has rolled over."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    title: str = Field(max_length=200)
    minutes: int | None = None
    owner_member_id: int | None = Field(default=None, foreign_key="member.id")
    added_by: int | None = Field(default=None, foreign_key="member.id")
    position: int = 0
    status: str = Field(default="open", max_length=16)  # open | done | removed
    carried: int = 0
    added_at: datetime = _when()
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Outbox(SQLModel, table=True):
    """Everything the bot sends on its own, durably: a row per message, unique by ``dedupe_key``,
    claimed by one process (pending -> sending) and rendered only when it is sent."""

    __table_args__ = (Index("ix_outbox_status_due_at", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=32)  # reminder | notes_ask | nudge
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_at: datetime = _when()
    status: str = Field(default="pending", max_length=16)  # pending|sending|sent|skipped|failed
    attempts: int = 0
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=200)  # why it was skipped or failed
    created_at: datetime = _when()


class MomentumFlag(SQLModel, table=True):
    """Something the momentum guard noticed, once per ``key``; the leader digest reads these."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    kind: str = Field(max_length=32)  # cancelled_in_a_row | phase_stalled | quiet_member
    key: str = Field(max_length=160, unique=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    raised_at: datetime = _when()
    nudged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- reflection polls, the five-dimension scan and the stille wand (issue 7) ---------------------
POLL_KINDS = ("meeting", "scan", "adhoc")
QUESTION_KINDS = ("scale", "yesno", "choice")
MIN_ANSWERS_FLOOR = 3  # results are never shown for fewer answers than this, whatever a school sets


class PollSettings(SQLModel, table=True):
    """A school's choices for polls: how many answers before results show (never below 3), the
    scan rhythm in weeks (0: no automatic scan), and its own post-meeting questions (``None``:
    the catalog's)."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", unique=True)
    min_answers: int = MIN_ANSWERS_FLOOR
    scan_weeks: int = 6
    meeting_questions: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = _when()


class Poll(SQLModel, table=True):
    """A poll of one team: after a meeting, a round of the five-dimension scan, or a chair's own
    question. ``key`` makes creating it idempotent (``meeting:<id>``, ``scan:<team>:<round>``,
    ``adhoc:<uid>``). Anonymous always: answers are only ever shown as aggregates."""

    __table_args__ = (Index("ix_poll_status_closes_at", "status", "closes_at"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    kind: str = Field(max_length=16)  # meeting | scan | adhoc
    key: str = Field(max_length=120, unique=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    round: int = 0  # scans: 1, 2, … per team
    anonymous: bool = True
    status: str = Field(default="open", max_length=16)  # open | closed
    opens_at: datetime = _when()
    remind_at: datetime = _when()
    closes_at: datetime = _when()
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = _when()
    shown_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # results first posted
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollQuestion(SQLModel, table=True):
    """One question of a poll, its wording fixed when the poll opened: a catalog ``key`` or the
    school's or chair's own ``text``; ``options`` for a choice question."""

    __table_args__ = (UniqueConstraint("poll_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
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
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    question_id: int = Field(foreign_key="pollquestion.id", index=True)
    voter_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    value: int
    # cast or changed since its question's last snapshot (``PollQuestion.snapshot``)
    pending: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    created_at: datetime = _when()
    updated_at: datetime = _when()


class Brainstorm(SQLModel, table=True):
    """A stille wand: ideas are collected privately, revealed together without names, then the
    team reacts (parels en puzzels) and keeps three joint tips. One open wall per team."""

    __table_args__ = (
        Index("uq_brainstorm_open_team", "team_id", unique=True,
              sqlite_where=text("status IN ('collecting', 'revealed')"),
              postgresql_where=text("status IN ('collecting', 'revealed')")),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    question: str = Field(max_length=300)
    status: str = Field(default="collecting", max_length=16)  # collecting | revealed | done
    opens_at: datetime = _when()
    closes_at: datetime = _when()
    created_by: int | None = Field(default=None, foreign_key="member.id")
    revealed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BrainstormIdea(SQLModel, table=True):
    """An idea on the wall; never shown with a name (``author_id`` only to let a member see and
    delete their own; NULL after deletion)."""

    id: int | None = Field(default=None, primary_key=True)
    brainstorm_id: int = Field(foreign_key="brainstorm.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    text: str = Field(max_length=500)
    created_at: datetime = _when()


class BrainstormReaction(SQLModel, table=True):
    """A parel (an idea worth keeping) or a puzzel (a question about an idea), one of each per
    member and idea; shown without names."""

    __table_args__ = (UniqueConstraint("idea_id", "author_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    brainstorm_id: int = Field(foreign_key="brainstorm.id", index=True)
    idea_id: int = Field(foreign_key="brainstormidea.id", index=True)
    kind: str = Field(max_length=8)  # pearl | puzzle
    author_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    text: str | None = Field(default=None, max_length=500)
    created_at: datetime = _when()


class BrainstormTip(SQLModel, table=True):
    """One of the three joint tips the team keeps from a stille wand."""

    __table_args__ = (UniqueConstraint("brainstorm_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    brainstorm_id: int = Field(foreign_key="brainstorm.id", index=True)
    position: int
    text: str = Field(max_length=300)
    added_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = _when()


# --- the leader digest and privacy (issue 8) ------------------------------------------------------
class DigestSetting(SQLModel, table=True):
    """When a leader gets the weekly digest (default Friday 15:00 in the school's time zone)."""

    __table_args__ = (UniqueConstraint("school_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    weekday: int = 4  # 0 = Monday … 6 = Sunday
    local_time: str = Field(default="15:00", max_length=5)
    enabled: bool = True
    updated_at: datetime = _when()


class LeaderQuestion(SQLModel, table=True):
    """A question a team puts to the school leader; the answer is posted back to the team."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    asked_by: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(max_length=1000)
    asked_at: datetime = _when()
    answer: str | None = Field(default=None, max_length=2000)
    answered_by: int | None = Field(default=None, foreign_key="member.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LeaderVisit(SQLModel, table=True):
    """A school leader joined a team's meeting (the digest notes teams not visited for a month)."""

    __table_args__ = (UniqueConstraint("team_id", "member_id", "on"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    on: date
    recorded_at: datetime = _when()


# --- the web pages (issue 20): one-time login links, browser sessions, calendar feed tokens -------
# Every token is stored as its SHA-256 only: what is in the database cannot be used to log in.
class WebLogin(SQLModel, table=True):
    """A one-time link from ``/web``: valid a few minutes, used once, for one person."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = _when()
    expires_at: datetime = _when()
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A browser's session cookie; ``/web uit`` (or the page's button) ends it."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    csrf: str = Field(max_length=64)  # the token every form of this session must send back
    created_at: datetime = _when()
    expires_at: datetime = _when()
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FeedToken(SQLModel, table=True):
    """An iCalendar subscription URL: one team's meetings, or (no team) all of a person's teams."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    created_at: datetime = _when()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
