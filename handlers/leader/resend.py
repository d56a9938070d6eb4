"""/opnieuwversturen: the bot's messages for this school that failed (for good, or after every
retry) are queued again, for when the fix has been made (the bot is back in the group)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from bot.core.commands import Access, command
from bot.core.context import Context
from bot.core.outbox import FAILED_TEAM
from bot.core.replies import Text
from bot.core.writing import GAVE_UP
from prompts.catalog import Msg
from storage.models import Meeting, Outbox, Team

MAX_ROWS = 2000  # one school's failed rows looked at per command


async def _team_of(ctx: Context, payload: dict[str, Any]) -> int | None:
    team_id = payload.get(FAILED_TEAM, payload.get("team_id"))
    if isinstance(team_id, int):
        return team_id
    meeting_id = payload.get("meeting_id")
    if isinstance(meeting_id, int):
        meeting = await ctx.session.get(Meeting, meeting_id)
        return meeting.team_id if meeting is not None else None
    return None


@command("resend", access=Access.SCHOOL_MANAGER, section="leader")
async def resend(ctx: Context) -> Text:
    school = ctx.require_school()
    teams = set((await ctx.session.exec(select(Team.id).where(Team.school_id == school.id))).all())
    failed = (await ctx.session.exec(select(Outbox.id, Outbox.payload).where(Outbox.status == "failed")
                                     .order_by(col(Outbox.id)).limit(MAX_ROWS))).all()
    again = 0
    for row_id, payload in failed:
        if await _team_of(ctx, dict(payload)) not in teams:
            continue
        fresh = {k: v for k, v in payload.items() if k not in (GAVE_UP, FAILED_TEAM)}
        await ctx.session.exec(update(Outbox).where(col(Outbox.id) == row_id, col(Outbox.status) == "failed")
                               .values(status="pending", attempts=0, note=None, payload=fresh,
                                       due_at=ctx.now()))
        again += 1
    if not again:
        return Text(Msg("delivery.nothing_to_resend"))
    return Text(Msg("delivery.resent", count=again))
