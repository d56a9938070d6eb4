"""Platform-neutral inbound events.

A transport turns each platform update into one of these and nothing else; the rest of the bot
never sees a Slack or Telegram payload (``raw`` keeps it only as an escape hatch for logging,
like opsdroid's ``raw_event``). ``event_id`` is the platform's own id (Slack ``event_id`` or a
hash of a slash-command/interaction, Telegram ``update_id``) so redeliveries can be recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class UserRef:
    platform: str
    user_id: str
    display_name: str
    handle: str | None = None  # @username on Telegram, the name typed in the console
    locale: str | None = None  # the client's language, e.g. Telegram's language_code


@dataclass(frozen=True)
class ChatRef:
    platform: str
    chat_id: str
    is_private: bool
    title: str | None = None
    workspace_id: str | None = None  # Slack workspace, the console's single workspace
    join_link: str | None = None  # a link that joins the school whose code fills {code} (Telegram deep link)


@dataclass(frozen=True, kw_only=True)
class Event:
    event_id: str
    chat: ChatRef
    user: UserRef
    received_at: datetime
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def platform(self) -> str:
        return self.chat.platform


@dataclass(frozen=True, kw_only=True)
class MessageEvent(Event):
    """Plain text that is not a command (may answer a pending question). ``addressed``: the
    transport saw it was meant for the bot (a mention, a reply to the bot, a private chat), so it
    gets an answer even when it answers nothing; ordinary chatter in a group stays unanswered."""

    text: str
    addressed: bool = False


@dataclass(frozen=True, kw_only=True)
class CommandEvent(Event):
    """``/name args``; ``mentions`` are users the platform marked in the arguments."""

    name: str
    args: str = ""
    mentions: tuple[UserRef, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ChoiceEvent(Event):
    """A button or numbered option pressed; ``value`` came from a client and is untrusted."""

    value: str
    message_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerEvent(Event):
    """A free-text answer to a question the bot asked (e.g. a submitted Slack modal)."""

    question_id: str
    text: str
