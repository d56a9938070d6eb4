"""Notices about a team's chat the bot cannot reach, written when the outbox sends them.

Two outbox kinds (queued by the core, which knows no roles): ``delivery.undeliverable`` — a
scheduled post to the team's chat failed for good (queued once per team and chat) — goes to the
team's chair, or to the school leaders when the team has no chair; ``delivery.unlinked`` — the bot
was removed from the team's chat and the link is gone — goes to the chair and the school leaders.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.capability import Job, Skip
from bot.core.fallback import fix_for
from bot.core.replies import DirectTo, Reply, Text
from prompts.catalog import Msg
from storage.models import SchoolMembership, Team, TeamMembership

UNDELIVERABLE = "delivery.undeliverable"
UNLINKED = "delivery.unlinked"


async def _people(job: Job, team: Team, *, leaders: bool) -> list[int]:
    chairs = (await job.session.exec(select(TeamMembership.member_id).where(
        TeamMembership.team_id == team.id, TeamMembership.role == "chair"))).all()
    found = [int(m) for m in chairs]
    if leaders or not found:
        heads = (await job.session.exec(select(SchoolMembership.member_id).where(
            SchoolMembership.school_id == team.school_id, col(SchoolMembership.is_leader).is_(True)))).all()
        found += [int(m) for m in heads if int(m) not in found]
    return found


async def _team(job: Job) -> Team:
    team = await job.session.get(Team, int(job.payload.get("team_id", 0)))
    if team is None:
        raise Skip("team gone")
    return team


async def undeliverable(job: Job) -> list[Reply]:
    team = await _team(job)
    body = Msg("delivery.undeliverable", team=team.name, reason=str(job.payload.get("reason", ""))[:120],
               fix=fix_for(str(job.payload.get("platform", "")), team.name))
    return [Text(body, target=DirectTo(m)) for m in await _people(job, team, leaders=False)]


async def unlinked(job: Job) -> list[Reply]:
    team = await _team(job)
    platform = str(job.payload.get("platform", ""))
    body = Msg("delivery.unlinked", team=team.name, fix=fix_for(platform, team.name))
    return [Text(body, target=DirectTo(m)) for m in await _people(job, team, leaders=True)]


RENDERERS = {UNDELIVERABLE: undeliverable, UNLINKED: unlinked}
