"""The local console: talk to Leerteam in a terminal, or pipe a script through it.

Like errbot's text backend it can switch who is speaking and where: ``/as anna`` speaks as Anna,
``/in groep-3-4`` moves into that team channel, ``/dm`` back to the private chat with the bot.
All console users share one workspace (``local``), the way a Slack workspace is one school.
Choices are shown as numbered options and answered by typing the number; images are saved as
files. When stdin is not a terminal, each input line is echoed before its replies so a piped
session reads like a transcript, and end of input ends the program with exit code 0.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, TextIO

from bot.app import Leerteam
from bot.core.delivery import Address, Outgoing, SentRef
from bot.core.events import ChatRef, ChoiceEvent, CommandEvent, Event, MessageEvent, UserRef
from bot.core.replies import Ask, Choices, Document, Edit, Image, Text
from prompts.catalog import Join, Msg
from prompts.markup import plain

PLATFORM = "console"
WORKSPACE = "local"
DM_CHAT = "dm"
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")
CONTROL = {
    "as": "as",
    "in": "in",
    "dm": "dm",
    "stop": "stop",
    "quit": "stop",
    "exit": "stop",
    "clock": "clock",
    "klok": "clock",
    "again": "again",
    "nogmaals": "again",
}
BOT_NAMES = ("@leerteam", "leerteam")  # a line starting with one of these is addressed to the bot
MAX_CLOCK_STEPS = 2000
MAX_CLOCK_JUMP = timedelta(days=366)  # /klok refuses a jump over a year (it ticks through every due moment)


class ConsoleTransport:
    platform = PLATFORM

    def __init__(
        self, app: Leerteam, stdin: TextIO | None = None, stdout: TextIO | None = None,
        interactive: bool | None = None, user: str = "gast",
    ) -> None:
        self.app = app
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.user_id = user
        self.display = user.capitalize()
        self.chat: str | None = None  # None: the private chat with the bot
        self.options: list[str] = []  # values of the numbered choices last shown (screen state only)
        self._ids = itertools.count(1)
        self._header: str | None = None  # printed before the first message a /clock step sends
        self._last: Event | None = None  # /again delivers it once more, as a platform's redelivery would
        app.attach(self)  # reminders and nudges are printed here

    # --- output ---------------------------------------------------------------------------
    def _print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def _say(self, msg: Msg) -> None:
        lang = await self.app.language_of(PLATFORM, self.user_id)
        self._print(plain(self.app.catalog.render(msg, lang)))

    def _place(self) -> Msg:
        return Msg("console.place_chat", chat=self.chat) if self.chat else Msg("console.place_dm")

    async def send(self, out: Outgoing) -> SentRef | None:
        cat, lang, addr, reply = self.app.catalog, out.lang, out.address, out.reply
        if self._header is not None:
            self._print(self._header)
            self._header = None
        note: Msg | None = None
        if addr.private and addr.chat_id is None and addr.user_id != self.user_id:
            note = Msg("console.to_dm", user=addr.user_id)
        elif addr.private and addr.chat_id not in (None, DM_CHAT) and addr.user_id:
            note = Msg("console.private_for", user=addr.user_id)
        elif not addr.private and addr.chat_id != (self.chat or DM_CHAT):
            note = Msg("console.to_chat", chat=addr.chat_id)
        if note is None and out.is_error and addr.for_person is not None:
            note = Msg("day.console_for", name=addr.for_person.name)  # a refusal in a chat: whose it is
        if note is not None:
            self._print(plain(cat.render(note, lang)))
        if isinstance(reply, Edit):
            self._print(plain(cat.render(Msg("console.edited"), lang)))
            reply = reply.replacement
        self._SHOW[type(reply)](self, reply, addr, lang)
        self._print()
        chat = addr.chat_id or f"{DM_CHAT}:{addr.user_id}"
        return SentRef(PLATFORM, chat, addr.message_id or str(next(self._ids)))

    def _show_text(self, reply: Text, addr: Address, lang: str) -> None:
        self._print(plain(reply.body))

    def _show_choices(self, reply: Choices, addr: Address, lang: str) -> None:
        self._print(plain(reply.body))
        self.options = [o.value for o in reply.options]
        for i, option in enumerate(reply.options, 1):
            self._print(f"  {i}) {plain(option.label)}")
        self._print(plain(self.app.catalog.render(Msg("console.choose"), lang)))

    def _show_ask(self, reply: Ask, addr: Address, lang: str) -> None:
        cat = self.app.catalog
        self._print(plain(reply.body))
        if addr.user_id in (None, self.user_id):
            self.options = []  # the question is now what a typed reply answers, not the options above
        if addr.private and self.chat is not None and addr.user_id == self.user_id:
            # like Telegram, a private question continues in the private chat
            self.chat = None
            self._print(plain(cat.render(Msg("console.moved_to_dm"), lang)))
        self._print(plain(cat.render(Msg("console.answer_hint"), lang)))

    def _show_document(self, reply: Document, addr: Address, lang: str) -> None:
        path = self._save_file(reply.data, reply.filename)
        if reply.caption:
            self._print(plain(reply.caption))
        self._print(plain(self.app.catalog.render(Msg("console.file_saved", path=str(path)), lang)))

    def _show_image(self, reply: Image, addr: Address, lang: str) -> None:
        path = self._save_file(reply.png, reply.filename)
        if reply.caption:
            self._print(plain(reply.caption))
        if reply.alt_text:
            self._print(plain(reply.alt_text))
        self._print(plain(self.app.catalog.render(Msg("console.image_saved", path=str(path)), lang)))

    # How each kind of reply is shown in the terminal: one table, by type (an Edit shows its replacement).
    _SHOW: dict[type, Callable[[ConsoleTransport, Any, Address, str], None]] = {
        Text: _show_text,
        Choices: _show_choices,
        Ask: _show_ask,
        Document: _show_document,
        Image: _show_image,
    }

    def _save_file(self, data: bytes, filename: str) -> Path:
        directory = Path(self.app.settings.image_dir)
        directory.mkdir(parents=True, exist_ok=True)
        name = Path(filename)
        stem = re.sub(r"[^A-Za-z0-9_\-]+", "-", name.stem).strip("-") or "file"
        suffix = re.sub(r"[^A-Za-z0-9.]+", "", name.suffix) or ".bin"
        path = directory / f"{stem}-{uuid.uuid4().hex[:8]}{suffix}"
        path.write_bytes(data)
        return path.resolve()

    # --- input ----------------------------------------------------------------------------
    def _event_base(self) -> dict:
        chat = ChatRef(PLATFORM, self.chat or DM_CHAT, self.chat is None, self.chat, WORKSPACE)
        user = UserRef(PLATFORM, self.user_id, self.display, handle=self.user_id)
        return {"event_id": uuid.uuid4().hex, "chat": chat, "user": user, "received_at": self.app.clock.now()}

    async def _control(self, name: str, args: str) -> bool:
        """Console-only commands; returns False when the console should stop."""
        if name == "stop":
            return False
        if name == "clock":
            await self._clock(args)
            return True
        if name == "again":
            delivered = await self.app.handle(self._last, self) if self._last is not None else []
            await self._say(Msg("console.again_dropped" if self._last is not None and not delivered
                                else "console.again_delivered" if delivered else "console.again_none"))
            self._print()
            return True
        if name == "dm":
            self.chat = None
        elif name == "as":
            parts = args.split(maxsplit=1)
            if not parts:
                await self._say(Msg("console.usage_as"))
                return True
            if not ID.match(parts[0]):
                await self._say(Msg("console.bad_id"))
                return True
            self.user_id = parts[0].lower()
            self.display = parts[1].strip()[:80] if len(parts) > 1 else parts[0].capitalize()
        elif name == "in":
            chat = args.strip().lstrip("#")
            if not chat:
                await self._say(Msg("console.usage_in"))
                return True
            if not ID.match(chat):
                await self._say(Msg("console.bad_id"))
                return True
            self.chat = chat.lower()
        self.options = []
        await self._say(Msg("console.now", user=self.display, place=self._place()))
        self._print()
        return True

    async def _clock(self, args: str) -> None:
        """``/clock 2026-11-23 08:00`` or ``/clock +1d``: simulated time. Moving forward stops at every
        moment something falls due (a reminder, the end of a meeting) and runs the bot's clock
        there, as if it had been running all along; what it sends is printed under the time."""
        from zoneinfo import ZoneInfo

        from bot.core.clock import FrozenClock
        from bot.core.errors import UserError
        from bot.core.outbox import next_due
        from handlers.common.dates import split_day_time
        from handlers.common.durations import NotADuration, minutes_of
        from handlers.common.school_time import when_msg
        from handlers.common.values import read_date, read_time

        tz = ZoneInfo(self.app.settings.timezone)
        lang = await self.app.language_of(PLATFORM, self.user_id)
        now = self.app.clock.now()
        text = args.strip().lower()
        show = lambda at: plain(self.app.catalog.render(when_msg(at, tz), lang))  # noqa: E731
        if not text:
            await self._say(Msg("console.clock_now", when=show(now)))
            return
        try:
            if text.startswith("+"):  # +1d, +2 dagen, +48u, +1 week: the one duration reader
                try:
                    minutes = minutes_of(text[1:])
                except NotADuration:
                    minutes = None
                if minutes is None or minutes > MAX_CLOCK_JUMP.total_seconds() // 60:
                    raise UserError(Msg("conv.clock_too_far") if minutes else Msg("console.clock_usage"))
                target = now + timedelta(minutes=minutes)
            else:
                day_raw, time_raw, extra = split_day_time(text)  # the one date and time readers
                if extra:
                    raise UserError(Msg("console.clock_usage"))
                day = read_date(day_raw, now.astimezone(tz).date())
                hour, minute = read_time(time_raw) if time_raw else (now.astimezone(tz).hour, 0)
                target = datetime.combine(day, dtime(hour, minute), tzinfo=tz).astimezone(UTC)
            if target < now and isinstance(self.app.clock, FrozenClock):
                # never back before the simulated time: what was sent then stays sent (the first
                # /klok of a session may leave the real time, e.g. a script replaying October)
                raise UserError(Msg("conv.clock_back", when=show(now)))
            if abs(target - now) > MAX_CLOCK_JUMP:
                raise UserError(Msg("conv.clock_too_far"))
        except (OverflowError, ValueError):  # year 0001 or 9999 in another time zone
            self._print(plain(self.app.catalog.render(Msg("conv.clock_too_far"), lang)))
            self._print()
            return
        except UserError as err:
            self._print(plain(self.app.catalog.render(Join([err.message, Msg("console.clock_usage")]), lang)))
            self._print()
            return
        sent = 0
        if target > now:
            self._header = plain(self.app.catalog.render(Msg("console.clock_step", when=show(now)), lang))
            sent += len((await self.app.tick()).sent)  # first what is due already
            for _ in range(MAX_CLOCK_STEPS):
                step = await next_due(self.app, now, target)
                if step is None or step >= target:
                    break
                self.app.set_clock(step)
                self._header = plain(
                    self.app.catalog.render(Msg("console.clock_step", when=show(step)), lang)
                )
                sent += len((await self.app.tick()).sent)
                now = step
        self.app.set_clock(target)
        await self._keep_clock(target)
        self._header = plain(self.app.catalog.render(Msg("console.clock_step", when=show(target)), lang))
        sent += len((await self.app.tick()).sent)
        self._header = None
        await self._say(Msg("console.clock_set", when=show(target), count=sent))
        self._print()

    async def _keep_clock(self, at: datetime) -> None:
        """The simulated time lives in the database, so a restarted console resumes there."""
        from storage.models import SimulatedClock

        async with self.app.sessions() as session:
            row = await session.get(SimulatedClock, PLATFORM)
            if row is None:
                row = SimulatedClock(name=PLATFORM, at=at)
            row.at = at
            session.add(row)
            await session.commit()

    async def _resume_clock(self) -> None:
        from storage.models import SimulatedClock

        async with self.app.sessions() as session:
            row = await session.get(SimulatedClock, PLATFORM)
        if row is not None:
            from zoneinfo import ZoneInfo

            from handlers.common.school_time import when_msg

            self.app.set_clock(row.at)
            tz = ZoneInfo(self.app.settings.timezone)
            await self._say(Msg("conv.clock_resumed", when=when_msg(row.at, tz)))
            self._print()

    def to_event(self, line: str) -> Event | None:
        text = line.strip()
        if not text:
            return None
        base = self._event_base()
        addressed, text = addressed_to_bot(text)
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return CommandEvent(name=name.lower(), args=args.strip(), **base)
        number = _choice_number(text)
        if number is not None and self.options:
            index = number - 1
            if 0 <= index < len(self.options):
                return ChoiceEvent(value=self.options[index], **base)
        return MessageEvent(text=text, addressed=addressed or self.chat is None, **base)

    async def handle_line(self, line: str) -> bool:
        text = line.strip()
        if not self.interactive and text:
            where = f"#{self.chat}" if self.chat else DM_CHAT
            self._print(f"> {self.user_id}@{where}: {text}")
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            if name.lower() in CONTROL:
                return await self._control(CONTROL[name.lower()], args)
        number = _choice_number(text)
        if number is not None and self.options and not 1 <= number <= len(self.options):
            await self._say(Msg("console.bad_number", max=len(self.options)))
            return True
        event = self.to_event(text)
        if event is not None:
            self._last = event
            await self.app.handle(event, self)
        return True

    async def _read(self) -> str | None:
        if self.interactive:
            where = f"#{self.chat}" if self.chat else DM_CHAT
            try:
                return await asyncio.to_thread(input, f"{self.user_id}@{where}> ")
            except EOFError:
                return None
        line = await asyncio.to_thread(self.stdin.readline)
        return line if line else None

    async def run(self) -> None:
        await self._resume_clock()
        if self.interactive:
            await self._say(Msg("console.banner", user=self.display, place=self._place()))
        while True:
            line = await self._read()
            if line is None:
                break
            if not await self.handle_line(line.rstrip("\r\n")):
                break
        if self.interactive:
            await self._say(Msg("console.bye"))


def addressed_to_bot(text: str) -> tuple[bool, str]:
    """``@leerteam ja`` or ``Leerteam, wat kan je?``: addressed to the bot (the name removed)."""
    lowered = text.lower()
    for name in BOT_NAMES:
        if lowered.startswith(name) and not lowered[len(name):len(name) + 1].isalnum():
            return True, text[len(name):].strip().lstrip(",:").strip()
    return False, text


def _choice_number(text: str) -> int | None:
    """A typed option number: ASCII digits only (so '²' is just text, not a crash)."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None
