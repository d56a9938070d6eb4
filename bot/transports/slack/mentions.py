"""``@Leerteam …`` in a channel (Slack's ``app_mention`` event): addressed to the bot, so it always
gets an answer — a command (``@Leerteam /hulp``), an answer to a question, or (from the core) a
short "what I can do here". Ordinary channel messages are not delivered to the app at all. It
uses the transport's own helpers (who is asking, the chat, dispatching), as its methods do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.events import CommandEvent, MessageEvent
from bot.transports.slack.inbound import is_direct, readable, request_key, split_command, without_bot_mention
from bot.transports.slack.outbound import Caller

if TYPE_CHECKING:
    from bot.transports.slack.transport import SlackTransport


def authorized_bot(body: dict[str, Any]) -> str | None:
    """The bot's own user id as the Events API names it (``authorizations[0].user_id``)."""
    for auth in body.get("authorizations") or ():
        if isinstance(auth, dict) and auth.get("is_bot") is not False and auth.get("user_id"):
            return str(auth["user_id"])
    return None


async def on_mention(slack: SlackTransport, body: dict[str, Any]) -> None:
    """One ``app_mention``: a CommandEvent when the text after the mention starts with ``/``, else a
    MessageEvent marked as addressed to the bot."""
    event = body.get("event") or {}
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return
    user_id = str(event["user"])
    channel = str(event.get("channel") or user_id)
    caller = Caller(user_id, channel, None)
    user = await slack._who(caller, [event.get("user_team")])
    if user is None:
        return
    raw_text = without_bot_mention(str(event.get("text") or ""), authorized_bot(body))
    base: dict[str, Any] = {"event_id": request_key("ev", body, "event_id"),
                            "chat": slack._chat(channel, is_direct(channel), None),
                            "user": user, "received_at": slack.app.clock.now(), "raw": body}
    if raw_text.startswith("/") and len(raw_text) > 1:
        name, args, mentions = split_command(raw_text[1:])
        await slack._dispatch(CommandEvent(name=name, args=args, mentions=mentions, **base), caller)
        return
    text, _ = readable(raw_text)
    await slack._dispatch(MessageEvent(text=text, addressed=True, **base), caller)
