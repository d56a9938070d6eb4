"""Teams activities (as Bot Framework JSON) -> platform-neutral events. No SDK, no network here.

The mapping (issue 19):

- a Teams *team* (its tenant and team id) is a school's workspace: ``ChatRef.workspace_id``;
- a *channel* (or a group chat) is a leerteam's chat: ``ChatRef.chat_id`` is the channel id,
  without the ``;messageid=`` of the thread the post was written in;
- a *personal* conversation is the private chat; its ``chat_id`` is the person's own id, so the
  core's private chat is the same on every send (the long conversation id lives in the database);
- a person is their Microsoft Entra object id (``aadObjectId``), else the Teams user id.

In a channel the bot only hears posts that @mention it; the mention (``<at>Leerteam</at>``) is
cut out before the text is read. Commands are typed ``/naam argumenten`` or, as Teams' command
menu inserts them, ``naam argumenten`` without the slash; :func:`read_text` decides which.
A card's submitted data (``value``) becomes a :class:`ChoiceEvent` or :class:`AnswerEvent`:
untrusted, like every button, and re-checked by the core.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.events import AnswerEvent, ChatRef, ChoiceEvent, CommandEvent, Event, MessageEvent, UserRef

PLATFORM = "teams"
CHOICE_KEY = "leerteam"  # Action.Submit data of a choice: {"leerteam": <the option's value>}
ANSWER_KEY = "leerteam_answer"  # Action.Submit data of a question: {"leerteam_answer": <question id>}
ANSWER_INPUT = "answer"  # the Input.Text whose text is the answer
MAX_CHAT_ID = 64  # ChatLink.chat_id; longer Teams ids are shortened by a hash (see chat_key)
AT_TAG = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
HTML_TAG = re.compile(r"</?(?:p|div|span|br)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Where:
    """Where an activity happened, as stored for proactive messages (see :mod:`.store`)."""

    chat_key: str  # the core's chat id (channel) or the person's id (personal)
    conversation_id: str  # where to post: the channel (not the thread) or the personal chat
    thread_id: str  # the conversation the activity came in (a channel thread): replies go here
    kind: str  # personal | channel | groupChat
    service_url: str
    tenant_id: str
    bot_id: str
    team_id: str | None
    user_key: str | None  # the sender's id in the core
    teams_user_id: str | None  # the sender's Teams id (29:…), to open a personal chat later


def chat_key(conversation_id: str) -> str:
    """A Teams conversation id as the core's chat id (short ids as they are, long ones hashed)."""
    if len(conversation_id) <= MAX_CHAT_ID:
        return conversation_id
    return "h:" + hashlib.sha256(conversation_id.encode()).hexdigest()[:48]


def workspace_of(tenant_id: str, team_id: str) -> str:
    """The school's workspace for a Teams team: tenant and team together (fits SchoolLink's 64)."""
    return "t:" + hashlib.sha256(f"{tenant_id}/{team_id}".encode()).hexdigest()[:48]


def _get(data: Any, *path: str) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def where_of(activity: dict[str, Any]) -> Where | None:
    """The conversation reference of an activity, or None when it lacks what a reply needs."""
    conversation = activity.get("conversation") or {}
    conv_id = conversation.get("id")
    service_url = activity.get("serviceUrl")
    bot_id = _get(activity, "recipient", "id")
    if not conv_id or not service_url or not bot_id:
        return None
    kind = conversation.get("conversationType") or (
        "channel"
        if _get(activity, "channelData", "channel")
        else "groupChat"
        if conversation.get("isGroup")
        else "personal"
    )
    tenant = conversation.get("tenantId") or _get(activity, "channelData", "tenant", "id") or ""
    team_id = _get(activity, "channelData", "team", "id")
    sender = activity.get("from") or {}
    user_key = sender.get("aadObjectId") or sender.get("id")
    if kind == "channel":
        channel = _get(activity, "channelData", "channel", "id") or conv_id.split(";")[0]
        key, target = chat_key(channel), channel
    elif kind == "personal":
        if not user_key:
            return None
        key, target = user_key, conv_id
    else:
        key, target = chat_key(conv_id), conv_id
    return Where(key, target, conv_id, kind, service_url, tenant, bot_id, team_id, user_key, sender.get("id"))


def user_of(activity: dict[str, Any]) -> UserRef | None:
    sender = activity.get("from") or {}
    user_id = sender.get("aadObjectId") or sender.get("id")
    if not user_id:
        return None
    name = (sender.get("name") or "").strip() or user_id
    locale = activity.get("locale") or _get(activity, "entities")  # entities: a clientInfo locale
    if isinstance(locale, list):
        locale = next(
            (e.get("locale") for e in locale if isinstance(e, dict) and e.get("type") == "clientInfo"), None
        )
    return UserRef(PLATFORM, user_id, name[:80], handle=None, locale=locale or None)


def strip_mentions(text: str, entities: Any = (), bot_id: str | None = None) -> str:
    """The text without the bot's ``<at>…</at>`` mention and the little HTML Teams wraps posts in;
    a colleague's mention stays as ``@Naam`` (one word: the core finds them by their id)."""
    text = text or ""
    for entity in entities or ():
        mentioned = (
            entity.get("mentioned") if isinstance(entity, dict) and entity.get("type") == "mention" else None
        )
        shown = entity.get("text") if isinstance(entity, dict) else None
        if not isinstance(mentioned, dict) or not isinstance(shown, str) or not shown:
            continue
        is_bot = mentioned.get("id") == bot_id
        text = text.replace(shown, " " if is_bot else "@" + "".join((mentioned.get("name") or "").split()))
    text = AT_TAG.sub(" ", text)  # a mention without an entity: never read it as words
    text = HTML_TAG.sub(" ", text)
    return html.unescape(text).replace("\xa0", " ").strip()


def read_text(text: str, command_names: frozenset[str], waiting: bool) -> tuple[str, str] | None:
    """``(name, args)`` when the text is a command, else None (a message, maybe an answer).

    ``/naam …`` is always a command. Without the slash (Teams' command menu inserts the bare
    name) the first word is a command when it is one the bot knows, unless the bot is waiting
    for this person's answer here (``waiting``): then the whole text is the answer."""
    text = text.strip()
    if text.startswith("/") and len(text) > 1:
        head, _, rest = text[1:].partition(" ")
        if "\n" in head:
            head, _, more = head.partition("\n")
            rest = more + (" " + rest if rest else "")
        return head.lower(), rest.strip()
    head, _, rest = text.replace("\n", " \n", 1).partition(" ")
    if not waiting and head.lower() in command_names:
        return head.lower(), rest.strip()
    return None


def to_event(
    activity: dict[str, Any],
    now: datetime,
    command_names: frozenset[str],
    waiting: Callable[[str, bool], bool] = lambda user, private: False,
) -> Event | None:
    """The core event for a message activity, or None when it is not for Leerteam.

    ``waiting(user_id, private)`` says whether the core waits for this person's answer in this
    chat (a stored question); it decides whether a bare command word is a command or an answer."""
    if activity.get("type") != "message":
        return None
    where = where_of(activity)
    user = user_of(activity)
    event_id = activity.get("id")
    if where is None or user is None or not event_id:
        return None
    if _get(activity, "from", "role") == "bot" or user.user_id == where.bot_id:
        return None
    private = where.kind == "personal"
    workspace = workspace_of(where.tenant_id, where.team_id) if where.team_id else None
    title = _get(activity, "channelData", "channel", "name") or _get(activity, "conversation", "name")
    chat = ChatRef(PLATFORM, where.chat_key, private, None if private else (title or None), workspace)
    base: dict[str, Any] = {
        "event_id": str(event_id),
        "chat": chat,
        "user": user,
        "received_at": now,
        "raw": activity,
    }
    value = activity.get("value")
    if isinstance(value, dict) and (CHOICE_KEY in value or ANSWER_KEY in value):
        reply_to = activity.get("replyToId")
        if ANSWER_KEY in value:
            answer = value.get(ANSWER_INPUT)
            return AnswerEvent(
                question_id=str(value.get(ANSWER_KEY))[:32],
                text=answer.strip() if isinstance(answer, str) else "",
                **base,
            )
        choice = value.get(CHOICE_KEY)
        return ChoiceEvent(
            value=choice if isinstance(choice, str) else "",
            message_id=str(reply_to) if reply_to else None,
            **base,
        )
    text = strip_mentions(activity.get("text") or "", activity.get("entities"), where.bot_id)
    if not text and (private or not _mentions_bot(activity, where.bot_id)):
        return None
    if not text:  # only "@Leerteam": addressed to the bot, answered with what it can do here
        return MessageEvent(text="", addressed=True, **base)
    if not private and not _mentions_bot(activity, where.bot_id):
        return MessageEvent(text=text, **base)  # not addressed to the bot: only an answer, never a command
    command = read_text(text, command_names, waiting(user.user_id, private))
    if command is None:
        return MessageEvent(text=text, addressed=True, **base)  # a mention or a private chat
    name, args = command
    return CommandEvent(name=name, args=args, mentions=_mentions(activity, where.bot_id), **base)


def _mentions(activity: dict[str, Any], bot_id: str) -> tuple[UserRef, ...]:
    """People @mentioned in the command (other than the bot), as the core's users."""
    found: list[UserRef] = []
    for entity in activity.get("entities") or ():
        mentioned = (
            entity.get("mentioned") if isinstance(entity, dict) and entity.get("type") == "mention" else None
        )
        if not isinstance(mentioned, dict) or mentioned.get("id") in (None, bot_id):
            continue
        user_id = mentioned.get("aadObjectId") or mentioned.get("id")
        name = (mentioned.get("name") or user_id or "").strip()
        if user_id and all(u.user_id != user_id for u in found):
            found.append(UserRef(PLATFORM, user_id, name[:80]))
    return tuple(found)


def _mentions_bot(activity: dict[str, Any], bot_id: str) -> bool:
    return any(
        isinstance(e, dict) and e.get("type") == "mention" and _get(e, "mentioned", "id") == bot_id
        for e in activity.get("entities") or ()
    )
