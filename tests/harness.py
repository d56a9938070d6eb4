"""A chat you can type into from a test, in the spirit of errbot's ``testbot``.

``await chat.say("/nieuwteam Groep 3-4", as_="anna")`` sends a command as Anna through the real
dispatcher and database and returns what the bot answered, as plain text.

Below the chat itself live the scenes several test modules share (one team in #groep-5, a
meeting poll, the cycle of examples/cycle.txt, running the console on a script), so no test
module imports another.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.app import CAPABILITIES, Leerteam
from bot.core.capability import Capability
from bot.core.delivery import DeliveryFailed, Outgoing, SentRef
from bot.core.events import AnswerEvent, ChatRef, ChoiceEvent, CommandEvent, Event, MessageEvent, UserRef
from bot.core.replies import Ask, Choices, Document, Edit, Image, Text
from prompts.markup import plain
from storage.models import Poll


def with_test_commands(*modules: ModuleType) -> tuple[Capability, ...]:
    """Leerteam's capabilities plus the test-only commands and answer handlers that ``modules``
    define (a test module overrides the ``capabilities`` fixture with this)."""
    return (*CAPABILITIES, *(Capability.collect(f"test:{m.__name__}", (m,)) for m in modules))


class RecordingTransport:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[Outgoing] = []
        self.refused: dict[str, bool] = {}  # chat id -> permanent: sends there fail (the delivery contract)
        self._ids = itertools.count(1)

    async def can_post(self, chat_id: str) -> bool | None:
        return None if chat_id not in self.refused else not self.refused[chat_id]

    async def send(self, out: Outgoing) -> SentRef:
        if out.address.chat_id in self.refused and not out.address.private:
            raise DeliveryFailed(permanent=self.refused[out.address.chat_id], reason="refused in the test")
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
        outgoing = await self.app.dispatcher.dispatch(event, reach=self.transport)
        before = len(self.transport.sent)
        await self.app.deliver(outgoing, self.transport, event)
        self.last_sent: list[Outgoing] = self.transport.sent[before:]  # what arrived, fallbacks too
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


# --- the console on a script (tests/test_console.py and the example scripts) --------------------
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_console(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    if "LEERTEAM_LANGUAGE" not in env:
        full_env.pop("LEERTEAM_LANGUAGE", None)
    return subprocess.run([sys.executable, "-m", "bot"], input=script, capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=120)


# --- one team in #groep-5: Bram (chair), Carla and Dirk; Anna leads the school -----------------
TEAM = "groep-5"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


async def setup_team(chat: Chat) -> None:
    for who, where, line in [
        ("anna", None, "/nieuweschool De Regenboog"),
        ("anna", TEAM, "/nieuwteam Groep 5"),
        ("bram", TEAM, "/aansluiten"),
        ("carla", TEAM, "/aansluiten"),
        ("dirk", TEAM, "/aansluiten"),
        ("anna", None, "/voorzitter bram Groep 5"),
        ("eva", None, "/nieuwteam Bovenbouw"),  # eva is not in the school: refused, harmless
    ]:
        await chat.say(line, as_=who, in_=where)
    await chat.say("/nieuwteam Bovenbouw", as_="anna")


async def rows(app, model, *where):
    async with app.sessions() as s:
        stmt = select(model)
        for w in where:
            stmt = stmt.where(w)
        return list((await s.exec(stmt)).all())


@dataclass(frozen=True)
class At:
    """A step in a script that lets time pass (the frozen clock is set to ``when``)."""

    when: datetime


# --- the cycle of examples/cycle.txt (tests/test_cycle.py) -------------------------------------
# (who, where, line): the cycle of examples/cycle.txt, as a test drives it
SETUP = [
    ("anna", None, "/nieuweschool De Regenboog"),
    ("anna", TEAM, "/nieuwteam Groep 5"),
    ("bram", TEAM, "/aansluiten"),
    ("carla", TEAM, "/aansluiten"),
    ("dirk", TEAM, "/aansluiten"),
    ("anna", None, "/voorzitter bram Groep 5"),
    ("bram", TEAM, "/cyclus Begrijpend lezen in groep 5"),
]
ROUND1 = [
    ("bram", TEAM, "/antwoord 1 Negen van de 27 leerlingen halen het niveau niet."),
    ("carla", None, "/antwoord 1 Vooral leerlingen die thuis weinig lezen."),
    ("dirk", None, "/antwoord 1 Ze lezen de vraag bij rekenen niet goed."),
    ("bram", TEAM, "/probleem Een derde van groep 5 haalt het niveau begrijpend lezen niet."),
    ("bram", TEAM, "/nulmeting 67 | % leerlingen op niveau | M5-toets januari 2026"),
    ("bram", TEAM, "/hypothese We doen leesstrategieën te weinig hardop voor."),
    ("carla", TEAM, "/hypothese Leerlingen lezen te weinig soorten teksten."),
    ("bram", TEAM, "/akkoord"),
    ("carla", TEAM, "/akkoord"),
    ("bram", TEAM, "/volgende"),
    ("bram", TEAM, "/bron Wat werkt bij begrijpend lezen | https://www.nro.nl/lezen | NRO, 2023 | Modelen helpt zwakke lezers. | hoog | hoog"),
    ("carla", TEAM, "/bron Close reading | - | Pardoen, 2022 | Korte teksten intensief lezen. | middel | 2"),
    ("dirk", TEAM, "/bron Hardop denken | - | - | In groep 6 werkte modelen goed. | 3 | laag"),
    ("bram", TEAM, "/richting Dagelijks hardop-denkend voordoen met korte teksten."),
    ("bram", TEAM, "/volgende"),
    ("bram", TEAM, "/actie Drie keer per week hardop samenvatten | bram | 1-10-2026"),
    ("bram", TEAM, "/doel % leerlingen op niveau | 80 | 1-6-2027"),
    ("bram", TEAM, "/dataplan M-toets begrijpend lezen | 15-1-2026"),
    ("bram", TEAM, "/meetmoment 8-9-2026 tussenmeting"),
    ("bram", TEAM, "/meetmoment 9-9-2026 eindmeting"),
    ("bram", TEAM, "/volgende"),
    At(utc(2026, 9, 10, 8, 0)),  # a result only once it has been measured
    ("bram", TEAM, "/resultaat 1 71"),
    ("bram", TEAM, "/resultaat 2 75,5"),
    ("bram", TEAM, "/oordeel deels"),
    ("carla", TEAM, "/akkoord"),
    ("bram", TEAM, "/geleerd Modelen helpt, maar zelfstandig toepassen lukt nog niet."),
    ("bram", TEAM, "/volgende"),
]
ROUND2 = [
    ("bram", TEAM, "/probleem Leerlingen passen leesstrategieën niet zelfstandig toe."),
    ("bram", TEAM, "/nulmeting 75,5 | % leerlingen op niveau | M-toets mei 2027"),
    ("bram", TEAM, "/akkoord"),
    ("dirk", TEAM, "/akkoord"),
    ("bram", TEAM, "/volgende"),
    ("carla", TEAM, "/bron Samen lezen in tweetallen | - | Expertisecentrum, 2021 | Tweetallen oefenen zelfstandig toepassen. | hoog | middel"),
    ("bram", TEAM, "/richting Na het modelen oefenen in tweetallen met een strategiekaart."),
    ("bram", TEAM, "/volgende"),
    ("bram", TEAM, "/actie Tweetallen-lezen met strategiekaart | team | 1-10-2026"),
    ("bram", TEAM, "/doel % leerlingen op niveau | 80 | 1-7-2027"),
    ("bram", TEAM, "/dataplan M-toets begrijpend lezen | 20-5-2027"),
    ("bram", TEAM, "/meetmoment 11-9-2026 eindmeting ronde 2"),
    ("bram", TEAM, "/volgende"),
    At(utc(2026, 9, 11, 8, 0)),
    ("bram", TEAM, "/resultaat 1 82"),
    ("bram", TEAM, "/oordeel opgelost"),
    ("dirk", TEAM, "/akkoord"),
    ("bram", TEAM, "/geleerd Modelen plus oefenen in tweetallen werkt."),
    ("bram", TEAM, "/borging Strategiekaart in alle groepsplannen 4 tot en met 6 | 1-10-2027"),
    ("bram", TEAM, "/volgende"),
]


async def play(chat: Chat, steps) -> list:
    answers = []
    for step in steps:
        if isinstance(step, At):
            chat.app.clock.set(step.when)
            continue
        who, where, line = step
        answer = await chat.say(line, as_=who, in_=where)
        assert answer, f"no answer to {line}"
        assert "Er ging bij mij iets mis" not in answer, answer.text
        answers.append(answer)
    return answers


# --- a meeting poll and answering it (tests/test_polls.py) -------------------------------------
PNG = b"\x89PNG\r\n\x1a\n"
AFTER_MEETING = utc(2026, 9, 8, 14, 45)  # Tuesday 16:45 local: the meeting has ended


async def meeting_poll(app, chat: Chat, clock) -> Poll:
    await setup_team(chat)
    app.attach(chat.transport)
    await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=TEAM)
    clock.set(AFTER_MEETING)
    await app.tick()
    [poll] = await rows(app, Poll)
    return poll


def choices_of(answer) -> list[Choices]:
    return [o.reply for o in answer.outgoing if isinstance(o.reply, Choices)]


async def answer_all(chat: Chat, who: str, values: list[int]):
    """Open the poll with /peiling and press the options one by one, as a member does."""
    answer = await chat.say("/peiling", as_=who)
    for value in values:
        [current] = choices_of(answer)
        option = next(o for o in current.options if o.value.endswith(f" {value}"))
        answer = await chat.press(option.value, as_=who)
    return answer


def images(answer) -> list[Image]:
    return [o.reply for o in answer.outgoing if isinstance(o.reply, Image)]


# --- servers a test starts on 127.0.0.1 --------------------------------------------------------
def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until_serving(http: Any, url: str, seconds: float = 15) -> None:
    """Until ``url`` answers 200: the HTTP server the test started is listening."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            async with http.get(url) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the HTTP server did not start"
        await asyncio.sleep(0.02)
