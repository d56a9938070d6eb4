"""The Teams transport: inbound turns from the SDK's adapter, outbound sends through the Bot
Connector, and nothing about a conversation kept in memory.

Inbound, the SDK's ``CloudAdapter`` validates and parses each POST to ``/api/messages`` and calls
:meth:`LeerteamAgent.on_turn`; the activity is turned into a core event (:mod:`.activity`) and
handled by the core. Outbound, every reply and every scheduled message is an Outgoing that
:class:`TeamsTransport` renders (:mod:`.render`) and posts with the conversation reference
stored in the database (:mod:`.store`):

- a channel's posts answer in the thread the bot was addressed in, else start a new post;
- ``Private`` replies go to the person's personal chat, opened with ``create_conversation`` the
  first time (Teams has no "only visible to you" message in a channel);
- an edit is ``update_activity`` of the stored message id.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.app import Leerteam
from bot.core.delivery import Outgoing, SentRef
from bot.core.replies import Edit
from bot.transports.teams.activity import PLATFORM, Where, to_event, where_of
from bot.transports.teams.connector import Connector, DeliveryFailed
from bot.transports.teams.render import Renderer, message, to_markdown
from bot.transports.teams.store import ConversationStore
from prompts.catalog import Msg
from storage.models import Identity, PendingQuestion

log = logging.getLogger(__name__)


class TeamsTransport:
    platform = PLATFORM

    def __init__(self, app: Leerteam, connector: Connector) -> None:
        self.app = app
        self.connector = connector
        self.store = ConversationStore(app.sessions)
        self.renderer = Renderer(app.catalog)

    async def send(self, out: Outgoing, origin: Where | None = None) -> SentRef | None:
        """Post one reply; raises :class:`DeliveryFailed` (permanent or not) when it does not arrive."""
        from microsoft_agents.activity import Activity

        addr = out.address
        activities = self.renderer.render(out)
        if isinstance(out.reply, Edit):
            return await self._update(out, activities[0])
        key, conversation_id, service_url = await self._conversation(out, origin)
        last = None
        for data in activities:
            response = await self._post(service_url, conversation_id, Activity.model_validate(data))
            last = response.id if response is not None else None
        log.debug("sent %d activities to %s (%s)", len(activities), key, addr)
        return SentRef(PLATFORM, key, last or "")

    async def _post(self, service_url: str, conversation_id: str, activity: Any) -> Any:
        return await self.connector.call(
            service_url, "send", lambda c: c.conversations.send_to_conversation(conversation_id, activity)
        )

    async def _conversation(self, out: Outgoing, origin: Where | None) -> tuple[str, str, str]:
        """(the core's chat id, the Teams conversation to post in, its service URL)."""
        addr = out.address
        if addr.private and addr.user_id:
            return await self._personal(addr.user_id)
        key = addr.chat_id or ""
        if origin is not None and origin.chat_key == key:
            return key, origin.thread_id, origin.service_url  # answer in the thread that asked
        row = await self.store.get(key)
        if row is None or not row.conversation_id:
            raise DeliveryFailed(permanent=True, reason=f"no Teams conversation stored for {key!r}")
        return key, row.conversation_id, row.service_url

    async def _personal(self, user_key: str) -> tuple[str, str, str]:
        """The person's personal chat with the bot, opened the first time it is needed."""
        from microsoft_agents.activity import ChannelAccount, ConversationParameters

        row = await self.store.get(user_key)
        if row is None:
            raise DeliveryFailed(permanent=True, reason="this person has not written to the bot in Teams yet")
        if row.conversation_id:
            return user_key, row.conversation_id, row.service_url
        params = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=row.bot_id),
            members=[ChannelAccount(id=row.teams_user_id or user_key)],
            tenant_id=row.tenant_id,
            channel_data={"tenant": {"id": row.tenant_id}},
        )
        created = await self.connector.call(
            row.service_url, "create_conversation", lambda c: c.conversations.create_conversation(params)
        )
        await self.store.set_personal(user_key, created.id, self.app.clock.now())
        return user_key, created.id, row.service_url

    async def _update(self, out: Outgoing, data: dict[str, Any]) -> SentRef | None:
        from microsoft_agents.activity import Activity

        addr = out.address
        if addr.chat_id is None or addr.message_id is None:
            return None
        row = await self.store.get(addr.chat_id)
        if row is None or not row.conversation_id:
            raise DeliveryFailed(permanent=True, reason=f"no Teams conversation stored for {addr.chat_id!r}")
        activity = Activity.model_validate({**data, "id": addr.message_id})
        conversation_id = row.conversation_id
        await self.connector.call(
            row.service_url,
            "update",
            lambda c: c.conversations.update_activity(conversation_id, addr.message_id, activity),
        )
        return SentRef(PLATFORM, addr.chat_id, addr.message_id)


class _Scoped:
    """The transport while answering one activity (knows the thread it came from)."""

    platform = PLATFORM

    def __init__(self, transport: TeamsTransport, origin: Where | None) -> None:
        self.transport = transport
        self.origin = origin

    async def send(self, out: Outgoing) -> SentRef | None:
        return await self.transport.send(out, self.origin)


class LeerteamAgent:
    """The SDK's Agent: one turn per activity, handed to the core."""

    def __init__(self, app: Leerteam, transport: TeamsTransport) -> None:
        self.app = app
        self.transport = transport

    async def on_turn(self, context: Any) -> None:
        activity: dict[str, Any] = context.activity.model_dump(by_alias=True, mode="json", exclude_none=True)
        now = self.app.clock.now()
        where = where_of(activity)
        if where is not None:
            await self.transport.store.remember(where, now)
        if activity.get("type") == "conversationUpdate" and where is not None:
            removed = [m.get("id") for m in activity.get("membersRemoved") or () if isinstance(m, dict)]
            if where.bot_id in removed and where.kind != "personal":  # the bot taken out of this chat
                await self.app.chat_lost(PLATFORM, where.chat_key)
                return
            await self._members_added(activity, where)
            return
        names = frozenset(self.app.dispatcher.names)
        waiting = await self._waiting(activity, where)
        event = to_event(activity, now, names, lambda user, private: waiting)
        if event is None:
            return
        await self.app.handle(event, _Scoped(self.transport, where))

    async def _waiting(self, activity: dict[str, Any], where: Where | None) -> bool:
        """Whether the core waits for this person's answer in this chat (a bare command word is
        then part of the answer, not a command)."""
        from sqlmodel import col, select

        if where is None or not where.user_key or activity.get("type") != "message":
            return False
        chat = "" if where.kind == "personal" else where.chat_key
        async with self.app.sessions() as session:
            stmt = (
                select(PendingQuestion.id)
                .join(Identity, col(Identity.member_id) == col(PendingQuestion.member_id))
                .where(
                    Identity.platform == PLATFORM,
                    Identity.user_id == where.user_key,
                    PendingQuestion.platform == PLATFORM,
                    PendingQuestion.chat_id == chat,
                    PendingQuestion.kind != "_menu",  # options shown (bot.core.conversation.MENU)
                )
            )
            return (await session.exec(stmt)).first() is not None

    async def _members_added(self, activity: dict[str, Any], where: Where) -> None:
        """The bot added to a team or group chat: say how to make a channel a leerteam."""
        added = [m.get("id") for m in activity.get("membersAdded") or () if isinstance(m, dict)]
        if where.bot_id not in added or where.kind == "personal":
            return
        lang = self.app.settings.language
        locale = (activity.get("locale") or "").split("-")[0].lower()
        if locale in self.app.catalog.messages:
            lang = locale
        cat = self.app.catalog
        text = cat.render(
            Msg(
                "teams.added",
                team_cmd=cat.raw(lang, "cmd.team_create.name"),
                link_cmd=cat.raw(lang, "cmd.team_link.name"),
                help_cmd=cat.raw(lang, "cmd.help.name"),
            ),
            lang,
        )
        from microsoft_agents.activity import Activity

        greeting = Activity.model_validate(message(to_markdown(text)))
        try:
            await self.transport.connector.call(
                where.service_url,
                "greet",
                lambda c: c.conversations.send_to_conversation(where.thread_id, greeting),
            )
        except DeliveryFailed as exc:
            log.info("could not greet %s: %s", where.chat_key, exc.reason)
