"""Whom a message in a group answers: the update it answers (:class:`Origin`), and how an answer
meant for one person (``Address.for_person``) says so on Telegram."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telegram import ReplyParameters

from bot.core.delivery import Outgoing
from prompts.markup import Markup, escape


@dataclass(frozen=True)
class Origin:
    """Where the update being answered came from (for reply-to and the group note)."""

    chat_id: int
    message_id: int | None
    user_id: int
    user_name: str
    private: bool


def for_person(out: Outgoing, chat_id: int, origin: Origin | None) -> tuple[Any, ReplyParameters | None]:
    """The body to send and what it replies to: an answer for one person in a group is a reply to
    their message; where there is none to reply to (they pressed a button, whose message is the
    bot's own) it starts with a mention of them instead."""
    reply: Any = out.reply  # Text, Choices or Ask: what has a body
    body, person = reply.body, out.address.for_person
    if person is None:
        return body, None
    if (origin is not None and origin.message_id and origin.chat_id == chat_id
            and str(origin.user_id) == person.user_id):
        return body, ReplyParameters(origin.message_id, allow_sending_without_reply=True)
    label = escape(re.sub(r"[\]\n]", " ", person.name))
    return Markup(f"[{label}](tg://user?id={escape(person.user_id)}): {body}"), None
