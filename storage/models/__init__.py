"""What Leerteam remembers, split by capability; every table class is re-exported from here.

- ``foundation``: schools, members, identities, teams, chat links, and the bookkeeping every
  capability relies on (processed events, pending questions, sent messages, the outbox);
- ``cycle``: the inquiry cycle, its rounds and what each phase records;
- ``meetings``: rhythm, meetings, agenda, holidays and the momentum guard's flags;
- ``polls``: reflection polls, the five-dimension scan and the stille wand;
- ``leader``: the leader digest's settings, questions to the leader and leader visits.

``from storage.models import X`` works for every name, and importing any one module registers
every table (the package imports all of them), so ``SQLModel.metadata`` is always complete: the
Alembic migrations and the schema check in tests/test_storage.py compare against all of it.
Migrations are the only way the schema changes; splitting the module changed nothing in it.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from storage.models.base import aware
from storage.models.cycle import (
    PHASES,
    VERDICTS,
    Action,
    Agreement,
    Answer,
    Cycle,
    CycleRound,
    DirectionRecord,
    EvaluationRecord,
    Hypothesis,
    MeasurementMoment,
    ParkedProblem,
    PhaseTransition,
    PlanRecord,
    ProblemRecord,
    QualityCard,
    Source,
    TeamCharter,
    VerdictAgreement,
)
from storage.models.foundation import (
    TEAM_ROLES,
    ArchivedMembership,
    ChatLink,
    EntryVersion,
    Identity,
    Member,
    Outbox,
    PendingQuestion,
    ProcessedEvent,
    School,
    SchoolLink,
    SchoolMembership,
    SentMessage,
    SimulatedClock,
    Team,
    TeamMembership,
)
from storage.models.leader import DigestSetting, LeaderQuestion, LeaderVisit
from storage.models.meetings import (
    DEFAULT_REMINDERS,
    MEETING_STATUSES,
    AgendaItem,
    Holiday,
    Meeting,
    MeetingRhythm,
    MomentumFlag,
)
from storage.models.polls import (
    MIN_ANSWERS_FLOOR,
    POLL_KINDS,
    QUESTION_KINDS,
    Brainstorm,
    BrainstormIdea,
    BrainstormReaction,
    BrainstormTip,
    Poll,
    PollQuestion,
    PollSettings,
    PollVote,
)
from storage.models.teams import TeamsConversation
from storage.models.web import FeedToken, WebLogin, WebSession

__all__ = [
    "FeedToken",
    "WebLogin",
    "WebSession",
    "TeamsConversation",
    "SQLModel", "aware",
    # foundation
    "ArchivedMembership",
    "TEAM_ROLES", "ChatLink", "Identity", "Member", "Outbox", "PendingQuestion", "ProcessedEvent",
    "School", "SchoolLink", "SchoolMembership", "SimulatedClock", "SentMessage", "Team", "TeamMembership",
    # cycle
    "PHASES", "VERDICTS", "Action", "Agreement", "Answer", "Cycle", "CycleRound", "DirectionRecord",
    "EvaluationRecord", "Hypothesis", "MeasurementMoment", "PhaseTransition", "PlanRecord",
    "ProblemRecord", "QualityCard", "Source", "VerdictAgreement", "ParkedProblem",
    # meetings
    "DEFAULT_REMINDERS", "MEETING_STATUSES", "AgendaItem", "Holiday", "Meeting", "MeetingRhythm",
    "MomentumFlag",
    # polls
    "MIN_ANSWERS_FLOOR", "POLL_KINDS", "QUESTION_KINDS", "Brainstorm", "BrainstormIdea",
    "BrainstormReaction", "BrainstormTip", "Poll", "PollQuestion", "PollSettings", "PollVote",
    # leader
    "DigestSetting", "LeaderQuestion", "LeaderVisit",
    # earlier versions of replaced entries (/ongedaan brings them back)
    "EntryVersion",
    "TeamCharter",  # issue 16 part 5
]
