"""Polls as data: a school's poll settings, creating polls with their questions, the tallies, and
the aggregates everything else is allowed to see.

Anonymity lives here. Only :func:`my_answered` ever reads a voter column, and only for the
caller's own votes (to ask the next question and to stop double votes) and :func:`non_voters`
only to know whom to remind; every other query counts votes per question and value and never
selects who cast them. A question's result is shown only when at least the school's threshold
(default 3, never below 3) answered it.

While a poll is open nobody sees the live tally, only a question's *snapshot*
(``PollQuestion.snapshot``): it is taken again only once at least the threshold of votes were
cast or changed since the last one (``PollVote.pending``, counted per question, so one member
changing their answer three times is one change), so no two views differ by one person's vote.
At the close the live tally is the final result.

The leader digest reads :func:`scan_trends`, :func:`poll_summaries` and
:func:`digest_reflection`: set-based (a fixed number of queries for any number of teams) and
returning only aggregates above the threshold.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.polls.former import former_voters
from handlers.polls.scan_items import DONT_KNOW, current, is_reverse, scored
from prompts.catalog import Catalog, Msg
from storage.models import (
    MIN_ANSWERS_FLOOR,
    Poll,
    PollQuestion,
    PollSettings,
    PollVote,
    Team,
    TeamMembership,
)
from storage.queries import dialect, insert_for, table_of

SCALE = (1, 2, 3, 4, 5)
YES, NO = 1, 2
MIN_OPTIONS, MAX_OPTIONS = 2, 10
REMIND_BEFORE = timedelta(hours=24)
TREND_ROUNDS = 6


# --- settings -----------------------------------------------------------------------------------
def threshold_of(settings: PollSettings | None) -> int:
    return max(MIN_ANSWERS_FLOOR, settings.min_answers if settings is not None else MIN_ANSWERS_FLOOR)


async def settings_of(session: AsyncSession, school_id: int) -> PollSettings | None:
    return (await session.exec(select(PollSettings).where(PollSettings.school_id == school_id))).first()


async def thresholds(session: AsyncSession, team_ids: Iterable[int]) -> dict[int, int]:
    """Each team's anonymity threshold (its school's), in one query."""
    ids = sorted(set(team_ids))
    if not ids:
        return {}
    rows = (
        await session.exec(
            select(Team.id, PollSettings.min_answers)
            .outerjoin(PollSettings, col(PollSettings.school_id) == col(Team.school_id))
            .where(col(Team.id).in_(ids))
        )
    ).all()
    return {team_id: max(MIN_ANSWERS_FLOOR, minimum or MIN_ANSWERS_FLOOR) for team_id, minimum in rows}


async def member_counts(session: AsyncSession, team_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(team_ids))
    if not ids:
        return {}
    rows = (await session.exec(select(TeamMembership.team_id, func.count()).where(
        col(TeamMembership.team_id).in_(ids)).group_by(col(TeamMembership.team_id)))).all()
    return {team_id: n for team_id, n in rows}


# --- questions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """A question to put in a poll: by catalog key, or in someone's own words."""

    kind: str
    key: str | None = None
    text: str | None = None
    dimension: str | None = None
    options: tuple[str, ...] = ()


def _numbered(catalog: Catalog, prefix: str) -> list[str]:
    keys = {k[len(prefix):].split(".")[0] for k in catalog.messages["nl"] if k.startswith(prefix)}
    return sorted(keys, key=lambda k: (int(re.sub(r"\D", "", k) or 0), k))


def meeting_specs(catalog: Catalog, settings: PollSettings | None) -> list[Spec]:
    """The post-meeting questions: the school's own, else the catalog's (``poll.meeting.qN``)."""
    if settings is not None and settings.meeting_questions:
        return [
            Spec(kind=q.get("kind", "scale"), text=str(q.get("text", ""))[:300])
            for q in settings.meeting_questions
        ]
    return [Spec(kind=catalog.raw("nl", f"poll.meeting.{q}.kind"), key=f"poll.meeting.{q}")
            for q in _numbered(catalog, "poll.meeting.")]


def scan_specs() -> list[Spec]:
    """The five-dimension scan: the current statements of each dimension (``scan_items``), 1–5
    or "weet ik niet"."""
    return [Spec(kind="scale", key=s.key, dimension=s.dimension) for s in current()]


def values_of(q: PollQuestion) -> tuple[int, ...]:
    """The answers a question takes; a scan statement (it has a dimension) also "weet ik niet"."""
    if q.kind == "scale":
        return SCALE + (DONT_KNOW,) if q.dimension else SCALE
    if q.kind == "yesno":
        return (YES, NO)
    return tuple(range(1, len(q.options) + 1))


def question_label(q: PollQuestion) -> Any:
    """The question as the reader sees it: catalog text in their language, or the own words."""
    return Msg(f"{q.key}.text") if q.key else (q.text or "?")


def short_label(q: PollQuestion, catalog: Catalog, lang: str, limit: int = 42) -> str:
    """For a chart's axis (plain text, already in one language)."""
    if q.key:
        return catalog.raw(lang, f"{q.key}.short")
    text = q.text or "?"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def option_label(q: PollQuestion, value: int) -> Any:
    if q.kind == "scale":
        return Msg("scan.dont_know") if value == DONT_KNOW else Msg(f"poll.scale.v{value}")
    if q.kind == "yesno":
        return Msg("poll.yes" if value == YES else "poll.no")
    return q.options[value - 1] if 1 <= value <= len(q.options) else "?"


def option_plain(q: PollQuestion, value: int, catalog: Catalog, lang: str) -> str:
    if q.kind == "scale":
        return catalog.raw(lang, "scan.dont_know") if value == DONT_KNOW else str(value)
    if q.kind == "yesno":
        return catalog.raw(lang, "poll.yes" if value == YES else "poll.no")
    return q.options[value - 1] if 1 <= value <= len(q.options) else "?"


# --- creating -----------------------------------------------------------------------------------
def remind_moment(opens: datetime, closes: datetime) -> datetime:
    return closes - min(REMIND_BEFORE, (closes - opens) / 2)


async def create_poll(session: AsyncSession, *, team_id: int, kind: str, key: str, opens: datetime,
                      closes: datetime, specs: Sequence[Spec], now: datetime, created_by: int | None = None,
                      meeting_id: int | None = None, round_: int = 0) -> int | None:
    """Insert a poll and its questions once per ``key`` (a second call, or a second process, is a
    no-op and returns None)."""
    make = insert_for(await dialect(session))
    table = table_of(Poll)
    stmt = (
        make(table)
        .values(
            team_id=team_id,
            kind=kind,
            key=key,
            meeting_id=meeting_id,
            round=round_,
            anonymous=True,
            status="open",
            opens_at=opens,
            remind_at=remind_moment(opens, closes),
            closes_at=closes,
            created_by=created_by,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    poll_id = (await session.exec(stmt)).scalar()
    if poll_id is None:
        return None
    for position, spec in enumerate(specs, 1):
        session.add(
            PollQuestion(
                poll_id=poll_id,
                position=position,
                kind=spec.kind,
                key=spec.key,
                text=spec.text,
                dimension=spec.dimension,
                options=list(spec.options),
            )
        )
    await session.flush()
    return int(poll_id)


# --- reading ------------------------------------------------------------------------------------
async def questions_of(session: AsyncSession, poll_ids: Iterable[int]) -> dict[int, list[PollQuestion]]:
    ids = sorted(set(poll_ids))
    if not ids:
        return {}
    rows = (await session.exec(select(PollQuestion).where(col(PollQuestion.poll_id).in_(ids))
                               .order_by(col(PollQuestion.poll_id), col(PollQuestion.position)))).all()
    out: dict[int, list[PollQuestion]] = defaultdict(list)
    for q in rows:
        out[q.poll_id].append(q)
    return dict(out)


async def tallies(session: AsyncSession, poll_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """question id -> {value: how many}; counts only, never who."""
    ids = sorted(set(poll_ids))
    if not ids:
        return {}
    rows = (await session.exec(
        select(PollVote.question_id, PollVote.value, func.count()).where(col(PollVote.poll_id).in_(ids))
        .group_by(col(PollVote.question_id), col(PollVote.value))
    )).all()
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, value, n in rows:
        out[question_id][value] = n
    return dict(out)


async def pending_counts(session: AsyncSession, poll_ids: Iterable[int]) -> dict[int, int]:
    """question id -> how many votes were cast or changed since its last snapshot; counts only."""
    ids = sorted(set(poll_ids))
    if not ids:
        return {}
    return dict(
        (
            await session.exec(
                select(PollVote.question_id, func.count())
                .where(col(PollVote.poll_id).in_(ids), col(PollVote.pending))
                .group_by(col(PollVote.question_id))
            )
        ).all()
    )


async def lock_poll(session: AsyncSession, poll_id: int) -> Poll | None:
    """The poll, read again and locked until the transaction ends (PostgreSQL; SQLite writes one
    transaction at a time anyway): votes, snapshots and the close of one poll take turns, so a
    snapshot never misses a vote another snapshot already counted, and no vote slips in after
    the close."""
    return (await session.exec(select(Poll).where(col(Poll.id) == poll_id).with_for_update()
                               .execution_options(populate_existing=True))).first()


async def refresh_snapshots(session: AsyncSession, poll: Poll) -> bool:
    """Take a new snapshot of every question of an open poll on which at least the threshold of
    votes were cast or changed since its last one; True when any was taken."""
    limit = (await thresholds(session, [poll.team_id])).get(poll.team_id, MIN_ANSWERS_FLOOR)
    due = sorted(q for q, n in (await pending_counts(session, [poll.id])).items() if n >= limit)
    if not due:
        return False
    tally = await tallies(session, [poll.id])
    for q in (await questions_of(session, [poll.id])).get(poll.id, []):
        if q.id in due:
            q.snapshot = {str(v): n for v, n in sorted(tally.get(q.id, {}).items())}
            session.add(q)
    await session.exec(update(PollVote).where(col(PollVote.question_id).in_(due), col(PollVote.pending))
                       .values(pending=False))
    await session.flush()
    return True


async def my_answered(session: AsyncSession, poll_id: int, member_id: int) -> set[int]:
    """The questions of this poll the caller has answered (not what they answered)."""
    return set((await session.exec(select(PollVote.question_id).where(
        PollVote.poll_id == poll_id, PollVote.voter_id == member_id))).all())


async def non_voters(session: AsyncSession, poll: Poll) -> list[int]:
    """Team members who have not answered anything yet: only to remind them, privately."""
    voted = select(PollVote.voter_id).where(PollVote.poll_id == poll.id, col(PollVote.voter_id).is_not(None))
    return list((await session.exec(select(TeamMembership.member_id).where(
        TeamMembership.team_id == poll.team_id, col(TeamMembership.member_id).not_in(voted),
    ).order_by(col(TeamMembership.member_id)))).all())


@dataclass
class QuestionResult:
    """One question's tally. ``answers`` counts everyone who answered (participation); a mean
    counts only the 1–5 answers, ``rated``: "weet ik niet" is no opinion, and a mean over fewer
    real answers than the threshold would show them even when enough people pressed a button
    (three answers, two of them "weet ik niet": the mean *is* the third person's answer). So
    ``shown`` needs ``rated``, not ``answers``, at the threshold."""

    question: PollQuestion
    counts: dict[int, int]
    answers: int
    shown: bool

    @property
    def dont_know(self) -> int:
        return self.counts.get(DONT_KNOW, 0)

    @property
    def rated(self) -> int:
        return self.answers - self.dont_know

    @property
    def mean(self) -> float | None:
        """The mean of the answers as given (1–5), without "weet ik niet"."""
        if self.question.kind != "scale" or not self.rated:
            return None
        return sum(v * n for v, n in self.counts.items() if v != DONT_KNOW) / self.rated

    @property
    def scored_counts(self) -> dict[int, int]:
        """Score (1–5) -> how many, reverse-keyed statements turned round (1 counts as 5)."""
        if self.question.kind != "scale":
            return {}
        return {scored(self.question.key, v): n for v, n in self.counts.items() if v != DONT_KNOW and n}

    @property
    def score(self) -> float | None:
        """The mean as it counts in every average and chart: reversed for a reverse-keyed statement."""
        if self.mean is None:
            return None
        return 6 - self.mean if is_reverse(self.question.key) else self.mean


@dataclass
class PollResult:
    poll: Poll
    threshold: int
    members: int
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def any_shown(self) -> bool:
        return any(q.shown for q in self.questions)

    @property
    def all_shown(self) -> bool:
        return bool(self.questions) and all(q.shown for q in self.questions)

    @property
    def answers(self) -> int:
        return max((q.answers for q in self.questions), default=0)

    @property
    def needed(self) -> int:
        """How many more answers before anything can be shown."""
        return max(0, self.threshold - self.answers)


async def results(session: AsyncSession, polls: Sequence[Poll]) -> dict[int, PollResult]:
    """What anyone may see of many polls, in five queries: of a closed poll the tallies, of an
    open one each question's snapshot; a question below the threshold is withheld, with (until
    its first snapshot) how many answered it so far."""
    if not polls:
        return {}
    team_ids = {p.team_id for p in polls}
    limits = await thresholds(session, team_ids)
    counts = await member_counts(session, team_ids)
    qs = await questions_of(session, [p.id for p in polls])
    tally = await tallies(session, [p.id for p in polls if p.status != "open"])
    pending = await pending_counts(session, [p.id for p in polls if p.status == "open"])
    former = await former_voters(session, polls)
    out: dict[int, PollResult] = {}
    for p in polls:
        limit = limits.get(p.team_id, MIN_ANSWERS_FLOOR)
        res = PollResult(p, limit, counts.get(p.team_id, 0) + former.get(p.id, 0))
        for q in qs.get(p.id, []):
            if p.status == "open":
                c = {int(v): int(n) for v, n in (q.snapshot or {}).items()}
                if sum(c.values()) < limit:  # no snapshot yet: only how many answered so far
                    res.questions.append(QuestionResult(q, {}, pending.get(q.id, 0), False))
                    continue
            else:
                c = tally.get(q.id, {})
            n = sum(c.values())
            rated = n - c.get(DONT_KNOW, 0) if q.kind == "scale" else n
            res.questions.append(QuestionResult(q, dict(sorted(c.items())), n, rated >= limit))
        out[p.id] = res
    return out
