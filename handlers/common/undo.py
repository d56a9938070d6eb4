"""Taking back what you just entered: ``/ongedaan`` (``/undo``).

Each capability names the rows a member *enters* (hook :data:`UNDO_HOOK`: an :class:`Undoable`
per kind — an answer, a hypothesis, a source, an agenda point, a vote, an idea) with the column
that says who entered it and when. ``/ongedaan`` deletes the caller's newest such row across all of
them, if it is younger than :data:`WINDOW` — or, when that row was an edit of an earlier version
(handlers/common/versions.py), puts the earlier version back; older entries are the team's record
and are changed by their own commands (published notes: the chair's ``/notulen``). The answer
names what was undone, or what came back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot.core.commands import Access, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.versions import forget_versions, previous_of, restore
from prompts.catalog import Msg

UNDO_HOOK = "undo"
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Undoable:
    model: Any  # a table class
    who: str  # the column naming who entered it
    when: str  # the column saying when it was entered (or last changed)
    what: str  # catalog key naming the kind, for the answer ("je hypothese")
    describe: str | None = None  # a column worth echoing (the title or text), if any
    dependents: tuple[tuple[Any, str], ...] = ()  # rows pointing at it (table, column): removed first


@command("undo", access=Access.SCHOOL_MEMBER, section="general")
async def undo(ctx: Context) -> Text:
    me = ctx.require_member()
    since = ctx.now() - WINDOW
    newest: tuple[datetime, Undoable, Any] | None = None
    for kind in ctx.registry.hooks(UNDO_HOOK):
        stmt = select(kind.model).where(
            col(getattr(kind.model, kind.who)) == me.id, col(getattr(kind.model, kind.when)) >= since,
        ).order_by(col(getattr(kind.model, kind.when)).desc())
        row = (await ctx.session.exec(stmt)).first()
        if row is not None:
            at = getattr(row, kind.when)
            if newest is None or at > newest[0]:
                newest = (at, kind, row)
    if newest is None:
        raise UserError(Msg("conv.undo_nothing", minutes=int(WINDOW.total_seconds() // 60),
                            notes_cmd=command_name("meeting_notes")))
    _, kind, row = newest
    previous = await previous_of(ctx.session, row, getattr(row, kind.when))
    if previous is not None:  # an edit: the earlier version comes back, and the answer says what
        await restore(ctx.session, row, previous)
        back = str(getattr(row, kind.describe) or "")[:80] if kind.describe else ""
        return Text(Msg("talk.restored", what=Msg(kind.what), text=back))
    shown = str(getattr(row, kind.describe))[:80] if kind.describe else ""
    await forget_versions(ctx.session, row)
    for model, column in kind.dependents:
        children = await ctx.session.exec(select(model).where(col(getattr(model, column)) == row.id))
        for child in children.all():
            await ctx.session.delete(child)
    await ctx.session.flush()
    await ctx.session.delete(row)
    await ctx.session.flush()
    return Text(Msg("conv.undone", what=Msg(kind.what), text=shown))
