"""Finding the person someone means: a platform mention, a handle, or (part of) a name."""

from __future__ import annotations

from bot.core.commands import command_name
from bot.core.context import Context
from bot.core.errors import UserError
from handlers.common.suggest import closest
from handlers.common.validation import shorten
from prompts.catalog import Msg
from storage import queries as q


async def find_person(ctx: Context, text: str) -> q.Person:
    school = ctx.require_school()
    people = await q.people_of_school(ctx.session, school.id)
    platform = ctx.event.platform
    mentions = getattr(ctx.event, "mentions", ())
    wanted = text.strip()
    if mentions:
        ids = {m.user_id for m in mentions if m.platform == platform}
        hits = [p for p in people if any(i.platform == platform and i.user_id in ids for i in p.identities)]
        if hits:
            return hits[0]
    key = wanted.lstrip("@").casefold()
    if not key:
        raise UserError(Msg("person.empty"))
    exact = [
        p for p in people
        if p.member.display_name.casefold() == key
        or any(i.platform == platform and key in {(i.handle or "").casefold(), i.user_id.casefold()}
               for i in p.identities)
    ]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [p for p in people if p.member.display_name.casefold().startswith(key)]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        names = ", ".join(sorted(p.member.display_name for p in partial)[:8])
        raise UserError(Msg("person.ambiguous", text=shorten(wanted), names=names))
    suggestion = closest(key, [p.member.display_name for p in people])  # /voorzitter johan -> Johann
    if suggestion is not None:
        raise UserError(Msg("talk.unknown_person_close", text=shorten(wanted), suggestion=suggestion))
    raise UserError(Msg("person.unknown", text=shorten(wanted), school=school.name,
                        join_cmd=command_name("team_join")))
