"""What the person who acted hears when a message caused by their action did not arrive.

The delivery contract (:class:`bot.core.delivery.DeliveryFailed`) gives every send an outcome;
this module turns a failed one into words for the caller, in their language:

- a reply meant for the caller that could not be placed where they asked (e.g. the bot may not
  post in that channel) goes to them privately, with a line saying why it is there;
- a post to a team's chat that failed is reported to them privately with the fix for their
  platform ("Voeg mij weer toe aan de groep", "Nodig mij uit in het kanaal met /invite
  @Leerteam"). What they did stays saved: the handler's transaction committed before delivery,
  and the notice says so.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import command_name
from bot.core.delivery import Address, DeliveryFailed, Outgoing
from bot.core.events import Event
from bot.core.replies import Here, Private, TeamChat, Text
from prompts.catalog import Catalog, Msg
from storage.models import Team

log = logging.getLogger(__name__)
FIXES = ("telegram", "slack", "teams")  # platforms with their own words for the fix (delivery.fix.*)


def fix_for(platform: str, team: str) -> Msg:
    """How to let the bot post in a team's chat again, in the platform's own terms."""
    key = platform if platform in FIXES else "generic"
    return Msg(f"delivery.fix.{key}", team=team, link_cmd=command_name("team_link"), invite="/invite")


def as_failure(exc: Exception) -> DeliveryFailed:
    """Any exception from a transport as the contract's outcome (unknown errors: failed for now)."""
    if isinstance(exc, DeliveryFailed):
        return exc
    return DeliveryFailed(permanent=False, reason=f"{type(exc).__name__}: {exc}"[:200])


def caller_lang(outgoing: list[Outgoing]) -> str | None:
    """The caller's language as the dispatcher chose it: that of a reply meant for them."""
    for out in outgoing:
        if isinstance(getattr(out.reply, "target", None), (Here, Private)):
            return out.lang
    return None


class Fallback:
    """Follow-up messages for one event's failed deliveries (at most one notice per team)."""

    def __init__(self, catalog: Catalog, sessions: async_sessionmaker[AsyncSession], event: Event,
                 language: Callable[[str, str], Awaitable[str]], lang: str | None = None) -> None:
        self.catalog = catalog
        self.sessions = sessions
        self.event = event
        self.language = language
        self.lang = lang  # the caller's language, when a reply to them shows it
        self.told: set[int] = set()  # teams whose chat refused a post during this event

    def unconfirmed(self, out: Outgoing) -> bool:
        """A reply saying "posted in team X's chat" after that post failed: not shown."""
        return getattr(out.reply, "confirms", None) in self.told

    def _private(self, lang: str, body: object) -> Outgoing:
        ev = self.event
        address = Address(ev.platform, None if ev.chat.is_private else ev.chat.chat_id, ev.user.user_id, True,
                          ev.chat.workspace_id)
        return Outgoing(address, lang, Text(self.catalog.render(body, lang), target=Private()))

    async def after(self, out: Outgoing, failed: DeliveryFailed) -> list[Outgoing]:
        """What to send next, privately to the caller, after ``out`` failed."""
        target = getattr(out.reply, "target", None)
        ev = self.event
        if isinstance(target, TeamChat):
            if target.team_id in self.told:
                return []
            self.told.add(target.team_id)
            async with self.sessions() as session:
                team = await session.get(Team, target.team_id)
            name = team.name if team is not None else "?"
            lang = self.lang or await self.language(ev.platform, ev.user.user_id)
            key = "delivery.team_post_failed" if failed.permanent else "delivery.team_post_later"
            log.warning("team %s: post in %s failed (%s): the caller is told", target.team_id,
                        out.address.chat_id, failed.reason)
            return [self._private(lang, Msg(key, team=name, fix=fix_for(out.address.platform, name)))]
        to_caller = isinstance(target, (Here, Private)) or target is None
        if to_caller and not out.address.private and not ev.chat.is_private:
            log.info("reply in %s could not be placed (%s): sent privately", out.address.chat_id,
                     failed.reason)
            moved = dataclasses.replace(
                out, address=Address(ev.platform, None, ev.user.user_id, True, ev.chat.workspace_id))
            note = self._private(out.lang, Msg("delivery.moved_private"))
            return [note, moved]
        log.warning("a reply to %s could not be delivered (%s)", ev.user.user_id, failed.reason)
        return []
