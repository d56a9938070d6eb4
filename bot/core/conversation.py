"""One conversation state per person and chat: what the bot waits for, in order, one at a time.

A person can have several things the bot waits for at once (the notes of a meeting, a poll, a
form, a wall idea). They form a durable queue (``PendingQuestion`` rows, ordered by id) per
person, platform and chat; exactly one is *shown*. A free-text reply only ever answers what the
person was last shown: the numbered options of a menu if those came last (a row of kind
:data:`MENU`), else the shown question. Nothing is silently replaced: a question the bot starts
on its own while another is shown waits its turn and is asked right after.

Why here and not in a transport: Telegram, Slack, Teams and the console must route a typed ``1``
or ``ja`` the same way, and the routing must survive a restart, so it lives in the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from prompts.markup import plain
from storage.models import PendingQuestion

MENU = "_menu"  # PendingQuestion.kind of the numbered options last shown in a chat
QUEUE_KEY = "_queue"  # Ask.payload: this question is already in the queue (asked again), row id
GROUP_MENU_LIFETIME = timedelta(hours=24)  # a number typed in a group a day later is chatter again

_YES = {"ja", "j", "jawel", "jazeker", "yes", "y", "ok", "oké", "okay"}
_NO = {"nee", "neen", "n", "no", "nope"}


def digits_to_ascii(text: str) -> str:
    """One rule for digits everywhere: any Unicode decimal digit (Arabic-Indic, full-width, …) is
    read as its ASCII digit; other digit-like characters (``²``, ``①``) stay text."""
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in text)


def _word(text: str) -> str:
    return re.sub(r"[\s.!?,;:]+$", "", text.strip()).casefold()


def pick(text: str, labels: Sequence[str]) -> int | None:
    """Which option (0-based) a typed reply chooses: its number, ``ja``/``nee`` for a yes/no
    question, or the option's label itself; None if it fits none."""
    word = _word(digits_to_ascii(text))
    if re.fullmatch(r"[0-9]{1,6}", word):
        number = int(word)
        return number - 1 if 1 <= number <= len(labels) else None
    folded = [_word(label) for label in labels]
    if word in folded:
        return folded.index(word)
    for words in (_YES, _NO):
        if word in words:
            hits = [i for i, label in enumerate(folded) if label.split(" ")[0].strip("*") in words]
            if len(hits) == 1:
                return hits[0]
    return None


def looks_like_choice(text: str) -> bool:
    """A bare number or yes/no: in a group under the bot's options, meant for the bot."""
    word = _word(digits_to_ascii(text))
    return bool(re.fullmatch(r"[0-9]{1,6}", word)) or word in _YES or word in _NO


def chat_key(private: bool, chat_id: str | None, private_chat: str) -> str:
    return private_chat if private or not chat_id else chat_id


async def asks_of(session: AsyncSession, member_id: int, platform: str, chat: str) -> list[PendingQuestion]:
    """The person's questions waiting in this chat, oldest first (the shown one among them)."""
    stmt = select(PendingQuestion).where(
        PendingQuestion.member_id == member_id, PendingQuestion.platform == platform,
        PendingQuestion.chat_id == chat, PendingQuestion.kind != MENU,
    ).order_by(col(PendingQuestion.id))
    return list((await session.exec(stmt)).all())


async def menu_of(session: AsyncSession, member_id: int | None, platform: str,
                  chat: str) -> PendingQuestion | None:
    stmt = select(PendingQuestion).where(
        PendingQuestion.platform == platform, PendingQuestion.chat_id == chat, PendingQuestion.kind == MENU,
    )
    if member_id is None:
        stmt = stmt.where(col(PendingQuestion.member_id).is_(None))
    else:
        stmt = stmt.where(PendingQuestion.member_id == member_id)
    return (await session.exec(stmt.order_by(col(PendingQuestion.id).desc()))).first()


async def drop_menu(session: AsyncSession, member_id: int | None, platform: str, chat: str) -> bool:
    found = await menu_of(session, member_id, platform, chat)
    if found is not None:
        await session.delete(found)
        await session.flush()
    return found is not None


def group_menu_fresh(menu: PendingQuestion, now: datetime) -> bool:
    return now - menu.asked_at <= GROUP_MENU_LIFETIME


def menu_labels(menu: PendingQuestion) -> list[str]:
    return [str(label) for label in menu.payload.get("labels", [])]


def menu_value(menu: PendingQuestion, index: int) -> str:
    return str(menu.payload.get("options", [])[index])


def is_blocking(menu: PendingQuestion | None) -> bool:
    """Options that must be answered before anything else typed counts (a poll's question);
    a closing menu (``Choices.optional``) lets the waiting question come first."""
    return menu is not None and not menu.payload.get("optional", False)


async def show_menu(session: AsyncSession, owner: int | None, platform: str, chat: str,
                    values: Sequence[str], labels: Sequence[Any], optional: bool, now: datetime) -> None:
    """Numbered options were just shown: they replace the options shown before in that chat (in
    place, so the same options shown again change nothing)."""
    payload = {"options": list(values), "labels": [plain(label) for label in labels], "optional": optional}
    row = await menu_of(session, owner, platform, chat)
    if row is None:
        row = PendingQuestion(member_id=owner, platform=platform, chat_id=chat, kind=MENU, asked_at=now,
                              shown=True, payload=payload)
    elif row.payload != payload or row.asked_at != now:
        row.payload, row.asked_at = payload, now
    session.add(row)
    await session.flush()


def _same(row: PendingQuestion, kind: str, payload: dict[str, Any], prompt_key: str) -> bool:
    return row.kind == kind and {k: v for k, v in row.payload.items() if k != prompt_key} == payload


async def enqueue(session: AsyncSession, owner: int, platform: str, chat: str, kind: str,
                  payload: dict[str, Any], prompt: str, *, by_owner: bool, now: datetime,
                  prompt_key: str) -> tuple[PendingQuestion, bool]:
    """Put a question in the person's queue; returns the row and whether it is shown now.

    A question the person asked for themselves (their own command) is shown at once, and the one
    shown before waits again; one the bot starts on its own waits while another is shown."""
    queue = await asks_of(session, owner, platform, chat)
    again = payload.pop(QUEUE_KEY, None)
    row = next((r for r in queue if r.id == again), None) if again is not None else None
    if row is None:
        row = next((r for r in queue if _same(r, kind, payload, prompt_key)), None)
    menu = await menu_of(session, owner, platform, chat)
    busy = any(r.shown for r in queue if r is not row) or is_blocking(menu)
    show = by_owner or again is not None or not busy or (row is not None and row.shown)
    if row is None:
        row = PendingQuestion(member_id=owner, platform=platform, chat_id=chat, kind=kind, asked_at=now,
                              payload={**payload, prompt_key: prompt}, shown=False)
    else:
        row.payload = {**payload, prompt_key: prompt}
    if show:
        for other in queue:
            if other is not row and other.shown:
                other.shown = False
                session.add(other)
        row.shown = True
        await drop_menu(session, owner, platform, chat)
    session.add(row)
    await session.flush()
    return row, show


def next_in_line(queue: list[PendingQuestion]) -> PendingQuestion | None:
    """The question to ask now: the shown one, else the oldest waiting."""
    return next((r for r in queue if r.shown), queue[0] if queue else None)
