"""Slack as a pure transport: payloads in, platform-neutral events to the core, replies out.

Inbound, every listener acknowledges at once (Slack wants an answer within 3 seconds) and does the
work afterwards in a Bolt *lazy listener*: look the person up, check they belong to this
workspace, build the event and hand it to :meth:`bot.app.Leerteam.handle`. Each invocation gets
an event id that Slack keeps on its redeliveries (``event_id``, ``trigger_id``, the modal's view
id), so the dispatcher's processed-event key drops duplicates, ``X-Slack-Retry-Num`` included.

Outbound, replies become Web API calls:

- a reply to the person who typed the command or pressed the button, in a channel, is an
  ephemeral message (Slack's convention for slash commands; ``Private`` replies always are);
  where the bot is not in the channel the command's ``response_url`` is used, else a DM;
- a reply for a team's channel (``TeamChat``) is posted visibly; ``DirectTo`` is a DM;
- choices are buttons whose values the dispatcher re-checks; a question is a message with a
  button that opens a modal; images and files go through ``files_upload_v2``; ``Edit`` is
  ``chat.update``;
- the Web API client retries on HTTP 429 after ``Retry-After`` (slack_sdk's retry handler), so a
  rate-limited message still arrives, once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Leerteam
from bot.core.config import Settings
from bot.core.delivery import Address, DeliveryFailed, Outgoing, SentRef
from bot.core.events import AnswerEvent, ChatRef, ChoiceEvent, CommandEvent, Event, MessageEvent, UserRef
from bot.core.replies import PRIVATE, Choices, Here, Private, Text
from bot.transports.slack.inbound import (
    PLATFORM,
    is_direct,
    parse_json,
    readable,
    request_key,
    split_command,
)
from bot.transports.slack.outbound import Caller, SlackOutbound
from bot.transports.slack.render import ANSWER_BLOCK, ANSWER_INPUT, MAX_HOME_BLOCKS, Renderer
from prompts.catalog import LANGUAGES, Msg, normalize_language
from prompts.markup import Markup

log = logging.getLogger(__name__)

HOME_COMMAND = "home"  # the hidden core command that builds a person's overview (handlers/home.py)
USER_TTL = 300.0  # seconds a users.info answer is reused (names and locales change rarely)
USER_CACHE = 2000


class SlackTransport(SlackOutbound):
    platform = PLATFORM

    def __init__(self, app: Leerteam, client: AsyncWebClient, settings: Settings) -> None:
        self.app = app
        self.client = client
        self.settings = settings
        names = [app.catalog.raw(lang, f"cmd.{c.id}.name")
                 for c in app.registry.commands.values() if not c.hidden for lang in LANGUAGES]
        self.renderer = Renderer(settings.slack_command, names)
        self._team_id: str | None = None
        self._users: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()
        attach = getattr(app, "attach", None)
        if attach is not None:
            attach(self)  # scheduled messages (reminders, nudges) go out through Slack too

    # ======================================================================================
    # inbound
    # ======================================================================================
    def lazy(
        self, name: str, handler: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> Callable[..., Awaitable[None]]:
        """A Bolt lazy listener running ``handler(body)`` after the ack, tracked for :meth:`drain`."""

        async def run(body: dict[str, Any]) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._tasks.add(task)
            try:
                await handler(body)
            except Exception:
                log.exception("Slack %s could not be handled", name)
            finally:
                if task is not None:
                    self._tasks.discard(task)

        run.__name__ = f"leerteam_{name}"  # Bolt tells lazy functions apart by name
        return run

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until the work started after acknowledgements is done (shutdown, tests)."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(set(self._tasks), timeout=max(0.01, deadline - time.monotonic()))

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def workspace(self) -> str:
        """The Slack team this app is installed in: the school's workspace."""
        if self._team_id is None:
            resp = await self.client.auth_test()
            self._team_id = str(resp["team_id"])
        return self._team_id

    async def _user_info(self, user_id: str) -> dict[str, Any] | None:
        now = time.monotonic()
        hit = self._users.get(user_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            resp = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "user_not_visible", "users_not_found"):
                return None
            raise
        info = dict(resp.get("user") or {})
        self._users[user_id] = (now + USER_TTL, info)
        self._users.move_to_end(user_id)
        while len(self._users) > USER_CACHE:
            self._users.popitem(last=False)
        return info

    async def identify(self, user_id: str, claimed: Iterable[Any] = ()) -> tuple[UserRef | None, str | None]:
        """The person as a UserRef if they belong to this workspace, else (None, their locale).

        A user from another workspace (a Slack Connect channel, say) is refused: the school is this
        workspace, and nobody else may act in it. Every team id the payload names must be ours too.
        """
        team = await self.workspace()
        info = await self._user_info(user_id) if user_id else None
        if info is None:
            return None, None
        homes = {info.get("team_id")} | set((info.get("enterprise_user") or {}).get("teams") or ())
        locale = info.get("locale")
        if team not in homes or any(t and t != team for t in claimed) or info.get("deleted"):
            log.info("refused Slack user %s of team %s", user_id, info.get("team_id"))
            return None, locale
        profile = info.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or info.get("real_name")
                or info.get("name") or user_id)
        return UserRef(
            PLATFORM, user_id, str(name).strip() or user_id, handle=info.get("name"), locale=locale
        ), locale

    def _lang(self, locale: str | None) -> str:
        return normalize_language(locale) or self.settings.language

    async def _refuse(self, caller: Caller, locale: str | None) -> None:
        lang = self._lang(locale)
        body = self.app.catalog.render(Msg("slack.foreign_user"), lang)
        out = Outgoing(
            Address(PLATFORM, caller.channel_id, caller.user_id, True), lang, Text(body, target=PRIVATE)
        )
        try:
            await self.send(out, caller)
        except DeliveryFailed:
            log.info("could not tell %s that they were refused", caller.user_id)

    async def _who(self, caller: Caller, claimed: Iterable[Any]) -> UserRef | None:
        user, locale = await self.identify(caller.user_id, claimed)
        if user is None:
            await self._refuse(caller, locale)
        return user

    def _chat(self, channel: str, private: bool, title: str | None) -> ChatRef:
        return ChatRef(PLATFORM, channel, private, None if private else title, self._team_id)

    async def _dispatch(self, event: Event, caller: Caller) -> None:
        await self.app.handle(event, _Replies(self, caller))

    async def on_command(self, body: dict[str, Any]) -> None:
        """``/leerteam <subcommand> <arguments>`` → CommandEvent; ``/leerteam`` alone is help."""
        user_id = str(body.get("user_id") or "")
        channel = str(body.get("channel_id") or user_id)
        caller = Caller(user_id, channel, body.get("response_url"))
        user = await self._who(caller, [body.get("team_id")])
        if user is None:
            return
        name, args, mentions = split_command(str(body.get("text") or ""))
        if not name:
            name = self.app.catalog.raw(self.settings.language, "cmd.help.name")
        chat = self._chat(channel, is_direct(channel, body.get("channel_name")), body.get("channel_name"))
        event = CommandEvent(
            event_id=request_key("cmd", body, "trigger_id"),
            chat=chat,
            user=user,
            received_at=self.app.clock.now(),
            raw=body,
            name=name,
            args=args,
            mentions=mentions,
        )
        await self._dispatch(event, caller)

    def _action_place(self, body: dict[str, Any]) -> tuple[Caller, bool, str | None]:
        user_id = str((body.get("user") or {}).get("id") or "")
        container = body.get("container") or {}
        channel_info = body.get("channel") or {}
        if container.get("type") == "view":  # the Home tab: answers go to the person's DM
            return Caller(user_id, user_id, None), True, None
        channel = str(channel_info.get("id") or container.get("channel_id") or user_id)
        private = is_direct(channel, channel_info.get("name"))
        return Caller(user_id, channel, body.get("response_url")), private, channel_info.get("name")

    @staticmethod
    def _claimed(body: dict[str, Any]) -> list[Any]:
        return [(body.get("team") or {}).get("id"), (body.get("user") or {}).get("team_id")]

    async def on_choice(self, body: dict[str, Any]) -> None:
        """A pressed option button → ChoiceEvent. Its value is untrusted: the dispatcher runs it as a
        command with the presser's own role and team, exactly as if they had typed it."""
        caller, private, title = self._action_place(body)
        user = await self._who(caller, self._claimed(body))
        if user is None:
            return
        action = (body.get("actions") or [{}])[0]
        event = ChoiceEvent(
            event_id=request_key("act", body, "trigger_id"),
            chat=self._chat(caller.channel_id, private, title),
            user=user,
            received_at=self.app.clock.now(),
            raw=body,
            value=str(action.get("value") or "")[:2000],
            message_id=(body.get("container") or {}).get("message_ts"),
        )
        await self._dispatch(event, caller)

    async def on_answer_button(self, body: dict[str, Any]) -> None:
        """The "answer" button under a question opens the modal; the trigger is valid for 3 s, so
        this comes first and checks nothing: the submission is checked like every event."""
        caller, _, _ = self._action_place(body)
        action = (body.get("actions") or [{}])[0]
        data = parse_json(action.get("value"))
        lang = str(data["l"]) if data.get("l") in LANGUAGES else self.settings.language
        say = lambda msg: self.renderer.plain(self.app.catalog.render(msg, lang))  # noqa: E731
        question = re.sub(r"<(?=[!@#])", "&lt;", str(data.get("t") or ""))[:3000]
        view = self.renderer.answer_modal(
            title=say(Msg("slack.answer.title")), submit=say(Msg("slack.answer.submit")),
            close=say(Msg("slack.answer.close")), label=say(Msg("slack.answer.label")),
            question=question, multiline=bool(data.get("m", True)),
            metadata={"q": str(data.get("q") or "")[:32], "c": caller.channel_id},
        )
        await self.client.views_open(trigger_id=body.get("trigger_id"), view=view)

    async def on_answer(self, body: dict[str, Any]) -> None:
        """A submitted answer modal → AnswerEvent for the question it was opened for."""
        view = body.get("view") or {}
        meta = parse_json(view.get("private_metadata"))
        values = ((view.get("state") or {}).get("values") or {}).get(ANSWER_BLOCK) or {}
        text = str((values.get(ANSWER_INPUT) or {}).get("value") or "")
        user_id = str((body.get("user") or {}).get("id") or "")
        channel = str(meta.get("c") or user_id)
        caller = Caller(user_id, channel, None)
        user = await self._who(caller, self._claimed(body))
        if user is None:
            return
        event = AnswerEvent(
            event_id=request_key("view", body, "view.id"),
            chat=self._chat(channel, is_direct(channel), None),
            user=user,
            received_at=self.app.clock.now(),
            raw=body,
            question_id=str(meta.get("q") or ""),
            text=text,
        )
        await self._dispatch(event, caller)

    async def on_home(self, body: dict[str, Any]) -> None:
        """The App Home tab: the core's overview for this person, published with views.publish."""
        event = body.get("event") or {}
        if event.get("tab") != "home":
            return
        user_id = str(event.get("user") or "")
        user, _ = await self.identify(user_id, [event.get("user_team")])
        if user is None:
            return  # nothing is shown to someone from another workspace
        channel = str(event.get("channel") or user_id)
        caller = Caller(user_id, channel, None)
        home = ChoiceEvent(
            event_id=request_key("ev", body, "event_id"),
            chat=self._chat(channel, True, None),
            user=user,
            received_at=self.app.clock.now(),
            raw=body,
            value=HOME_COMMAND,
        )
        replies = _HomeReplies(self, caller)
        await self.app.handle(home, replies)
        if replies.blocks:
            await self.client.views_publish(user_id=user_id, view=self.renderer.home_view(replies.blocks))

    async def on_removed(self, body: dict[str, Any]) -> None:
        """The app left a channel (``channel_left``/``group_left``, or ``member_left_channel`` for
        the bot's own user), or the channel was archived: its team is unlinked, chair and leaders told."""
        event = body.get("event") or {}
        channel = event.get("channel")
        if isinstance(channel, dict):
            channel = channel.get("id")
        if not channel:
            return
        if event.get("type") == "member_left_channel" and event.get("user") != await _bot_user(self):
            return  # a person left, not the bot
        await self.app.chat_lost(PLATFORM, str(channel))

    async def on_message(self, body: dict[str, Any]) -> None:
        """A direct message to the bot → MessageEvent (it may answer an open question)."""
        event = body.get("event") or {}
        if (event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id")
                or not event.get("user")):
            return
        user_id = str(event["user"])
        channel = str(event.get("channel") or user_id)
        caller = Caller(user_id, channel, None)
        user = await self._who(caller, [event.get("user_team")])
        if user is None:
            return
        text, _ = readable(str(event.get("text") or ""))
        message = MessageEvent(
            event_id=request_key("ev", body, "event_id"),
            chat=self._chat(channel, True, None),
            user=user,
            received_at=self.app.clock.now(),
            raw=body,
            text=text,
            addressed=True,  # a direct message is always meant for the bot
        )
        await self._dispatch(message, caller)


async def _bot_user(slack: SlackTransport) -> str | None:
    try:
        return str((await slack.client.auth_test()).get("user_id") or "") or None
    except SlackApiError:
        return None


class _Replies:
    """The transport as seen by one event: it knows who to answer ephemerally, and how."""

    platform = PLATFORM

    def __init__(self, slack: SlackTransport, caller: Caller) -> None:
        self.slack = slack
        self.caller = caller

    async def send(self, out: Outgoing) -> SentRef | None:
        return await self.slack.send(out, self.caller)

    async def can_post(self, chat_id: str) -> bool | None:
        return await self.slack.can_post(chat_id)


class _HomeReplies(_Replies):
    """Replies to the person's own overview become the blocks of their Home tab."""

    def __init__(self, slack: SlackTransport, caller: Caller) -> None:
        super().__init__(slack, caller)
        self.blocks: list[list[dict[str, Any]]] = []

    async def send(self, out: Outgoing) -> SentRef | None:
        reply = out.reply
        if isinstance(getattr(reply, "target", None), (Here, Private)) and isinstance(reply, (Text, Choices)):
            r = self.slack.renderer
            if isinstance(reply, Choices):
                self.blocks.append(
                    r.choice_blocks(Markup(reply.body), [(Markup(o.label), o.value) for o in reply.options])
                )
            else:
                self.blocks.append(r.text_blocks(Markup(reply.body), MAX_HOME_BLOCKS))
            return None
        return await super().send(out)
