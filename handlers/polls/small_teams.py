"""Teams smaller than the school's anonymity threshold: a poll there could never show anything
without revealing who answered what, so none is started. A chair who asks is told why; when the
clock skips the automatic post-meeting poll, the chair is told once (one outbox row per team)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Job, Skip
from bot.core.commands import command_name
from bot.core.errors import UserError
from bot.core.replies import DirectTo, Text
from handlers.meetings.plan import chairs_of
from handlers.polls.store import member_counts, thresholds
from prompts.catalog import Msg
from storage.models import Team


async def require_big_enough(session: AsyncSession, team: Team) -> None:
    members = (await member_counts(session, [team.id])).get(team.id, 0)
    limit = (await thresholds(session, [team.id])).get(team.id, 3)
    if members < limit:
        raise UserError(Msg("daily.poll_too_small", team=team.name, count=members, threshold=limit,
                            join_cmd=command_name("team_join")))


async def skipped_notices(session: AsyncSession, team_ids: list[int], now: datetime) -> list[dict[str, Any]]:
    """One outbox row per team whose automatic poll was skipped (the dedupe key makes it once)."""
    chairs = await chairs_of(session, sorted(set(team_ids)))
    return [{"dedupe_key": f"poll_skipped:{team_id}", "kind": "poll_skipped", "due_at": now,
             "status": "pending", "attempts": 0, "created_at": now,
             "payload": {"team_id": team_id, "chair_id": chairs[team_id]}}
            for team_id in sorted(set(team_ids)) if team_id in chairs]


async def render_skipped(job: Job) -> list[Any]:
    team = await job.session.get(Team, int(job.payload.get("team_id", 0)))
    if team is None:
        raise Skip("team gone")
    members = (await member_counts(job.session, [team.id])).get(team.id, 0)
    limit = (await thresholds(job.session, [team.id])).get(team.id, 3)
    if members >= limit:
        raise Skip("big enough again")
    return [Text(Msg("daily.poll_skipped", team=team.name, count=members, threshold=limit),
                 target=DirectTo(int(job.payload["chair_id"])))]
