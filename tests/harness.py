"""A chat you can type into from a test, in the spirit of errbot's ``testbot``.

``await chat.say("/nieuwteam Groep 3-4", as_="anna")`` sends a command as Anna through the real
dispatcher and database and returns what the bot answered, as plain text.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import text
from sqlmodel import SQLModel

from bot.app import CAPABILITIES, Leerteam
from bot.core.capability import Capability
from bot.core.delivery import Outgoing, SentRef
from bot.core.events import AnswerEvent, ChatRef, ChoiceEvent, CommandEvent, Event, MessageEvent, UserRef
from prompts.markup import plain
from bot.core.replies import Ask, Choices, Document, Edit, Image, Text


def with_test_commands(*modules: ModuleType) -> tuple[Capability, ...]:
    """Leerteam's capabilities plus the test-only commands and answer handlers that ``modules``
    define (a test module overrides the ``capabilities`` fixture with this)."""
    return (*CAPABILITIES, *(Capability.collect(f"test:{m.__name__}", (m,)) for m in modules))


class RecordingTransport:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[Outgoing] = []
        self._ids = itertools.count(1)

    async def send(self, out: Outgoing) -> SentRef:
        self.sent.append(out)
        return SentRef(out.address.platform, out.address.chat_id or f"dm:{out.address.user_id}",
                       out.address.message_id or str(next(self._ids)))


def text_of(out: Outgoing) -> str:
    reply = out.reply
    if isinstance(reply, Edit):
        reply = reply.replacement
    if isinstance(reply, (Text, Ask)):
        return plain(reply.body)
    if isinstance(reply, Choices):
        return "\n".join([plain(reply.body)] + [f"{i}) {plain(o.label)}" for i, o in enumerate(reply.options, 1)])
    if isinstance(reply, (Image, Document)):
        return plain(reply.caption or "")
    return ""


@dataclass
class Answer:
    outgoing: list[Outgoing] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [text_of(o) for o in self.outgoing]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def __contains__(self, needle: str) -> bool:
        return needle in self.text

    def __bool__(self) -> bool:
        return bool(self.outgoing)


class Chat:
    """Speak to the bot as anyone, anywhere, on a pretend platform."""

    def __init__(self, app: Leerteam, platform: str = "console", workspace: str | None = "local") -> None:
        self.app = app
        self.platform = platform
        self.workspace = workspace
        self.transport = RecordingTransport(platform)

    def event(self, cls: type[Event], *, as_: str, in_: str | None = None, event_id: str | None = None,
              locale: str | None = None, display: str | None = None, **kw: Any) -> Event:
        chat = ChatRef(self.platform, in_ or f"dm-{as_}", in_ is None, in_, self.workspace)
        user = UserRef(self.platform, as_, display or as_.capitalize(), handle=as_, locale=locale)
        return cls(event_id=event_id or f"ev-{uuid.uuid4().hex[:16]}", chat=chat, user=user,
                   received_at=self.app.clock.now(), **kw)

    async def send_event(self, event: Event) -> Answer:
        # the two halves of Leerteam.handle, so concurrent sends each see their own replies
        outgoing = await self.app.dispatcher.dispatch(event)
        await self.app.deliver(outgoing, self.transport)
        return Answer(outgoing)

    async def say(self, line: str, *, as_: str = "anna", in_: str | None = None, event_id: str | None = None,
                  locale: str | None = None, display: str | None = None) -> Answer:
        who = {"as_": as_, "in_": in_, "event_id": event_id, "locale": locale, "display": display}
        if line.startswith("/"):
            name, _, args = line[1:].partition(" ")
            ev = self.event(CommandEvent, **who, name=name, args=args.strip())
        else:
            ev = self.event(MessageEvent, **who, text=line)
        return await self.send_event(ev)

    async def press(self, value: str, *, as_: str = "anna", in_: str | None = None,
                    event_id: str | None = None) -> Answer:
        return await self.send_event(self.event(ChoiceEvent, as_=as_, in_=in_, event_id=event_id, value=value))

    async def answer(self, question_id: str, text_: str, *, as_: str = "anna", in_: str | None = None) -> Answer:
        return await self.send_event(
            self.event(AnswerEvent, as_=as_, in_=in_, question_id=question_id, text=text_))


async def snapshot(app: Leerteam, skip: tuple[str, ...] = ("processedevent",)) -> dict[str, list[tuple]]:
    """Every row of every table (but the event log), to prove that nothing changed."""
    out: dict[str, list[tuple]] = {}
    async with app.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = (await conn.execute(text(f"SELECT * FROM {table.name}"))).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def school_setup(chat: Chat) -> None:
    """The foundation issue's scripted session: a school, two teams, three people, roles."""
    for line, who in [
        ("/nieuweschool De Regenboog", "anna"),
        ("/nieuwteam Groep 3-4", "anna"),
        ("/nieuwteam Bovenbouw", "anna"),
        ("/aansluiten Groep 3-4", "bram"),
        ("/aansluiten Bovenbouw", "carla"),
        ("/voorzitter bram Groep 3-4", "anna"),
        ("/schoolleider carla", "anna"),
    ]:
        answer = await chat.say(line, as_=who)
        assert answer, f"no answer to {line}"
