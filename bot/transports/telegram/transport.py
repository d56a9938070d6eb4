"""The Telegram transport: python-telegram-bot (v22) as a pure transport over the core.

Inbound, every update goes through one handler that turns it into a core event
(:mod:`.updates`), lets the dispatcher handle it and delivers the replies. Outbound, replies are
rendered natively: Telegram HTML (:mod:`.render`), inline keyboards whose callback data is the
core's untrusted choice value (:mod:`.payloads`), a forced reply for questions, photos for
images. Nothing about a conversation is kept in memory: pending questions and earlier messages
live in the database, so a restart loses nothing.

A reply meant only for one person (``Private``) that comes from a group goes to their private
chat; when Telegram refuses that (403: they never started the bot), the group gets a short note
with a deep link that opens the private chat, where ``/start`` asks the waiting question again.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    ChatMemberUpdated,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.app import Leerteam
from bot.core.commands import Access, command_name
from bot.core.delivery import Address, Outgoing, SentRef
from bot.core.events import ChoiceEvent
from bot.core.replies import Ask, Choices, Document, Edit, Image, Text
from bot.transports.telegram.addressing import Origin, for_person
from bot.transports.telegram.outcome import MEMBER, delivery_failed
from bot.transports.telegram.payloads import CONTINUE, encode_callback
from bot.transports.telegram.render import MAX_CAPTION, plain_label, split_html, to_html, utf16_len
from bot.transports.telegram.updates import PLATFORM, BotInfo, to_event
from prompts.catalog import BASE_LANGUAGES, LANGUAGES, Msg, normalize_language
from prompts.markup import Markup, escape, plain
from storage.queries import member_for_identity

log = logging.getLogger(__name__)
# Opt in to python-telegram-bot 23's durations (timedelta) now: nothing here reads them, and it
# keeps every RetryAfter (flood control) from also raising a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
MAX_ALERT = 200  # characters in an answerCallbackQuery text
MAX_RETRIES = 3  # AIORateLimiter: retries after RetryAfter (flood control)
MAX_MENU = 100  # setMyCommands takes at most 100 commands; the rest still work when typed


class TelegramTransport:
    """Sends core replies through a PTB :class:`telegram.Bot`; usable outside an update too."""

    platform = PLATFORM

    def __init__(self, app: Leerteam, bot: Bot) -> None:
        self.app = app
        self.bot = bot

    # --- bot identity ---------------------------------------------------------------------
    def info(self) -> BotInfo:
        names = frozenset(self.app.dispatcher.names)
        return BotInfo(self.bot.username or "", names)

    def render(self, body: Any, lang: str) -> str:
        return self.app.catalog.render(body, lang)

    # --- outbound -------------------------------------------------------------------------
    async def can_post(self, chat_id: str) -> bool | None:
        """The bot's own member status in the chat (getChatMember); None when Telegram cannot tell."""
        try:
            member = await self.bot.get_chat_member(int(chat_id), self.bot.id)
        except (Forbidden, BadRequest) as exc:
            return False if delivery_failed(exc).permanent else None
        except (TelegramError, ValueError):
            return None
        if member.status == "restricted":
            return bool(getattr(member, "can_send_messages", True))
        return member.status in MEMBER

    async def send(
        self, out: Outgoing, origin: Origin | None = None, noted: set[int] | None = None
    ) -> SentRef | None:
        """Delivers, or raises :class:`DeliveryFailed` (the core's contract)."""
        try:
            return await self._send(out, origin, noted)
        except TelegramError as exc:
            raise delivery_failed(exc) from None

    async def _send(
        self, out: Outgoing, origin: Origin | None = None, noted: set[int] | None = None
    ) -> SentRef | None:
        reply, addr = out.reply, out.address
        if isinstance(reply, Edit):
            return await self._edit(out)
        chat_id = self._target(addr)
        if chat_id is None:
            log.warning("no Telegram chat for %s", addr)
            return None
        try:
            return await self._deliver(chat_id, out, origin)
        except ChatMigrated as moved:  # the group became a supergroup: follow it, and remember
            await self.app.chat_moved(PLATFORM, str(chat_id), str(moved.new_chat_id))
            return await self._deliver(int(moved.new_chat_id), out, origin)
        except Forbidden as exc:
            group = addr.chat_id if addr.private and addr.chat_id != addr.user_id else None
            if group is not None and addr.user_id is not None:
                user_id = int(addr.user_id)
                if noted is None or user_id not in noted:  # one note per person per update
                    await self._continue_privately(int(group), user_id, out.lang, origin)
                if noted is not None:
                    noted.add(user_id)
                return None  # answered: the group has the note with the link to the private chat
            raise delivery_failed(exc) from None

    @staticmethod
    def _target(addr: Address) -> int | None:
        """Private replies go to the person's own chat (its id is their user id on Telegram)."""
        raw = addr.user_id if addr.private and addr.user_id else addr.chat_id
        try:
            return int(raw) if raw is not None else None
        except ValueError:
            return None

    async def _deliver(self, chat_id: int, out: Outgoing, origin: Origin | None) -> SentRef | None:
        how = self._DELIVER.get(type(out.reply))
        if how is None:
            log.warning("cannot show %r on Telegram", type(out.reply).__name__)
            return None
        return await how(self, chat_id, out, origin)

    async def _send_photo(self, chat_id: int, out: Outgoing, origin: Origin | None) -> SentRef | None:
        image: Any = out.reply  # an Image: the table's key
        return await self._photo(chat_id, image, out.lang)

    async def _send_document(self, chat_id: int, out: Outgoing, origin: Origin | None) -> SentRef | None:
        return await self._document(chat_id, out.reply)

    def _no_markup(self, reply: Any, out: Outgoing, chat_id: int, origin: Origin | None) -> tuple[Any, Any]:
        return None, None

    def _choice_markup(
        self, reply: Choices, out: Outgoing, chat_id: int, origin: Origin | None
    ) -> tuple[Any, Any]:
        return self._keyboard(reply), None

    def _ask_markup(self, reply: Ask, out: Outgoing, chat_id: int, origin: Origin | None) -> tuple[Any, Any]:
        placeholder = plain_label(self.render(Msg("telegram.answer_placeholder"), out.lang))
        reply_to = None
        if origin is not None and origin.chat_id == chat_id and not origin.private and origin.message_id:
            reply_to = ReplyParameters(origin.message_id, allow_sending_without_reply=True)
        return ForceReply(selective=True, input_field_placeholder=placeholder), reply_to

    async def _send_message(self, chat_id: int, out: Outgoing, origin: Origin | None) -> SentRef | None:
        reply: Any = out.reply
        body, to_person = for_person(out, chat_id, origin)
        chunks = split_html(body) or [to_html(escape("…"))]
        markup, reply_to = self._MARKUP[type(reply)](self, reply, out, chat_id, origin)
        reply_to = reply_to or to_person
        sent = None
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            sent = await self.bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML, reply_markup=markup if last else None,
                reply_parameters=reply_to if last else None,
            )
        assert sent is not None
        return SentRef(PLATFORM, str(sent.chat.id if sent.chat else chat_id), str(sent.message_id))

    # How each kind of reply goes out, and which keyboard a message carries: tables, by type.
    _DELIVER: dict[type, Callable[[Any, int, Outgoing, Origin | None], Awaitable[SentRef | None]]] = {
        Text: _send_message, Choices: _send_message, Ask: _send_message,
        Image: _send_photo, Document: _send_document,
    }
    _MARKUP: dict[type, Callable[[Any, Any, Outgoing, int, Origin | None], tuple[Any, Any]]] = {
        Text: _no_markup, Choices: _choice_markup, Ask: _ask_markup,
    }

    def _keyboard(self, reply: Choices) -> InlineKeyboardMarkup | None:
        rows = []
        for option in reply.options:
            data = encode_callback(option.value)
            if data is None:
                log.error("choice value too long for a Telegram button, left out: %r", option.value[:80])
                continue
            rows.append([InlineKeyboardButton(plain_label(option.label), callback_data=data)])
        return InlineKeyboardMarkup(rows) if rows else None

    async def _photo(self, chat_id: int, image: Image, lang: str) -> SentRef:
        caption = image.caption or ""
        alt = (
            self.render(Msg("telegram.alt_text", text=Markup(image.alt_text)), lang) if image.alt_text else ""
        )
        with_alt = Markup(f"{caption}\n\n{alt}" if caption and alt else caption or alt)
        parts = split_html(with_alt, MAX_CAPTION)
        rest: list[str] = []
        if len(parts) > 1:  # too long for a caption: the alt text follows as a message
            parts = split_html(caption, MAX_CAPTION) if caption else []
            rest = split_html(alt) if alt else []
            if len(parts) > 1:
                rest = parts[1:] + rest
                parts = parts[:1]
        sent = await self.bot.send_photo(
            chat_id, InputFile(image.png, filename=image.filename or "image.png"),
            caption=parts[0] if parts else None, parse_mode=ParseMode.HTML,
        )
        for chunk in rest:
            await self.bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML)
        return SentRef(PLATFORM, str(chat_id), str(sent.message_id))

    async def _document(self, chat_id: int, doc: Any) -> SentRef:
        caption = split_html(doc.caption, MAX_CAPTION) if getattr(doc, "caption", None) else []
        sent = await self.bot.send_document(
            chat_id, InputFile(doc.data, filename=doc.filename), caption=caption[0] if caption else None,
            parse_mode=ParseMode.HTML,
        )
        return SentRef(PLATFORM, str(chat_id), str(sent.message_id))

    async def _edit(self, out: Outgoing) -> SentRef | None:
        reply = out.reply
        addr = out.address
        if not isinstance(reply, Edit) or addr.chat_id is None or addr.message_id is None:
            return None
        replacement = reply.replacement
        chunks = split_html(replacement.body) or [to_html(escape("…"))]
        if len(chunks) > 1:
            log.warning("edit longer than one Telegram message; showing the first part")
        markup = self._keyboard(replacement) if isinstance(replacement, Choices) else None
        try:
            await self.bot.edit_message_text(
                chunks[0], chat_id=int(addr.chat_id), message_id=int(addr.message_id),
                parse_mode=ParseMode.HTML, reply_markup=markup,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                log.warning("edit of %s/%s refused: %s", addr.chat_id, addr.message_id, exc)
                return None
        return SentRef(PLATFORM, addr.chat_id, addr.message_id)

    async def _continue_privately(
        self, group_id: int, user_id: int, lang: str, origin: Origin | None
    ) -> None:
        """The person never started a chat with the bot: a short note in the group with a deep link."""
        name = origin.user_name if origin is not None and origin.user_id == user_id else "👋"
        label = escape(re.sub(r"[\]\n]", " ", name))
        mention = Markup(f"[{label}](tg://user?id={user_id})")
        text = split_html(self.render(Msg("telegram.dm_blocked", name=mention), lang))
        button = InlineKeyboardButton(plain_label(self.render(Msg("telegram.dm_button"), lang)),
                                      url=self.info().deep_link(CONTINUE))
        try:
            await self.bot.send_message(group_id, text[0], parse_mode=ParseMode.HTML,
                                        reply_markup=InlineKeyboardMarkup([[button]]))
        except TelegramError as exc:
            log.warning("could not post the private-chat note in %s: %s", group_id, exc)


class _Scoped:
    """The transport as seen while answering one update (knows where the update came from)."""

    platform = PLATFORM

    def __init__(self, transport: TelegramTransport, origin: Origin | None) -> None:
        self.transport = transport
        self.origin = origin
        self.noted: set[int] = set()  # people already told (in the group) to continue privately

    async def send(self, out: Outgoing) -> SentRef | None:
        return await self.transport.send(out, self.origin, self.noted)

    async def can_post(self, chat_id: str) -> bool | None:
        return await self.transport.can_post(chat_id)


class TelegramBridge:
    """The PTB side: one handler for every update, the command menu, and errors."""

    def __init__(self, app: Leerteam, application: Application) -> None:
        self.app = app
        self.application = application
        self.transport = TelegramTransport(app, application.bot)
        attach = getattr(app, "attach", None)  # scheduled messages (reminders) go out through it too
        if callable(attach):
            attach(self.transport)

    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        if update.my_chat_member is not None:
            await self._membership_changed(update.my_chat_member)
            return
        message = update.message
        if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
            old, new = ((message.chat.id, message.migrate_to_chat_id) if message.migrate_to_chat_id
                        else (message.migrate_from_chat_id, message.chat.id))
            await self.app.chat_moved(PLATFORM, str(old), str(new))  # the group became a supergroup
            return
        event = to_event(update, self.transport.info(), self.app.clock.now())
        query = update.callback_query
        if event is None:
            if query is not None:
                await self._answer(query)
            return
        origin = None
        message = update.message  # a button's message is the bot's own: nothing to reply to
        if update.effective_chat is not None and update.effective_user is not None:
            origin = Origin(update.effective_chat.id, message.message_id if message else None,
                            update.effective_user.id, event.user.display_name,
                            update.effective_chat.type == "private")
        scoped = _Scoped(self.transport, origin)
        if query is None:
            await self.app.handle(event, scoped)
            return
        # A button: the refusal (if any) is the short answer to the press; the rest is sent.
        assert isinstance(event, ChoiceEvent)
        outgoing = await self.app.dispatcher.dispatch(event)
        errors = [o for o in outgoing if o.is_error and isinstance(o.reply, Text)]
        alert = "\n".join(plain(o.reply.body) for o in errors if isinstance(o.reply, Text))
        if utf16_len(alert) > MAX_ALERT:
            alert = alert[: MAX_ALERT - 1] + "…"
        await self._answer(query, alert or None)
        await self.app.deliver([o for o in outgoing if not any(o is e for e in errors)], scoped, event)

    async def _answer(self, query: Any, text: str | None = None) -> None:
        try:
            await query.answer(text=text, show_alert=bool(text))
        except TelegramError as exc:  # too old, or already answered by a redelivery
            log.info("answerCallbackQuery failed: %s", exc)

    async def _membership_changed(self, change: ChatMemberUpdated) -> None:
        """Added to a group: say how to link it to a team (nothing is stored). Removed from a
        group: its team is unlinked and the chair and school leaders are told."""
        old, new = change.old_chat_member.status, change.new_chat_member.status
        if new in ("left", "kicked") and old not in ("left", "kicked") and change.chat.type != "private":
            await self.app.chat_lost(PLATFORM, str(change.chat.id))
            return
        joined = old in ("left", "kicked") and new in ("member", "administrator")
        if not joined or change.chat.type == "private" or change.from_user.is_bot:
            return
        lang = await self.language(change.from_user.id, change.from_user.language_code)
        text = Msg("telegram.added_to_group", link_cmd=command_name("team_link"),
                   team_cmd=command_name("team_create"))
        try:
            for chunk in split_html(self.transport.render(text, lang)):
                await self.transport.bot.send_message(change.chat.id, chunk, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.info("could not greet group %s: %s", change.chat.id, exc)

    async def language(self, user_id: int, client_language: str | None) -> str:
        """The member's chosen language, else the Telegram app's language, else the default."""
        async with self.app.sessions() as session:
            member = await member_for_identity(session, PLATFORM, str(user_id))
        if member is not None and member.language in LANGUAGES:
            return member.language
        return normalize_language(client_language) or self.app.settings.language

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)

    async def register_commands(self) -> None:
        """The command menu (setMyCommands), in every language plus a default for other clients."""
        cat = self.app.catalog
        visible = [c for c in self.app.registry.commands.values() if not c.hidden]
        if len(visible) > MAX_MENU:  # the menu favours what every teacher uses: leader-only commands
            spare = len(visible) - MAX_MENU  # leave it first (typed they work; /hulp lists them)
            managers = [c for c in reversed(visible) if c.access is Access.SCHOOL_MANAGER][:spare]
            visible = [c for c in visible if c not in managers]
        for lang in (*BASE_LANGUAGES, None):  # Telegram menus take two-letter codes; nl-BE uses nl's
            shown = lang or self.app.settings.language
            commands = [
                BotCommand(cat.raw(shown, f"cmd.{c.id}.name"),
                           plain_label(cat.render(Msg(f"cmd.{c.id}.help"), shown), 256))
                for c in visible
            ][:MAX_MENU]  # in the app's order (CAPABILITIES); if still too many, the last ones drop out
            try:
                await self.application.bot.set_my_commands(commands, language_code=lang)
            except TelegramError as exc:
                log.warning("setMyCommands (%s) failed: %s", lang or "default", exc)
