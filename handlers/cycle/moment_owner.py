"""Who is responsible for a measurement moment (issue 16 part 5; seed 003's data plan names who
measures): chosen when the moment is planned (``/meetmoment <datum> | <omschrijving> | <persoon>``),
the team's chair when nobody is named. The owner is reminded privately before the moment and asked
privately for the result after it (handlers/cycle/moment_messages.py); the team is told as before."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MeasurementMoment, TeamMembership
from storage.queries import names_of


async def chair_id(session: AsyncSession, team_id: int) -> int | None:
    """The team's longest-serving chair."""
    return (await session.exec(select(TeamMembership.member_id).where(
        TeamMembership.team_id == team_id, TeamMembership.role == "chair")
        .order_by(col(TeamMembership.joined_at), col(TeamMembership.id)))).first()


async def owner_of(session: AsyncSession, moment: MeasurementMoment, team_id: int) -> int | None:
    """The moment's own owner while they are still in the team, else the chair."""
    if moment.owner_member_id is not None:
        still = (await session.exec(select(TeamMembership.id).where(
            TeamMembership.team_id == team_id, TeamMembership.member_id == moment.owner_member_id))).first()
        if still is not None:
            return moment.owner_member_id
    return await chair_id(session, team_id)


async def owner_names(session: AsyncSession, moments: Iterable[MeasurementMoment]) -> dict[int, str]:
    """Moment id → the name of its own owner (moments without one are left out: the chair's)."""
    owners = {m.id: m.owner_member_id for m in moments if m.owner_member_id is not None}
    if not owners:
        return {}
    names = await names_of(session, owners.values())
    return {mid: names[owner] for mid, owner in owners.items() if owner in names}
