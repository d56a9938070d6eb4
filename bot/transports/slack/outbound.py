"""Slack, outbound: replies become Web API calls (see ``transport.py`` for the rules).

Each kind of reply has one way out, chosen through one table by its type (:data:`SlackOutbound._SEND`),
and each message kind its blocks (:data:`SlackOutbound._BLOCKS`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.core.delivery import DeliveryFailed, Outgoing, SentRef
from bot.core.replies import Ask, Choices, Document, Edit, Here, Image, Private, Text
from bot.transports.slack.inbound import PLATFORM, answer_value, is_direct
from bot.transports.slack.render import Renderer
from bot.transports.slack.split import MAX_BLOCKS, fallback_of, message_groups
from prompts.catalog import Msg
from prompts.markup import Markup

if TYPE_CHECKING:
    from bot.app import Leerteam

log = logging.getLogger(__name__)

MESSAGE_FLAGS: dict[str, Any] = {"parse": "none", "link_names": False}
POST_FLAGS: dict[str, Any] = {**MESSAGE_FLAGS, "unfurl_links": False, "unfurl_media": False}
TIMEOUT = 30  # seconds a Web API call is waited for: a slow answer is waited for, not sent again
# Slack errors that mean the bot cannot post there, now or later (the delivery contract)
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found",
    "cannot_dm_bot", "restricted_action", "team_access_not_granted", "invalid_auth", "token_revoked",
    "user_disabled", "ekm_access_denied", "no_permission", "missing_scope",
})


def delivery_failed(exc: SlackApiError) -> DeliveryFailed:
    """Slack's error code as the core's delivery outcome (``ratelimited`` and 5xx: for now)."""
    code = str(exc.response.get("error") or "")
    status = getattr(exc.response, "status_code", None)
    return DeliveryFailed(permanent=code in PERMANENT, reason=code or str(exc)[:200], status=status)


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry a dropped connection once, and a 429 after its ``Retry-After`` up to five times.

    Server errors (5xx) are *not* retried: Slack may have posted the message already, and a retry
    would show it twice."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncRateLimitErrorRetryHandler(max_retry_count=5),
    ]


@dataclass(frozen=True)
class Caller:
    """Who caused the event and where, so replies to them can be placed the Slack way."""

    user_id: str
    channel_id: str
    response_url: str | None = None


class SlackOutbound:
    """The sending half of :class:`bot.transports.slack.transport.SlackTransport`."""

    app: Leerteam
    client: AsyncWebClient
    renderer: Renderer

    def _text_blocks(self, reply: Text, lang: str, question_id: str | None) -> list[dict[str, Any]]:
        return self.renderer.text_blocks(Markup(reply.body))

    def _choice_blocks(self, reply: Choices, lang: str, question_id: str | None) -> list[dict[str, Any]]:
        return self.renderer.choice_blocks(
            Markup(reply.body), [(Markup(o.label), o.value) for o in reply.options]
        )

    def _ask_blocks(self, reply: Ask, lang: str, question_id: str | None) -> list[dict[str, Any]]:
        r, body = self.renderer, Markup(reply.body)
        if not question_id:
            return r.text_blocks(body)
        button = r.plain(self.app.catalog.render(Msg("slack.answer.button"), lang))
        return r.ask_blocks(body, button, answer_value(question_id, lang, reply.multiline, r.mrkdwn(body)))

    def _payload(self, reply: Any, lang: str, question_id: str | None = None) -> dict[str, Any]:
        blocks = self._BLOCKS[type(reply)](self, reply, lang, question_id)
        body = Markup(reply.body)
        r = self.renderer
        payload: dict[str, Any] = {"text": r.fallback(body) or "…"}
        if blocks:  # Slack refuses an empty list of blocks
            payload["blocks"] = blocks
        return payload

    def _place(self, out: Outgoing, caller: Caller | None) -> tuple[str, str | None, str | None]:
        """("dm", user) | ("post", channel) | ("ephemeral", channel, user)."""
        addr = out.address
        if addr.chat_id is None:
            return "dm", addr.user_id, addr.user_id
        if is_direct(addr.chat_id):
            return "post", addr.chat_id, addr.user_id
        if addr.private and addr.user_id:
            return "ephemeral", addr.chat_id, addr.user_id
        target = getattr(out.reply, "target", None)
        to_caller = isinstance(target, (Here, Private)) or getattr(out, "is_error", False)
        if to_caller and caller is not None and caller.user_id and caller.channel_id == addr.chat_id:
            return "ephemeral", addr.chat_id, caller.user_id
        return "post", addr.chat_id, None

    async def send(self, out: Outgoing, caller: Caller | None = None) -> SentRef | None:
        """Delivers, or raises :class:`DeliveryFailed` (the core's contract)."""
        try:
            return await self._SEND[type(out.reply)](self, out, caller)
        except SlackApiError as exc:
            raise delivery_failed(exc) from None

    async def can_post(self, chat_id: str) -> bool | None:
        """A channel: is the bot a member (conversations.info)? None when Slack cannot tell."""
        if is_direct(chat_id) or chat_id[:1] in "UW":
            return None
        try:
            resp = await self.client.conversations_info(channel=chat_id)
        except SlackApiError as exc:
            return False if delivery_failed(exc).permanent else None
        channel = resp.get("channel") or {}
        if channel.get("is_archived"):
            return False
        if channel.get("is_member") or channel.get("is_private") is False:
            return True  # a member, or a public channel (the app may post there with chat:write.public)
        return False if "is_member" in channel else None

    async def _send_file(self, out: Outgoing, caller: Caller | None) -> SentRef | None:
        how, channel, user = self._place(out, caller)
        await self._upload(out.reply, how, channel, user)
        return None  # a file cannot be edited later

    async def _send_message(self, out: Outgoing, caller: Caller | None) -> SentRef | None:
        how, channel, user = self._place(out, caller)
        first: SentRef | None = None
        person = out.address.for_person
        for n, payload in enumerate(self._payloads(out.reply, out.lang, out.question_id)):
            if how == "ephemeral":
                await self._ephemeral(str(channel), str(user), payload, caller)
                continue  # ephemeral messages cannot be edited with chat.update
            if n == 0 and person is not None and how == "post" and channel is not None \
                    and not is_direct(str(channel)):
                payload = _mention(payload, person.user_id)  # visible to all: it names whom it answers
            ref = await self._post(str(channel), payload, caller, user)
            first = ref if n == 0 else first  # an edit later replaces the first part
        return first

    def _payloads(self, reply: Any, lang: str, question_id: str | None) -> list[dict[str, Any]]:
        """One payload, or several when a text needs more than Slack's 50 blocks (split.py): the
        parts in order, a Choices' buttons under the last part."""
        if not isinstance(reply, (Text, Choices)):
            return [self._payload(reply, lang, question_id)]
        r = self.renderer
        body = r.all_blocks(Markup(reply.body))
        extra = [] if isinstance(reply, Text) else [
            b for b in self._choice_blocks(reply, lang, question_id) if b.get("type") == "actions"]
        groups = message_groups(body)
        if len(groups) <= 1 and len(body) + len(extra) <= MAX_BLOCKS:
            return [self._payload(reply, lang, question_id)]
        if extra and len(groups[-1]) + len(extra) > MAX_BLOCKS:
            groups.append([])
        if extra:
            groups[-1] += extra
        return [{"text": fallback_of(g), "blocks": g} for g in groups]

    async def _post(self, channel: str, payload: dict[str, Any], caller: Caller | None,
                    user: str | None) -> SentRef | None:
        try:
            resp = await self.client.chat_postMessage(channel=channel, **payload, **POST_FLAGS)
        except SlackApiError as exc:
            # A slash command typed in a DM between two people: the bot cannot post there.
            if (
                caller is not None
                and user == caller.user_id
                and channel == caller.channel_id
                and channel != user
            ):
                log.info("chat.postMessage to %s failed (%s); answering the caller another way",
                         channel, exc.response.get("error"))
                return await self._to_caller(payload, caller)
            raise
        return SentRef(PLATFORM, str(resp.get("channel") or channel), str(resp["ts"]))

    async def _ephemeral(
        self, channel: str, user: str, payload: dict[str, Any], caller: Caller | None
    ) -> None:
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user, **payload, **MESSAGE_FLAGS)
        except SlackApiError as exc:
            if exc.response.get("error") == "ratelimited":
                raise
            # The bot is not in this channel (or it is private): use the command's response_url,
            # else a DM, so the reply still reaches only this person.
            log.info("chat.postEphemeral in %s failed (%s)", channel, exc.response.get("error"))
            await self._to_caller(
                payload,
                caller
                if caller and caller.user_id == user and caller.channel_id == channel
                else Caller(user, user, None),
            )

    async def _to_caller(self, payload: dict[str, Any], caller: Caller) -> SentRef | None:
        if caller.response_url:
            hook = AsyncWebhookClient(caller.response_url, retry_handlers=retry_handlers())
            answered = await hook.send(
                text=payload["text"],
                blocks=payload.get("blocks"),
                response_type="ephemeral",
                replace_original=False,
                unfurl_links=False,
                unfurl_media=False,
            )
            if answered.status_code != 200:
                raise RuntimeError(f"response_url answered {answered.status_code}")
            return None
        resp = await self.client.chat_postMessage(channel=caller.user_id, **payload, **POST_FLAGS)
        return SentRef(PLATFORM, str(resp.get("channel") or caller.user_id), str(resp["ts"]))

    async def _edit(self, out: Outgoing, caller: Caller | None = None) -> SentRef | None:
        addr = out.address
        edit: Any = out.reply  # an Edit: the table's key
        payload = self._payload(edit.replacement, out.lang)
        await self.client.chat_update(
            channel=str(addr.chat_id), ts=str(addr.message_id), **payload, **MESSAGE_FLAGS
        )
        return SentRef(PLATFORM, str(addr.chat_id), str(addr.message_id))

    async def _dm_channel(self, user: str) -> str:
        resp = await self.client.conversations_open(users=user)
        return str(resp["channel"]["id"])

    async def _upload(self, reply: Any, how: str, channel: str | None, user: str | None) -> None:
        """Images (and files) with files_upload_v2. Files cannot be ephemeral: one meant for a
        single person in a channel goes to their DM instead."""
        if how != "post" or channel is None:
            channel = await self._dm_channel(str(user or channel))
        elif channel[0] in "UW":
            channel = await self._dm_channel(channel)
        data = reply.png if isinstance(reply, Image) else reply.data
        caption = getattr(reply, "caption", None)
        alt = getattr(reply, "alt_text", None)
        kwargs: dict[str, Any] = {
            "channel": channel,
            "file": data,
            "filename": reply.filename,
            "title": self.renderer.plain(Markup(caption))[:250] if caption else reply.filename,
        }
        if caption:
            kwargs["initial_comment"] = self.renderer.fallback(Markup(caption))
        if alt:
            kwargs["alt_txt"] = self.renderer.plain(Markup(alt))[:1000]
        await self.client.files_upload_v2(**kwargs)
        return None

    _SEND: dict[type, Callable[[Any, Outgoing, Any], Awaitable[SentRef | None]]] = {
        Text: _send_message, Choices: _send_message, Ask: _send_message,
        Image: _send_file, Document: _send_file, Edit: _edit,
    }
    _BLOCKS: dict[type, Callable[[Any, Any, str, str | None], list[dict[str, Any]]]] = {
        Text: _text_blocks, Choices: _choice_blocks, Ask: _ask_blocks,
    }


def _mention(payload: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The message, starting with a mention of the person it answers (``Address.for_person``)."""
    tag = f"<@{re.sub(r'[^A-Z0-9]', '', user_id.upper())}>"
    out = {**payload, "text": f"{tag} {payload['text']}"}
    blocks = [dict(b) for b in payload.get("blocks", [])]
    first = next((b for b in blocks if b.get("type") == "section" and isinstance(b.get("text"), dict)), None)
    if first is not None:
        first["text"] = {**first["text"], "text": f"{tag} {first['text']['text']}"}
        out["blocks"] = blocks
    return out
