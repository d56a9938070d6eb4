"""Slack payloads → the pieces of platform-neutral events (no Bolt, no network here).

Slack marks people, channels and links in text as ``<@U123|anna>``, ``<#C123|groep-3-4>``,
``<https://…|label>`` and escapes ``&``, ``<`` and ``>`` as entities. A slash command's text
arrives like that when the command is created with "escape channels, users, and links" (the
manifest's ``should_escape: true``): mentioned people become :class:`UserRef` mentions, so the
core finds a colleague by their Slack id rather than by a name that may be ambiguous.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from bot.core.events import UserRef

PLATFORM = "slack"
TOKEN = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
USER_ID = re.compile(r"^[UW][A-Z0-9]{1,40}$")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def readable(text: str, quote_names: bool = False) -> tuple[str, tuple[UserRef, ...]]:
    """Slack's marked-up text as a person reads it, plus the people it mentions (in a command's
    arguments, a name of several words is quoted: one person argument)."""
    mentions: list[UserRef] = []

    def swap(m: re.Match[str]) -> str:
        kind, target, label = m.group(1), m.group(2), m.group(3)
        if kind == "@" and USER_ID.match(target):
            name = (label or "").lstrip("@") or target
            if all(u.user_id != target for u in mentions):
                mentions.append(UserRef(PLATFORM, target, name, handle=label.lstrip("@") if label else None))
            return f'"@{name}"' if quote_names and " " in name else f"@{name}"
        if kind == "#":
            return f"#{label or target}"
        if kind == "!":
            special = (label or target).split("^")[0]
            return label if label else f"@{special}"
        return label or target  # a link: its text, else the address

    text = TOKEN.sub(swap, text)
    return unescape(text), tuple(mentions)


def without_bot_mention(text: str, bot_user: str | None) -> str:
    """An ``app_mention``'s text without the mention of the bot (``<@U0BOT> ja`` -> ``ja``): the bot's
    own token when its id is known, else the first user token (Slack puts the bot's mention there)."""
    pattern = rf"<@{re.escape(bot_user)}(?:\|[^>]*)?>" if bot_user else r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>"
    return re.sub(pattern, "", text, count=1).strip().lstrip(",:").strip()


def split_command(text: str) -> tuple[str, str, tuple[UserRef, ...]]:
    """``/leerteam voorzitter <@U1|bram> Groep 3-4`` → ("voorzitter", "@bram Groep 3-4", (bram,))."""
    clean, mentions = readable(text or "", quote_names=True)
    clean = clean.strip()
    name, _, args = clean.partition(" ")
    if not name and not args:
        return "", "", mentions
    name = name.split("\n")[0]
    args = (clean[len(name):]).strip()
    return name.lstrip("/").lower(), args, mentions


def is_direct(channel_id: str | None, channel_name: str | None = None) -> bool:
    """A direct message (with the bot, or for a slash command typed in any DM)."""
    if channel_name == "directmessage":
        return True
    return bool(channel_id) and str(channel_id)[0] in "DUW"


def request_key(kind: str, body: dict[str, Any], *fields: str) -> str:
    """A per-invocation id that is the same on Slack's redeliveries: a field Slack sets once
    (``trigger_id``, ``view.id``, ``event_id``), else a hash of the body."""
    for field in fields:
        value: Any = body
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value:
            return f"{kind}:{value}"[:128]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:{digest[:40]}"


def answer_value(question_id: str, lang: str, multiline: bool, question: str) -> str:
    """The answer button's value: which question, in which language, and its text for the modal.
    Like every value from a client it is untrusted: the answer is matched to the person's own open
    question in the database, whatever the value says."""
    from bot.transports.slack.render import MAX_VALUE, chunks

    data: dict[str, Any] = {"q": question_id, "l": lang, "m": multiline, "t": question}
    limit = len(question)
    while len(value := json.dumps(data, ensure_ascii=False, separators=(",", ":"))) > MAX_VALUE - 10:
        limit = max(0, min(limit - 50, int(limit * 0.9)))
        data["t"] = ((chunks(question, limit) or [""])[0] + "…") if limit > 0 else ""
    return value


def parse_json(value: str | None) -> dict[str, Any]:
    try:
        data = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
