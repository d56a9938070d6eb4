"""The inquiry cycle: a team's problem, its rounds through the four phases, and what each phase
records (answers, problem and baseline, hypotheses, sources, direction, plan, actions, measurements,
evaluation) up to the quality card of a closed cycle.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import aware, partial_unique_index
from storage.types import UTCDateTime

PHASES = (1, 2, 3, 4)
VERDICTS = ("solved", "partly", "not")


class Cycle(SQLModel, table=True):
    """One problem a team works on; at most one active per team (the team's focus)."""

    __table_args__ = (
        partial_unique_index("uq_cycle_active_team", "team_id", "status = 'active'"),
    )
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    title: str = Field(max_length=120)
    status: str = Field(default="active", max_length=16)  # active | closed
    started_by: int | None = Field(default=None, foreign_key="member.id")
    started_at: datetime = aware()
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # a short first cycle aimed at a quick win (seed 001): its length in weeks; None = a normal cycle
    short_weeks: int | None = None


class CycleRound(SQLModel, table=True):
    """A pass through the four phases; 'partly' or 'not solved' starts the next round."""

    __table_args__ = (UniqueConstraint("cycle_id", "number"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    number: int = 1
    phase: int = 1
    phase_started_at: datetime = aware()
    carried_learning: str | None = Field(default=None, max_length=4000)
    started_at: datetime = aware()
    # phase 4 is first the intervention running (until the last measurement moment has a result);
    # the evaluation opens at this moment (or when the chair moves on with a reason)
    evaluation_opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PhaseTransition(SQLModel, table=True):
    """Every phase change, with the chair's reason when exit criteria were overridden."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    from_phase: int
    to_phase: int  # 0 = cycle closed, 1 after phase 4 = a new round
    by_member_id: int | None = Field(default=None, foreign_key="member.id")
    override_reason: str | None = Field(default=None, max_length=1000)
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    at: datetime = aware()


class Answer(SQLModel, table=True):
    """A member's answer to one guiding question, per round; answering again edits it."""

    __table_args__ = (UniqueConstraint("round_id", "question", "member_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    phase: int
    question: str = Field(max_length=32)
    member_id: int = Field(foreign_key="member.id", index=True)
    text: str = Field(max_length=4000)
    created_at: datetime = aware()
    updated_at: datetime = aware()


class ProblemRecord(SQLModel, table=True):
    """Phase 1: the problem statement and its baseline (nulmeting)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    statement: str | None = Field(default=None, max_length=1000)
    baseline_value: float | None = None
    baseline_sign: str | None = Field(default=None, max_length=4)  # "%" when typed as 42 % (issue 13)
    baseline_unit: str | None = Field(default=None, max_length=200)
    baseline_source: str | None = Field(default=None, max_length=300)
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()


class Hypothesis(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    text: str = Field(max_length=500)
    carried: bool = False  # copied from the previous round
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = aware()


class Agreement(SQLModel, table=True):
    """A member supports the problem statement (phase 1 needs most of the team behind it)."""

    __table_args__ = (UniqueConstraint("round_id", "member_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    at: datetime = aware()


class Source(SQLModel, table=True):
    """Phase 2: an entry in the team's library."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    title: str = Field(max_length=300)
    url: str | None = Field(default=None, max_length=500)
    author_year: str | None = Field(default=None, max_length=200)
    takeaway: str = Field(max_length=1000)
    relevance: int  # 1 low … 3 high
    reliability: int  # 1 low … 3 high
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = aware()


class DirectionRecord(SQLModel, table=True):
    """Phase 2: the direction the team chooses after reading."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    text: str = Field(max_length=1000)
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()


class Action(SQLModel, table=True):
    """Phase 3: who does what, by when."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    description: str = Field(max_length=500)
    owner_member_id: int | None = Field(default=None, foreign_key="member.id")
    owner_label: str = Field(max_length=80)
    due: date
    added_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = aware()


class PlanRecord(SQLModel, table=True):
    """Phase 3: the goal (what, how much, by when) and the data plan (instrument, baseline moment)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    goal_text: str | None = Field(default=None, max_length=500)
    goal_value: float | None = None
    goal_sign: str | None = Field(default=None, max_length=4)  # "%" when typed as 65 %
    goal_deadline: date | None = None
    instrument: str | None = Field(default=None, max_length=300)
    baseline_moment: date | None = None
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()


class MeasurementMoment(SQLModel, table=True):
    """Phase 3 plans it; phase 4 fills in the measured result."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    on: date
    label: str | None = Field(default=None, max_length=120)
    result_value: float | None = None
    result_sign: str | None = Field(default=None, max_length=4)  # "%" when typed as 58 %
    result_by: int | None = Field(default=None, foreign_key="member.id")
    result_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # who is responsible for this measurement (reminded before it, asked for the result after it,
    # privately); None = the team's chair
    owner_member_id: int | None = Field(default=None, foreign_key="member.id")


class EvaluationRecord(SQLModel, table=True):
    """Phase 4: verdict, what was learned, how it is embedded and when it is reviewed."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", unique=True)
    verdict: str | None = Field(default=None, max_length=16)
    # the chair proposes, most of the team agrees (VerdictAgreement); then ``verdict`` is set
    proposed_verdict: str | None = Field(default=None, max_length=16)
    verdict_reason: str | None = Field(default=None, max_length=1000)  # 'solved' without reaching the goal
    review_answer: str | None = Field(default=None, max_length=16)  # at the review date: yes | partly | no
    review_note: str | None = Field(default=None, max_length=1000)
    review_answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    learned: str | None = Field(default=None, max_length=2000)
    embedding: str | None = Field(default=None, max_length=2000)
    review_on: date | None = None
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()


class VerdictAgreement(SQLModel, table=True):
    """A member agrees with the chair's proposed verdict (phase 4 needs most of the team behind it)."""

    __table_args__ = (UniqueConstraint("round_id", "member_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    round_id: int = Field(foreign_key="cycleround.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    verdict: str = Field(max_length=16)
    at: datetime = aware()


class ParkedProblem(SQLModel, table=True):
    """A problem the team parks for later: focus is one at a time, not forgetting the rest."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", index=True)
    title: str = Field(max_length=200)
    parked_by: int | None = Field(default=None, foreign_key="member.id")
    parked_at: datetime = aware()
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class QualityCard(SQLModel, table=True):
    """The kwaliteitskaart of a closed cycle, kept as written so it can be retrieved later."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    cycle_id: int = Field(foreign_key="cycle.id", unique=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    lang: str = Field(max_length=8)
    markdown: str
    created_at: datetime = aware()
    # the school library's theme tags (handlers/cycle/library_filters.py): derived from the problem and
    # the goal when the card is made, or set by the chair
    themes: list[str] = Field(default_factory=list,
                              sa_column=Column(JSON, nullable=False, server_default="[]"))


class TeamCharter(SQLModel, table=True):
    """A team's charter (issue 16 part 5; handlers/cycle/charter.py): its ambition and ground rules,
    the *visie* dimension of seed 003. One per team; setting it again edits it (and shows it atop
    the next agendas again)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", unique=True)
    ambition: str | None = Field(default=None, max_length=1000)
    rules: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()
