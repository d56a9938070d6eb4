"""Telegram updates -> platform-neutral events (and nothing else).

The update id is the event id, so the dispatcher recognises Telegram's redeliveries. Commands
may be addressed as ``/cmd@thisbot``; a command for another bot, or one we do not know typed in a
group (it may be meant for another bot there), is left alone. ``/start`` is Telegram's way into
a private chat; its payload (from a deep link) decides what happens (see :mod:`.payloads`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import Chat, Message, MessageEntity, Update, User

from bot.core.events import ChatRef, ChoiceEvent, CommandEvent, Event, MessageEvent, UserRef
from bot.transports.telegram.payloads import RESUME, decode_callback, decode_start

PLATFORM = "telegram"
HELP = "help"  # the English name of the help command (either language's name works)


@dataclass(frozen=True)
class BotInfo:
    username: str  # without @
    command_names: frozenset[str]  # every typed command name, both languages

    @property
    def join_link(self) -> str:
        return f"https://t.me/{self.username}?start=join-{{code}}"

    def deep_link(self, payload: str) -> str:
        return f"https://t.me/{self.username}?start={payload}"


def user_ref(user: User) -> UserRef:
    return UserRef(PLATFORM, str(user.id), (user.full_name or str(user.id))[:80],
                   handle=user.username or None, locale=user.language_code or None)


def chat_ref(chat: Chat, bot: BotInfo) -> ChatRef:
    private = chat.type == Chat.PRIVATE
    title = None if private else (chat.title or None)
    return ChatRef(PLATFORM, str(chat.id), private, title, None, join_link=bot.join_link)


def _mentions(message: Message, start: int) -> tuple[UserRef, ...]:
    """People marked in the arguments with a text mention (users without a @username)."""
    found = []
    for entity in message.entities or ():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.offset >= start:
            found.append(user_ref(entity.user))
    return tuple(found)


def _quote_mentions(message: Message, args: str) -> str:
    """A text mention covering several words ("Anna de Vries", picked from the mention list) is one
    person argument: quoted, as a person would quote it (bot.core.commands.split_args)."""
    for entity in message.entities or ():
        if entity.type != MessageEntity.TEXT_MENTION:
            continue
        span = message.parse_entity(entity)  # Telegram counts UTF-16 units; this reads the words
        if " " in span and f'"{span}"' not in args and span in args:
            args = args.replace(span, f'"{span}"', 1)
    return args


def _strip_bot_mention(text: str, username: str) -> tuple[bool, str]:
    """Whether the text mentions ``@username`` (Telegram's mention is the typed @name), and the
    text without it: ``@leerteambot ja`` is ``ja``, addressed to the bot."""
    found = re.search(rf"@{re.escape(username)}\b", text, flags=re.IGNORECASE)
    if found is None:
        return False, text
    rest = (text[:found.start()] + text[found.end():]).strip().lstrip(",:").strip()
    return True, rest


def _replies_to_bot(message: Message, username: str) -> bool:
    """A reply to one of the bot's own messages is addressed to the bot."""
    original = message.reply_to_message
    author = original.from_user if original is not None else None
    return author is not None and author.is_bot and (author.username or "").lower() == username.lower()


def to_event(update: Update, bot: BotInfo, now: datetime) -> Event | None:
    """The core event for this update, or None when it is not for us."""
    base_user = update.effective_user
    if base_user is None or base_user.is_bot:
        return None
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is None:
            return None
        return ChoiceEvent(
            event_id=str(update.update_id),
            chat=chat_ref(message.chat, bot),
            user=user_ref(query.from_user),
            received_at=now,
            raw=update,
            value=decode_callback(query.data),
            message_id=str(message.message_id),
        )
    message = update.message
    if message is None or message.text is None or message.via_bot is not None:
        return None  # edits, channel posts, service messages, photos without text, inline results
    base: dict[str, Any] = {
        "event_id": str(update.update_id),
        "chat": chat_ref(message.chat, bot),
        "user": user_ref(base_user),
        "received_at": now,
        "raw": update,
    }
    text = message.text
    private = message.chat.type == Chat.PRIVATE
    if not text.startswith("/") or len(text) < 2:
        mentioned, text = _strip_bot_mention(text, bot.username)
        if not (mentioned and text.startswith("/") and len(text) > 1):
            addressed = private or mentioned or _replies_to_bot(message, bot.username)
            return MessageEvent(text=text, addressed=addressed, **base)
        head, _, rest = text[1:].partition(" ")  # "@leerteambot /hulp": a command for this bot
        text = f"/{head.partition('@')[0]}@{bot.username} {rest}".rstrip()
    head, _, rest = text[1:].partition(" ")
    if "\n" in head:  # "/cmd\nargs": the first line break ends the name too
        head, _, more = head.partition("\n")
        rest = more + (" " + rest if rest else "")
    name, at, addressee = head.partition("@")
    addressed = bool(at) and addressee.lower() == bot.username.lower()
    if at and not addressed:
        return None  # /cmd@otherbot
    name = name.lower()
    args = _quote_mentions(message, rest.strip())
    if name == "start":
        if not private:
            return CommandEvent(name=HELP, **base)
        return ChoiceEvent(value=decode_start(args) if args else RESUME, **base)
    if not private and not addressed and name not in bot.command_names:
        return None  # in a group, an unknown bare /cmd may well be another bot's
    return CommandEvent(name=name, args=args, mentions=_mentions(message, len(head) + 1), **base)
