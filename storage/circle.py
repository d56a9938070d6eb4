"""Who takes part in a school's voorzittersoverleg (the chairs' meeting with the leadership).

The chairs' meeting is stored as a team row of kind ``"chairs"`` (see ``handlers/chairs/circle.py``
for why) but it has no memberships of its own: its participants are *derived*, always current,
from the school's roles — every chair of an active learning team and every school leader. So a
new chair is in the next chairs' meeting without anyone adding them, and a chair who steps down
is out. The core's role check (``Context.can_manage_team``) and the fallback "each participant
privately" (``handlers/common/targets.py``, the meeting reminders) both read this one query.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import SchoolMembership, Team, TeamMembership

TEAM_KIND = "team"
CHAIRS_KIND = "chairs"
CHAIRS_KEY = "#chairs"  # '#' is refused in team names, so no learning team can ever take this key


async def participant_ids(session: AsyncSession, school_id: int) -> list[int]:
    """The school's leaders and the chairs of its active learning teams, each once, in id order."""
    leaders = select(SchoolMembership.member_id).where(
        SchoolMembership.school_id == school_id, col(SchoolMembership.is_leader).is_(True))
    chairs = (select(TeamMembership.member_id).join(Team, col(Team.id) == col(TeamMembership.team_id))
              .where(Team.school_id == school_id, Team.kind == TEAM_KIND, col(Team.archived_at).is_(None),
                     TeamMembership.role == "chair"))
    found = set((await session.exec(leaders)).all()) | set((await session.exec(chairs)).all())
    return sorted(found)


async def is_participant(session: AsyncSession, school_id: int, member_id: int) -> bool:
    return member_id in await participant_ids(session, school_id)


async def members_of(session: AsyncSession, team: Team) -> list[int]:
    """Who a post to ``team`` reaches privately when it has no chat: a learning team's members, or
    the chairs' meeting's participants."""
    if team.kind == CHAIRS_KIND:
        return await participant_ids(session, team.school_id)
    return list((await session.exec(select(TeamMembership.member_id).where(
        TeamMembership.team_id == team.id).order_by(col(TeamMembership.member_id)))).all())


async def chairs_meeting(session: AsyncSession, school_id: int) -> Team | None:
    return (await session.exec(select(Team).where(Team.school_id == school_id,
                                                  Team.kind == CHAIRS_KIND))).first()
