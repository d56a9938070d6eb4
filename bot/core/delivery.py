"""From a handler's replies to concrete, rendered messages for a transport.

Targets (here, privately, a team's chat, a member) become platform addresses; bodies are
rendered in the recipient's language; a question to be answered is recorded in the database
in the same transaction as the handler's work, so it survives a restart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core import conversation
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
from prompts.catalog import LANGUAGES, Catalog, Msg
from prompts.markup import plain
from storage import queries as q
from storage.models import Member, School, SentMessage, Team

PRIVATE_CHAT = ""  # PendingQuestion.chat_id for questions answered in a private chat
PROMPT_KEY = "_prompt"  # PendingQuestion.payload: the question as asked, so it can be shown again


@dataclass(frozen=True)
class ForPerson:
    """Whom an answer in a shared chat is for: the person who typed the command or pressed the button.

    In a busy group a refusal or a short answer must say whom it answers; each transport shows that
    its own way (Telegram: a reply to the person's message; Slack: ephemeral to them, else a mention;
    the console: the name), so handlers never need to."""

    user_id: str
    name: str


@dataclass(frozen=True)
class Address:
    platform: str
    chat_id: str | None  # None: the user's private chat, which the transport opens
    user_id: str | None = None
    private: bool = False  # only this user should see it (DM, or ephemeral in a channel)
    workspace_id: str | None = None
    message_id: str | None = None  # for edits
    for_person: ForPerson | None = None  # a short answer in a shared chat: whom it is for


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


class DeliveryFailed(Exception):
    """The delivery contract: a transport's ``send`` returns when the message arrived and raises
    this when it did not. ``permanent``: trying again cannot help (the bot is not in the chat, the
    chat is gone, the person blocked the bot); otherwise it failed for now (rate limit, a server
    error, a timeout) and a later attempt may work. Any other exception counts as failed for now."""

    def __init__(self, *, permanent: bool, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.reason = reason
        self.status = status


class Transport(Protocol):
    """Sends one rendered message; raises :class:`DeliveryFailed` when it does not arrive.

    A transport may also answer ``async def can_post(chat_id: str) -> bool | None`` (may the bot
    post in that chat; None: cannot tell); see :func:`can_post`."""

    platform: str

    async def send(self, out: Outgoing) -> SentRef | None: ...


async def can_post(transport: object, chat_id: str) -> bool | None:
    """Whether the bot can post in ``chat_id`` on ``transport``'s platform, when the transport can
    tell (an optional capability: a transport without ``can_post`` answers None)."""
    probe = getattr(transport, "can_post", None)
    if probe is None:
        return None
    result: bool | None = await probe(chat_id)
    return result


def _render_text(reply: Any, render: Callable[[Any], Any]) -> Reply:
    return dataclasses.replace(reply, body=render(reply.body))


def _render_choices(reply: Choices, render: Callable[[Any], Any]) -> Reply:
    options = tuple(Option(render(o.label), o.value) for o in reply.options)
    return dataclasses.replace(reply, body=render(reply.body), options=options)


def _render_image(reply: Image, render: Callable[[Any], Any]) -> Reply:
    return dataclasses.replace(reply, caption=render(reply.caption) if reply.caption is not None else None,
                               alt_text=render(reply.alt_text) if reply.alt_text is not None else None)


def _render_document(reply: Document, render: Callable[[Any], Any]) -> Reply:
    return dataclasses.replace(reply, caption=render(reply.caption) if reply.caption is not None else None)


def _render_edit(reply: Edit, render: Callable[[Any], Any]) -> Reply:
    return dataclasses.replace(reply, replacement=_render_reply(reply.replacement, render))


# How each kind of reply has its texts rendered into the reader's language: one table, by type.
_RENDER: dict[type, Callable[[Any, Callable[[Any], Any]], Reply]] = {
    Text: _render_text, Ask: _render_text, Choices: _render_choices, Image: _render_image,
    Document: _render_document, Edit: _render_edit,
}


def _render_reply(reply: Any, render: Callable[[Any], Any]) -> Any:
    try:
        how = _RENDER[type(reply)]
    except KeyError:
        raise TypeError(f"unknown reply {reply!r}") from None
    return how(reply, render)


def _gist(body: Any, limit: int = 90) -> str:
    """The first line of a question, short: to name it while it waits."""
    first = plain(body).strip().split("\n")[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


class Resolver:
    """Turns replies for one event into Outgoing messages, inside the event's transaction."""

    def __init__(
        self, session: AsyncSession | None, catalog: Catalog, *, event: Event | None, caller_lang: str,
        caller_member_id: int | None, default_lang: str, now: datetime, platform: str | None,
        caller_role: str | None = None,
    ) -> None:
        """Use :meth:`for_event` or :meth:`for_clock`."""
        self.now = now
        self.session = session
        self.catalog = catalog
        self.event = event
        self.caller_lang = caller_lang
        self.caller_member_id = caller_member_id
        self.default_lang = default_lang
        self.platform = platform  # without an event (scheduled messages): the platform to prefer
        # addresses read ahead for a batch of scheduled messages (:meth:`prefetch`); None: none
        self._known: dict[tuple[type, int], tuple[Address, str] | None] = {}
        self._roles: dict[int, str] = {}  # a team's school's role word, read ahead with its address
        self.caller_role = caller_role  # the caller's school's word for the chair (School.role_name)

    @classmethod
    def for_event(
        cls,
        catalog: Catalog,
        event: Event,
        lang: str,
        *,
        session: AsyncSession | None = None,
        member_id: int | None = None,
        default_lang: str = "nl",
        now: datetime | None = None,
        role: str | None = None,
    ) -> Resolver:
        """Replies to an event: ``Here`` is where it happened; without a session only ``Here`` and
        ``Private`` can be resolved (the answer to a mistake, after the rollback)."""
        return cls(session, catalog, event=event, caller_lang=lang, caller_member_id=member_id,
                   default_lang=default_lang, now=now or event.received_at, platform=None, caller_role=role)

    @classmethod
    def for_clock(cls, session: AsyncSession, catalog: Catalog, *, default_lang: str, now: datetime,
                  platform: str) -> Resolver:
        """Scheduled messages: no event and no caller, so only team chats and members are targets."""
        return cls(session, catalog, event=None, caller_lang=default_lang, caller_member_id=None,
                   default_lang=default_lang, now=now, platform=platform)

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
        address = self._for_person(reply, target, address)
        question_id = None
        role = await self._role_of(target)
        rendered = _render_reply(reply, lambda body: self.catalog.render(body, lang, address.platform, role))
        if isinstance(rendered, Ask):
            # a question sent to someone else (e.g. the chair asked for notes) waits for *their* answer
            owner = target.member_id if isinstance(target, DirectTo) else self.caller_member_id
            question_id, shown = await self._remember_question(rendered, address, owner)
            if not shown:  # another question is open: this one waits its turn, and the person hears so
                waiting = Msg("conv.queued", question=_gist(rendered.body))
                shown_text = self.catalog.render(waiting, lang, None, role)
                return Outgoing(address, lang, Text(shown_text, target=target))
        elif isinstance(rendered, Choices):
            await self._remember_menu(rendered, address, target)
        return Outgoing(address, lang, rendered, question_id)

    def _for_person(self, reply: Reply, target: Any, address: Address) -> Address:
        """A text or question answering someone where others read along names that person."""
        ev = self.event
        shared = ev is not None and not ev.chat.is_private and not address.private
        if not shared or not isinstance(target, Here) or not isinstance(reply, (Text, Ask)):
            return address
        assert ev is not None
        return dataclasses.replace(address, for_person=ForPerson(ev.user.user_id, ev.user.display_name))

    async def _address(self, target: Any) -> tuple[Address, str] | None:
        """Where a target is on the platform, and in which language its reader reads."""
        how = self._ADDRESS.get(type(target))
        return None if how is None else await how(self, target)

    async def _here(self, target: Here) -> tuple[Address, str] | None:
        ev = self.event
        if ev is None:
            return None
        chat = ev.chat
        return (Address(chat.platform, chat.chat_id, ev.user.user_id if chat.is_private else None,
                        chat.is_private, chat.workspace_id), self.caller_lang)

    async def _private(self, target: Private) -> tuple[Address, str] | None:
        ev = self.event
        if ev is None:
            return None
        chat = ev.chat
        return Address(
            chat.platform, chat.chat_id, ev.user.user_id, True, chat.workspace_id
        ), self.caller_lang

    async def _role_of(self, target: Any) -> str | None:
        """The school's own word for a team's chair (``School.role_name``), for the role words in the
        texts: the team's school for its chat, else the first school of the member who reads it."""
        if isinstance(target, (Here, Private)) and (self.caller_role is not None or self.session is None):
            return self.caller_role
        if self.session is None:
            return None
        school: School | None = None
        if isinstance(target, TeamChat):
            if target.team_id in self._roles:
                return self._roles[target.team_id]
            team = await self.session.get(Team, target.team_id)
            school = await self.session.get(School, team.school_id) if team is not None else None
        else:
            member_id = target.member_id if isinstance(target, DirectTo) else self.caller_member_id
            school = await q.first_school_of(self.session, member_id) if member_id is not None else None
        return school.role_name if school is not None else None

    def _platform(self) -> str | None:
        return self.event.platform if self.event is not None else self.platform

    def _workspace(self, platform: str) -> str | None:
        ev = self.event
        return ev.chat.workspace_id if ev is not None and ev.platform == platform else None

    async def prefetch(self, replies: Sequence[Reply]) -> None:
        """Read the addresses (and the schools' role words) of many replies' team chats at once (a
        batch of scheduled messages): two queries for the batch instead of five per message."""
        if self.session is None:
            return
        teams = sorted({t.team_id for r in replies if isinstance(t := getattr(r, "target", None), TeamChat)}
                       - {k for (kind, k) in self._known if kind is TeamChat})
        platform = self._platform()
        if teams:
            links = await q.chats_of_teams(self.session, teams, platform)
            langs: dict[int, str] = {}
            for team_id, lang, role in (await self.session.exec(
                    select(Team.id, School.language, School.role_name)
                    .join(School, col(School.id) == col(Team.school_id))
                    .where(col(Team.id).in_(teams)))).all():
                langs[team_id], self._roles[team_id] = lang, role
            for team_id in teams:
                found = links.get(team_id)
                if found is None or team_id not in langs:
                    self._known[(TeamChat, team_id)] = None
                    continue
                lang = langs[team_id] if langs[team_id] in LANGUAGES else self.default_lang
                self._known[(TeamChat, team_id)] = (
                    Address(found.platform, found.chat_id, None, False, self._workspace(found.platform)),
                    lang)
        # members (DirectTo) keep the one-by-one path: few scheduled messages go to many people at once

    async def _team_chat(self, target: TeamChat) -> tuple[Address, str] | None:
        if self.session is None:
            return None
        if (TeamChat, target.team_id) in self._known:
            return self._known[(TeamChat, target.team_id)]
        link = await q.chat_of_team(self.session, target.team_id, self._platform())
        team = await self.session.get(Team, target.team_id)
        if link is None or team is None:
            return None
        school = await self.session.get(School, team.school_id)
        lang = school.language if school and school.language in LANGUAGES else self.default_lang
        return Address(link.platform, link.chat_id, None, False, self._workspace(link.platform)), lang

    async def _direct(self, target: DirectTo) -> tuple[Address, str] | None:
        if self.session is None:
            return None
        ident = await q.identity_of(self.session, target.member_id, self._platform())
        member = await self.session.get(Member, target.member_id)
        if ident is None or member is None:
            return None
        lang = member.language if member.language in LANGUAGES else None
        if lang is None and target.member_id == self.caller_member_id:
            lang = self.caller_lang
        if lang is None:
            school = await q.first_school_of(self.session, target.member_id)
            lang = school.language if school and school.language in LANGUAGES else self.default_lang
        return Address(ident.platform, None, ident.user_id, True, self._workspace(ident.platform)), lang

    # Each kind of target, resolved by its own method: one table, by type.
    _ADDRESS: dict[type, Callable[[Resolver, Any], Awaitable[tuple[Address, str] | None]]] = {
        Here: _here, Private: _private, TeamChat: _team_chat, DirectTo: _direct,
    }

    def _chat_key(self, address: Address) -> str:
        ev = self.event
        in_dm = ev is not None and ev.chat.is_private and address.chat_id == ev.chat.chat_id
        if address.chat_id is None or in_dm:
            return PRIVATE_CHAT
        return address.chat_id

    async def _remember_question(self, ask: Ask, address: Address, owner: int | None = None
                                 ) -> tuple[str | None, bool]:
        """Queue the question for its owner in that chat (bot.core.conversation); whether it is shown now."""
        owner = self.caller_member_id if owner is None else owner
        if self.session is None or owner is None:
            return None, True
        chat = PRIVATE_CHAT if address.private else (address.chat_id or PRIVATE_CHAT)
        row, shown = await conversation.enqueue(
            self.session, owner, address.platform, chat, ask.question_id, dict(ask.payload),
            str(ask.body), by_owner=self.event is not None and owner == self.caller_member_id,
            now=self.now, prompt_key=PROMPT_KEY,
        )
        return str(row.id), shown

    async def _remember_menu(self, choices: Choices, address: Address, target: Any) -> None:
        """Numbered options shown: a typed number or yes/no there answers them (any platform)."""
        if self.session is None or not choices.options:
            return
        chat = self._chat_key(address)
        if isinstance(target, DirectTo):
            owner: int | None = target.member_id
        elif chat == PRIVATE_CHAT or isinstance(target, Private):
            owner = self.caller_member_id
            if owner is None:
                return
        else:
            owner = None  # shown to the whole group: anyone may answer
        # options the person asked for (a poll's next question) must be answered first; options the
        # bot sends on its own (a reminder's button) do not hold back a question that waits
        optional = choices.optional or self.event is None or owner != self.caller_member_id
        await conversation.show_menu(self.session, owner, address.platform, chat,
                                     [o.value for o in choices.options], [o.label for o in choices.options],
                                     optional, self.now)

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
        role = await self._role_of(Here())
        return Outgoing(address, lang,
                        _render_reply(edit, lambda body: self.catalog.render(body, lang, address.platform,
                                                                             role)))
