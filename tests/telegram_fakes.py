"""Offline Telegram for tests: a recording Bot API behind PTB's own request interface, updates as
Telegram would send them, and a few test-only commands (hidden: reachable only as buttons).

``FakeBotApi`` is a :class:`telegram.request.BaseRequest`, so every call goes through the real
python-telegram-bot code (serialisation, the rate limiter, error mapping: a 403 becomes
``telegram.error.Forbidden``), and nothing touches the network.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.core.commands import Access, Param, Where, answers, command
from bot.core.replies import PRIVATE, Ask, Choices, Edit, Image, Option, Text
from prompts.catalog import Join, Msg

BOT_ID = 777000
BOT_USERNAME = "LeerteamTestBot"
TOKEN = "777000:TEST-token_offline"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None  # what the fake Bot API answered

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def chat_id(self) -> int | None:
        raw = self.params.get("chat_id")
        return int(raw) if raw is not None else None

    @property
    def keyboard(self) -> list[list[dict]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return markup.get("inline_keyboard", [])

    @property
    def markup(self) -> dict:
        markup = self.params.get("reply_markup") or {}
        return json.loads(markup) if isinstance(markup, str) else markup


class FakeBotApi(BaseRequest):
    """Answers Bot API methods like Telegram does, and records every call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.blocked: set[int] = set()  # users who never started the bot (403 on a private message)
        self.migrated: dict[int, int] = {}  # group id -> its new supergroup id (400 + migrate_to_chat_id)
        self.flood: dict[int, int] = {}  # chat id -> how many sends still get 429 Too Many Requests
        self.member_checks: list[Call] = []  # getChatMember calls (can the bot post there?)
        self.kicked: set[int] = set()  # groups the bot was removed from (403 on every send there)
        self._ids = itertools.count(100)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        self.calls.clear()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, bytes] = {}
        if request_data is not None and request_data.contains_files:
            for name, value in request_data.multipart_data.items():
                files[name] = value[1] if isinstance(value, tuple) else value
        call = Call(api, params, files)
        # the bot's reachability checks are kept apart, so a test reads only what was shown
        (self.member_checks if api == "getChatMember" else self.calls).append(call)
        code, body = self._answer(api, params)
        call.result = json.loads(body).get("result")
        return code, body

    def _answer(self, api: str, p: dict[str, Any]) -> tuple[int, bytes]:
        def ok(result: Any) -> tuple[int, bytes]:
            return 200, json.dumps({"ok": True, "result": result}).encode()

        if api == "getMe":
            return ok({"id": BOT_ID, "is_bot": True, "first_name": "Leerteam", "username": BOT_USERNAME,
                       "can_join_groups": True, "can_read_all_group_messages": True,
                       "supports_inline_queries": False})
        if api in ("sendMessage", "sendPhoto", "sendDocument"):
            chat_id = int(p["chat_id"])
            if chat_id in self.migrated:
                return 400, json.dumps({"ok": False, "error_code": 400,
                                        "description": "Bad Request: group chat was upgraded to a supergroup chat",
                                        "parameters": {"migrate_to_chat_id": self.migrated[chat_id]}}).encode()
            if self.flood.get(chat_id):
                self.flood[chat_id] -= 1
                return 429, json.dumps({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                        "parameters": {"retry_after": 1}}).encode()
            if chat_id in self.kicked:
                return 403, json.dumps({"ok": False, "error_code": 403,
                                        "description": "Forbidden: bot was kicked from the group chat"}).encode()
            if chat_id > 0 and chat_id in self.blocked:
                return 403, json.dumps({"ok": False, "error_code": 403,
                                        "description": "Forbidden: bot can't initiate conversation with a user"}).encode()
            message = {"message_id": next(self._ids), "date": 1790000000,
                       "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "g"}}
            if api == "sendMessage":
                message["text"] = p["text"]
            if api == "sendPhoto":
                message["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
            if api == "sendDocument":
                message["document"] = {"file_id": "d", "file_unique_id": "du"}
            return ok(message)
        if api == "editMessageText":
            return ok({"message_id": int(p["message_id"]), "date": 1790000000, "text": p["text"],
                       "chat": {"id": int(p["chat_id"]), "type": "private"}})
        if api == "getChatMember":
            status = "kicked" if int(p["chat_id"]) in self.kicked else "member"
            return ok({"status": status, "user": {"id": int(p["user_id"]), "is_bot": True,
                                                  "first_name": "Leerteam"},
                       **({"until_date": 0} if status == "kicked" else {})})
        return ok(True)  # answerCallbackQuery, setMyCommands, setWebhook, deleteWebhook, ...


# --- updates as Telegram sends them ----------------------------------------------------------
@dataclass(frozen=True)
class TgUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "nl"

    def as_dict(self) -> dict:
        d: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        return d


@dataclass(frozen=True)
class TgChat:
    id: int
    title: str | None = None  # None: the private chat with the user whose id this is

    def as_dict(self, user: TgUser) -> dict:
        if self.title is None:
            return {"id": self.id, "type": "private", "first_name": user.first_name}
        return {"id": self.id, "type": "group", "title": self.title}


class Updates:
    """Builds Update objects with increasing update ids and message ids."""

    def __init__(self, bot: Any, start: int = 1000) -> None:
        self.bot = bot
        self.ids = itertools.count(start)
        self.message_ids = itertools.count(1)

    def message(self, user: TgUser, text: str, chat: TgChat | None = None, update_id: int | None = None,
                entities: list[dict] | None = None) -> Update:
        chat = chat or TgChat(user.id)
        message: dict[str, Any] = {"message_id": next(self.message_ids), "date": 1790000000,
                                   "chat": chat.as_dict(user), "from": user.as_dict(), "text": text}
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            message["entities"] = entities
        data = {"update_id": update_id if update_id is not None else next(self.ids), "message": message}
        return Update.de_json(data, self.bot)

    def press(self, user: TgUser, data: str, chat: TgChat | None = None, message_id: int = 1,
              update_id: int | None = None) -> Update:
        chat = chat or TgChat(user.id)
        query = {"id": f"cb{next(self.ids)}", "from": user.as_dict(), "chat_instance": "ci", "data": data,
                 "message": {"message_id": message_id, "date": 1790000000, "chat": chat.as_dict(user),
                             "text": "…"}}
        return Update.de_json({"update_id": update_id if update_id is not None else next(self.ids),
                               "callback_query": query}, self.bot)

    def migrated(self, by: TgUser, chat: TgChat, new_id: int) -> Update:
        message = {"message_id": next(self.message_ids), "date": 1790000000, "chat": chat.as_dict(by),
                   "from": by.as_dict(), "migrate_to_chat_id": new_id}
        return Update.de_json({"update_id": next(self.ids), "message": message}, self.bot)

    def added_to_group(self, by: TgUser, chat: TgChat, old: str = "left", new: str = "member") -> Update:
        bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Leerteam", "username": BOT_USERNAME}
        extra = {"until_date": 0} if new == "kicked" else {}
        change = {"chat": chat.as_dict(by), "from": by.as_dict(), "date": 1790000000,
                  "old_chat_member": {"status": old, "user": bot_user},
                  "new_chat_member": {"status": new, "user": bot_user, **extra}}
        return Update.de_json({"update_id": next(self.ids), "my_chat_member": change}, self.bot)


# --- test-only commands (hidden: only reachable as buttons or deep links) --------------------
@command("tg_test_menu", hidden=True, access=Access.SCHOOL_MEMBER)
async def _menu(ctx):
    return Choices(Msg("usage.missing"), (Option(Msg("role.leader"), "teams"), Option(Msg("role.admin"), "help")),
                   ref="tg-test-menu")


@command("tg_test_edit", hidden=True)
async def _edit(ctx):
    return Edit("tg-test-menu", Text(Msg("usage.extra")))


@command("tg_test_ask", hidden=True, access=Access.SCHOOL_MEMBER)
async def _ask(ctx):
    return Ask(Msg("team.joined", team="<vraag & antwoord>", person=ctx.event.user.display_name),
               question_id="tg_test_echo", payload={"n": 7}, target=PRIVATE)


@answers("tg_test_echo")
async def _echo(ctx, payload, text):
    assert payload == {"n": 7}, payload  # the stored question text is not the handler's business
    return Text(Msg("team.left", team=f"{payload['n']}: {text}"))


@command("tg_test_image", hidden=True)
async def _image(ctx):
    return Image(b"\x89PNG\r\n\x1a\nfake", "grafiek.png", caption=Msg("role.admin"), alt_text=Msg("role.leader"))


@command("tg_test_long", hidden=True, params=(Param("n"),), where=Where.ANYWHERE)
async def _long(ctx, n):
    line = Msg("team.joined", team="<b>Groep & co</b>", person="Ann*a*")
    return Text(Join([line] * int(n)))
