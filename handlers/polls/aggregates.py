"""Aggregates over polls: the scan per dimension and its trend, summaries, and what the leader's
digest shows (``digest_reflection``, contributed to the digest's hook)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.common.values import number_msg
from handlers.polls.scan_scores import Group, by_dimension, falling
from handlers.polls.store import TREND_ROUNDS, YES, PollResult, results
from prompts.catalog import Join, Msg
from storage.models import (
    Poll,
)


# --- the scan: per dimension, and the trend -----------------------------------------------------
@dataclass(frozen=True)
class ScanRound:
    """One scan round of a team: the average per dimension (1–5) for the dimensions at least the
    threshold answered; ``answers`` is the number of people who took part; ``groups`` holds
    each dimension's n and spread (``scan_scores.Group``)."""

    poll_id: int
    round: int
    opens_at: datetime
    closes_at: datetime
    closed: bool
    answers: int
    averages: dict[str, float]
    groups: dict[str, Group] = field(default_factory=dict)


async def scan_rounds(session: AsyncSession, team_ids: Sequence[int], rounds: int = TREND_ROUNDS,
                      until: datetime | None = None) -> dict[int, list[tuple[Poll, PollResult]]]:
    """The last ``rounds`` scan polls of each team (oldest first), with their aggregates."""
    if not team_ids:
        return {}
    stmt = select(Poll).where(col(Poll.team_id).in_(list(team_ids)), Poll.kind == "scan")
    if until is not None:
        stmt = stmt.where(col(Poll.opens_at) <= until)
    polls = list((await session.exec(stmt.order_by(col(Poll.team_id), col(Poll.round).desc()))).all())
    latest: dict[int, list[Poll]] = defaultdict(list)
    for p in polls:
        if len(latest[p.team_id]) < rounds:
            latest[p.team_id].append(p)
    wanted = [p for ps in latest.values() for p in ps]
    res = await results(session, wanted)
    return {team_id: [(p, res[p.id]) for p in reversed(ps)] for team_id, ps in latest.items()}


async def scan_trends(session: AsyncSession, team_ids: Sequence[int], rounds: int = TREND_ROUNDS,
                      until: datetime | None = None) -> dict[int, list[ScanRound]]:
    """For the leader digest: each team's last scan rounds (oldest first), only rounds where at
    least one dimension reached the threshold, and only those dimensions. Five queries in all."""
    out: dict[int, list[ScanRound]] = {}
    for team_id, items in (await scan_rounds(session, team_ids, rounds, until)).items():
        found = []
        for p, res in items:
            dims = by_dimension(res)
            if dims:
                found.append(ScanRound(p.id, p.round, p.opens_at, p.closes_at, p.status == "closed",
                                       res.answers, {d: round(g.mean, 2) for d, g in dims.items()}, dims))
        if found:
            out[team_id] = found
    return out


@dataclass(frozen=True)
class QuestionSummary:
    position: int
    kind: str
    key: str | None  # catalog key (render ``Msg(key + '.text')``), or None for own words
    text: str | None
    answers: int
    counts: dict[int, int]  # value -> how many (scale 1–5; yes/no 1/2; choice 1…n)
    mean: float | None  # scale only


@dataclass(frozen=True)
class PollSummary:
    poll_id: int
    team_id: int
    kind: str  # meeting | adhoc
    opens_at: datetime
    closes_at: datetime
    closed: bool
    members: int
    answers: int
    questions: list[QuestionSummary]  # only those at or above the threshold


async def poll_summaries(
    session: AsyncSession, team_ids: Sequence[int], since: datetime
) -> dict[int, list[PollSummary]]:
    """For the leader digest: each team's post-meeting and ad-hoc polls opened since ``since``,
    with only the questions that reached the threshold (polls with none are left out)."""
    if not team_ids:
        return {}
    polls = list(
        (
            await session.exec(
                select(Poll)
                .where(
                    col(Poll.team_id).in_(list(team_ids)),
                    col(Poll.kind).in_(("meeting", "adhoc")),
                    col(Poll.opens_at) >= since,
                )
                .order_by(col(Poll.team_id), col(Poll.opens_at), col(Poll.id))
            )
        ).all()
    )
    res = await results(session, polls)
    out: dict[int, list[PollSummary]] = defaultdict(list)
    for p in polls:
        r = res[p.id]
        shown = [
            QuestionSummary(
                q.question.position,
                q.question.kind,
                q.question.key,
                q.question.text,
                q.answers,
                dict(q.counts),
                q.mean,
            )
            for q in r.questions
            if q.shown
        ]
        if shown:
            out[p.team_id].append(PollSummary(p.id, p.team_id, p.kind, p.opens_at, p.closes_at,
                                              p.status == "closed", r.members, r.answers, shown))
    return dict(out)


async def digest_reflection(session: AsyncSession, team_ids: Sequence[int], since: datetime,
                            now: datetime) -> dict[int, dict[str, Any]]:
    """The digest's provider (``handlers.leader.digest_data.REFLECTION_PROVIDERS``): per team a line
    about the polls since ``since`` (``poll``), one about the latest scan (``scan``), the latest
    scan's overall average (``scan_avg``), per dimension (latest, previous) (``scan_dims``), and
    the dimensions that are falling by ``scan_scores.is_falling`` (``scan_falling``). Aggregates at
    or above the threshold only."""
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    for team_id, polls in (await poll_summaries(session, team_ids, since)).items():
        per_key: dict[str, list[QuestionSummary]] = defaultdict(list)
        for p in polls:
            for q in p.questions:
                if q.key:
                    per_key[q.key].append(q)
        parts: list[Any] = []
        for key, qs in per_key.items():
            n = sum(q.answers for q in qs)
            if qs[0].kind == "scale":
                mean = sum((q.mean or 0) * q.answers for q in qs) / n
                parts.append(
                    Msg("poll.digest.scale_part", label=Msg(f"{key}.short"), mean=number_msg(round(mean, 1)))
                )
            elif qs[0].kind == "yesno":
                yes = sum(q.counts.get(YES, 0) for q in qs)
                parts.append(Msg("poll.digest.yes_part", label=Msg(f"{key}.short"), pct=round(100 * yes / n)))
        out[team_id]["poll"] = Msg("poll.digest.polls", count=len(polls),
                                   parts=Join(parts, "; ") if parts else Msg("poll.digest.own_questions"))
    for team_id, found in (await scan_trends(session, team_ids, 2, until=now)).items():
        last = found[-1]
        prev = found[-2] if len(found) > 1 else None
        avg = sum(last.averages.values()) / len(last.averages)
        out[team_id]["scan_avg"] = avg
        out[team_id]["scan_dims"] = {
            d: (v, prev.averages.get(d) if prev else None) for d, v in last.averages.items()
        }
        out[team_id]["scan_falling"] = falling(prev.groups if prev else None, last.groups)
        out[team_id]["scan"] = Msg(
            "poll.digest.scan",
            round=last.round,
            answers=last.answers,
            dims=Join(
                [
                    Msg("poll.digest.dim_part", dimension=Msg(f"poll.dim.{d}"), avg=number_msg(round(v, 1)))
                    for d, v in last.averages.items()
                ],
                ", ",
            ),
        )
    return dict(out)
