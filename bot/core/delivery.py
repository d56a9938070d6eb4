"""From a handler's replies to concrete, rendered messages for a transport.

Targets (here, privately, a team's chat, a member) become platform addresses; bodies are
rendered in the recipient's language; a question to be answered is recorded in the database
in the same transaction as the handler's work, so it survives a restart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.events import Event
from bot.core.replies import (
    Ask,
    Choices,
    DirectTo,
    Document,
    Edit,
    Here,
    Image,
    Option,
    Private,
    Reply,
    TeamChat,
    Text,
)
from prompts.catalog import LANGUAGES, Catalog
from storage import queries as q
from storage.models import Member, PendingQuestion, School, SentMessage, Team

PRIVATE_CHAT = ""  # PendingQuestion.chat_id for questions answered in a private chat
PROMPT_KEY = "_prompt"  # PendingQuestion.payload: the question as asked, so it can be shown again


@dataclass(frozen=True)
class Address:
    platform: str
    chat_id: str | None  # None: the user's private chat, which the transport opens
    user_id: str | None = None
    private: bool = False  # only this user should see it (DM, or ephemeral in a channel)
    workspace_id: str | None = None
    message_id: str | None = None  # for edits


@dataclass(frozen=True)
class Outgoing:
    address: Address
    lang: str
    reply: Reply  # bodies rendered to Markup
    question_id: str | None = None
    is_error: bool = False  # the answer to a user mistake (e.g. a refused button press)


@dataclass(frozen=True)
class SentRef:
    platform: str
    chat_id: str
    message_id: str


class Transport(Protocol):
    platform: str

    async def send(self, out: Outgoing) -> SentRef | None: ...


def _render_reply(reply: Reply, catalog: Catalog, lang: str) -> Reply:
    r = lambda body: catalog.render(body, lang)  # noqa: E731
    if isinstance(reply, Text):
        return dataclasses.replace(reply, body=r(reply.body))
    if isinstance(reply, Choices):
        opts = tuple(Option(r(o.label), o.value) for o in reply.options)
        return dataclasses.replace(reply, body=r(reply.body), options=opts)
    if isinstance(reply, Ask):
        return dataclasses.replace(reply, body=r(reply.body))
    if isinstance(reply, Image):
        return dataclasses.replace(
            reply,
            caption=r(reply.caption) if reply.caption is not None else None,
            alt_text=r(reply.alt_text) if reply.alt_text is not None else None,
        )
    if isinstance(reply, Document):
        return dataclasses.replace(reply, caption=r(reply.caption) if reply.caption is not None else None)
    if isinstance(reply, Edit):
        return dataclasses.replace(reply, replacement=_render_reply(reply.replacement, catalog, lang))  # type: ignore[arg-type]
    raise TypeError(f"unknown reply {reply!r}")


class Resolver:
    """Turns replies for one event into Outgoing messages, inside the event's transaction."""

    def __init__(
        self, session: AsyncSession | None, catalog: Catalog, event: Event | None, caller_lang: str,
        caller_member_id: int | None = None, default_lang: str = "nl", now: datetime | None = None,
        platform: str | None = None,
    ) -> None:
        self.now = now or (event.received_at if event is not None else None)
        self.session = session
        self.catalog = catalog
        self.event = event
        self.caller_lang = caller_lang
        self.caller_member_id = caller_member_id
        self.default_lang = default_lang
        self.platform = platform  # without an event (scheduled messages): the platform to prefer

    async def resolve(self, replies: list[Reply]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for reply in replies:
            item = await self._one(reply)
            if item is not None:
                out.append(item)
        return out

    async def _one(self, reply: Reply) -> Outgoing | None:
        if isinstance(reply, Edit):
            return await self._edit(reply)
        target = getattr(reply, "target", Here())
        found = await self._address(target)
        if found is None:
            return None
        address, lang = found
        question_id = None
        rendered = _render_reply(reply, self.catalog, lang)
        if isinstance(rendered, Ask):
            # a question sent to someone else (e.g. the chair asked for notes) waits for *their* answer
            owner = target.member_id if isinstance(target, DirectTo) else self.caller_member_id
            question_id = await self._remember_question(rendered, address, owner)
        return Outgoing(address, lang, rendered, question_id)

    async def _address(self, target: Any) -> tuple[Address, str] | None:
        ev = self.event
        if isinstance(target, Here) and ev is not None:
            chat = ev.chat
            return (
                Address(chat.platform, chat.chat_id, ev.user.user_id if chat.is_private else None,
                        chat.is_private, chat.workspace_id),
                self.caller_lang,
            )
        if isinstance(target, Private) and ev is not None:
            chat = ev.chat
            return (Address(chat.platform, chat.chat_id, ev.user.user_id, True, chat.workspace_id), self.caller_lang)
        if self.session is None:
            return None
        platform = ev.platform if ev is not None else self.platform
        if isinstance(target, TeamChat):
            link = await q.chat_of_team(self.session, target.team_id, platform)
            team = await self.session.get(Team, target.team_id)
            if link is None or team is None:
                return None
            school = await self.session.get(School, team.school_id)
            lang = school.language if school and school.language in LANGUAGES else self.default_lang
            workspace = ev.chat.workspace_id if ev is not None and ev.platform == link.platform else None
            return Address(link.platform, link.chat_id, None, False, workspace), lang
        if isinstance(target, DirectTo):
            ident = await q.identity_of(self.session, target.member_id, platform)
            member = await self.session.get(Member, target.member_id)
            if ident is None or member is None:
                return None
            lang = member.language if member.language in LANGUAGES else None
            if lang is None and target.member_id == self.caller_member_id:
                lang = self.caller_lang
            if lang is None:
                school = await q.first_school_of(self.session, target.member_id)
                lang = school.language if school and school.language in LANGUAGES else self.default_lang
            workspace = ev.chat.workspace_id if ev is not None and ev.platform == ident.platform else None
            return Address(ident.platform, None, ident.user_id, True, workspace), lang
        return None

    async def _remember_question(self, ask: Ask, address: Address, owner: int | None = None) -> str | None:
        owner = self.caller_member_id if owner is None else owner
        if self.session is None or owner is None:
            return None
        chat_key = PRIVATE_CHAT if address.private else (address.chat_id or PRIVATE_CHAT)
        stmt = select(PendingQuestion).where(
            PendingQuestion.member_id == owner,
            PendingQuestion.platform == address.platform,
            PendingQuestion.chat_id == chat_key,
        )
        existing = (await self.session.exec(stmt)).first()
        now = self.now
        payload = {**ask.payload, PROMPT_KEY: str(ask.body)}  # the rendered question, to ask again later
        if existing is None:
            existing = PendingQuestion(
                member_id=owner, platform=address.platform, chat_id=chat_key,
                kind=ask.question_id, payload=payload, asked_at=now,
            )
        else:
            existing.kind, existing.payload, existing.asked_at = ask.question_id, payload, now
        self.session.add(existing)
        await self.session.flush()
        return str(existing.id)

    async def _edit(self, edit: Edit) -> Outgoing | None:
        if self.session is None:
            return None
        stmt = select(SentMessage).where(SentMessage.ref == edit.ref)
        if self.event is not None:
            stmt = stmt.where(SentMessage.platform == self.event.platform)
        sent = (await self.session.exec(stmt)).first()
        if sent is None:
            return None
        address = Address(sent.platform, sent.chat_id, message_id=sent.message_id)
        lang = sent.lang if sent.lang in LANGUAGES else self.caller_lang
        return Outgoing(address, lang, _render_reply(edit, self.catalog, lang))
