"""The composition root: the capabilities the bot runs, assembled with the core into one app.

:data:`CAPABILITIES` is the one list of what Leerteam does; :class:`Leerteam` builds its registry
(commands, answer handlers, outbox renderers, planners, due moments, hooks) from the list it is
given, so two apps with different capabilities can live in one process. Transports hold one
:class:`Leerteam` and call :meth:`Leerteam.handle` for every event they receive; tests do the same
with a recording transport.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.core.capability import Capability, Registry
from bot.core.clock import Clock, FrozenClock, SystemClock
from bot.core.config import Settings
from bot.core.delivery import Outgoing, SentRef, Transport
from bot.core.dispatcher import Dispatcher
from bot.core.events import Event
from bot.core.fallback import Fallback, as_failure, caller_lang
from bot.core.lease import new_holder
from bot.core.replies import Choices, Text
from handlers.chairs.capability import CHAIRS
from handlers.cycle.capability import CYCLE
from handlers.leader.capability import LEADER
from handlers.meetings.capability import MEETINGS
from handlers.polls.capability import POLLS
from handlers.school.capability import SCHOOL
from handlers.web.capability import WEB
from prompts.catalog import Catalog, default_catalog
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import SentMessage

if TYPE_CHECKING:
    from bot.core.outbox import TickReport

log = logging.getLogger(__name__)

# What Leerteam does, in the order the clock plans it and /hulp lists it.
CAPABILITIES: tuple[Capability, ...] = (SCHOOL, CYCLE, MEETINGS, LEADER, POLLS, CHAIRS, WEB)


class Leerteam:
    def __init__(
        self,
        settings: Settings,
        *,
        engine: AsyncEngine | None = None,
        clock: Clock | None = None,
        catalog: Catalog | None = None,
        capabilities: Sequence[Capability] = CAPABILITIES,
    ) -> None:
        self.settings = settings
        self.registry = Registry.build(capabilities)
        self.engine = engine or create_engine(settings.database_url)
        self.sessions = session_factory(self.engine)
        self.clock = clock or SystemClock()
        self.catalog = catalog or default_catalog()
        self.dispatcher = Dispatcher(self.sessions, self.catalog, settings, self.clock, self.registry)
        self.transports: dict[str, Transport] = {}  # where scheduled messages go (see attach)
        # what else this process's HTTP server serves (bot/main.py adds the web pages): callables
        # that add routes to the aiohttp application a platform's server builds
        self.http_extensions: list[Callable[[Any], None]] = []
        self.holder = new_holder()  # this process, as the holder of outbox leases (bot/core/lease.py)

    async def migrate(self) -> None:
        await upgrade(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def chat_moved(self, platform: str, old_chat_id: str, new_chat_id: str) -> bool:
        """A platform gave a chat a new id (Telegram: a group upgraded to a supergroup): the team
        link and questions waiting there follow it. Returns whether a team link moved."""
        from storage.models import ChatLink, PendingQuestion

        async with self.sessions() as session:
            link = (await session.exec(select(ChatLink).where(
                ChatLink.platform == platform, ChatLink.chat_id == old_chat_id))).first()
            taken = (await session.exec(select(ChatLink).where(
                ChatLink.platform == platform, ChatLink.chat_id == new_chat_id))).first()
            if link is None or taken is not None:
                return False
            link.chat_id = new_chat_id
            session.add(link)
            waiting = (await session.exec(select(PendingQuestion).where(
                PendingQuestion.platform == platform, PendingQuestion.chat_id == old_chat_id))).all()
            for question in waiting:
                question.chat_id = new_chat_id
                session.add(question)
            try:
                await session.commit()
            except IntegrityError:  # a concurrent move won
                await session.rollback()
                return False
        log.info("%s chat %s is now %s", platform, old_chat_id, new_chat_id)
        return True

    async def chat_lost(self, platform: str, chat_id: str) -> bool:
        """The bot was removed from a chat (or the chat was archived): a team linked to it is
        unlinked, and its chair and the school leaders are told privately (an outbox row the
        school capability writes). Returns whether a team link was removed."""
        from storage.models import ChatLink, Outbox
        from storage.queries import insert_ignore

        now = self.clock.now()
        async with self.sessions() as session:
            link = (await session.exec(select(ChatLink).where(
                ChatLink.platform == platform, ChatLink.chat_id == chat_id))).first()
            if link is None:
                return False
            team_id = link.team_id
            await session.delete(link)
            await insert_ignore(session, Outbox, [{
                "dedupe_key": f"delivery.unlinked:{team_id}:{platform}:{chat_id}:{now.isoformat()}"[:160],
                "kind": "delivery.unlinked", "due_at": now, "status": "pending", "attempts": 0,
                "created_at": now, "claim_no": 0, "payload": {"team_id": team_id, "platform": platform},
            }], ["dedupe_key"])
            await session.commit()
        log.warning("%s chat %s is gone for the bot: team %s unlinked", platform, chat_id, team_id)
        return True

    async def language_of(self, platform: str, user_id: str) -> str:
        """The language a person has chosen, for transport-level texts (console prompts, menus)."""
        from storage.queries import member_for_identity

        async with self.sessions() as session:
            member = await member_for_identity(session, platform, user_id)
        if member is not None and member.language in self.catalog.messages:
            return member.language
        return self.settings.language

    def attach(self, transport: Transport) -> None:
        """Let scheduled messages (reminders, nudges) go out through this transport."""
        self.transports[transport.platform] = transport

    def set_clock(self, when: datetime) -> None:
        """Simulated time (the console's /clock): from now on the app's clock stands at ``when``."""
        if isinstance(self.clock, FrozenClock):
            self.clock.set(when)
        else:
            self.clock = self.dispatcher.clock = FrozenClock(when)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One beat of the clock: plan what is due in the database, then send it (bot/core/outbox.py)."""
        from bot.core.outbox import TickReport, drain, plan

        report = TickReport()
        when = now or self.clock.now()
        await plan(self, when, report)
        await drain(self, when, report)
        return report

    async def handle(self, event: Event, transport: Transport) -> list[SentRef]:
        """Process one event and deliver its replies through ``transport``."""
        self.transports.setdefault(transport.platform, transport)  # a transport that never called attach
        outgoing = await self.dispatcher.dispatch(event, reach=transport)
        return await self.deliver(outgoing, transport, event)

    async def deliver(self, outgoing: list[Outgoing], transport: Transport,
                      event: Event | None = None) -> list[SentRef]:
        """Send an event's replies; one that fails is answered by :mod:`bot.core.fallback` (the
        caller hears privately what did not arrive, and how to fix it)."""
        sent: list[SentRef] = []
        fallback = (Fallback(self.catalog, self.sessions, event, self.language_of, caller_lang(outgoing))
                    if event else None)
        queue = list(outgoing)
        while queue:
            out = queue.pop(0)
            if fallback is not None and fallback.unconfirmed(out):
                continue  # the post it confirms did not arrive (the caller hears that instead)
            try:
                ref = await transport.send(out)
            except Exception as exc:  # the delivery contract: DeliveryFailed, anything else is "for now"
                failed = as_failure(exc)
                if fallback is None:
                    log.warning("delivery to %s failed: %s", out.address, failed.reason)
                else:
                    queue[:0] = await fallback.after(out, failed)
                continue
            if ref is None:
                continue
            sent.append(ref)
            logical = getattr(out.reply, "ref", None)
            if logical and isinstance(out.reply, (Text, Choices)):
                await self._remember_sent(logical, ref, out.lang)
        return sent

    async def _remember_sent(self, logical: str, ref: SentRef, lang: str) -> None:
        async with self.sessions() as session:
            stmt = select(SentMessage).where(
                SentMessage.ref == logical,
                SentMessage.platform == ref.platform,
                SentMessage.chat_id == ref.chat_id,
            )
            row = (await session.exec(stmt)).first()
            if row is None:
                row = SentMessage(ref=logical, platform=ref.platform, chat_id=ref.chat_id,
                                  message_id=ref.message_id, lang=lang, sent_at=self.clock.now())
            else:
                row.message_id, row.lang, row.sent_at = ref.message_id, lang, self.clock.now()
            session.add(row)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
