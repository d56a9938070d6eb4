"""Voters of a poll who are no longer in its team: those who left, and those who deleted their
data (their votes stay, without a name). They count in "answered: n of m" on both sides, so a poll
never reads "3 of 2 answered" after a member deleted their data."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Poll, PollVote, TeamMembership


async def former_voters(session: AsyncSession, polls: Sequence[Poll]) -> dict[int, int]:
    """Poll id -> how many who voted in it are not in the team now."""
    ids = [p.id for p in polls]
    if not ids:
        return {}
    out: dict[int, int] = {}
    # anonymous since deletion: per question at most one vote per person, so the busiest question
    unnamed = (await session.exec(
        select(PollVote.poll_id, PollVote.question_id, func.count()).where(
            col(PollVote.poll_id).in_(ids), col(PollVote.voter_id).is_(None))
        .group_by(col(PollVote.poll_id), col(PollVote.question_id)))).all()
    for poll_id, _, n in unnamed:
        out[poll_id] = max(out.get(poll_id, 0), int(n))
    team_of = {p.id: p.team_id for p in polls}
    named = (await session.exec(
        select(PollVote.poll_id, PollVote.voter_id).where(
            col(PollVote.poll_id).in_(ids), col(PollVote.voter_id).is_not(None)).distinct())).all()
    voters = {v for _, v in named}
    members = set((await session.exec(select(TeamMembership.team_id, TeamMembership.member_id).where(
        col(TeamMembership.member_id).in_(sorted(v for v in voters if v is not None)),
        col(TeamMembership.team_id).in_(sorted(set(team_of.values())))))).all()) if voters else set()
    for poll_id, voter in named:
        if (team_of[poll_id], voter) not in members:
            out[poll_id] = out.get(poll_id, 0) + 1
    return out
