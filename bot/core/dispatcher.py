"""One path for every inbound event: duplicate check, identity, role, language, handler, replies.

The whole event is one database transaction: the processed-event key, the handler's writes and
any question the bot starts waiting for commit together. A redelivered event hits the unique key
and is dropped; a user mistake rolls everything back (only the event key is kept, so the same
mistake redelivered is not answered twice); an unexpected crash rolls back *everything*, so the
platform's redelivery can try again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import difflib
import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core import conversation, typed
from bot.core.capability import Registry
from bot.core.clock import Clock
from bot.core.commands import Access, Command, Where, command_name, parse_args
from bot.core.config import Settings
from bot.core.context import Context
from bot.core.delivery import PRIVATE_CHAT, PROMPT_KEY, Outgoing, Resolver
from bot.core.errors import UsageError, UserError
from bot.core.events import AnswerEvent, ChoiceEvent, CommandEvent, Event, MessageEvent
from bot.core.replies import Ask, Choices, Reply, TeamChat, Text
from prompts.catalog import Catalog, Msg
from prompts.markup import Markup
from storage.models import PendingQuestion, ProcessedEvent, TeamMembership
from storage.queries import core, table_of

log = logging.getLogger(__name__)

# the event's duplicate key, written first in every event's transaction (built once)
_EVENT_KEY = table_of(ProcessedEvent).insert().values(
    platform=sa.bindparam("platform"), event_id=sa.bindparam("event_id"),
    processed_at=sa.bindparam("processed_at", type_=table_of(ProcessedEvent).c.processed_at.type))


def command_names(catalog: Catalog, commands: Mapping[str, Command]) -> dict[str, str]:
    """Typed name (any language) -> command id."""
    names: dict[str, str] = {}
    for cmd in commands.values():
        if cmd.hidden:
            continue
        for lang in catalog.messages:
            names[catalog.raw(lang, f"cmd.{cmd.id}.name")] = cmd.id
    return names


def usage_line(catalog: Catalog, lang: str, cmd: Command) -> str:
    name = catalog.raw(lang, f"cmd.{cmd.id}.name")
    args = catalog.raw(lang, f"cmd.{cmd.id}.args")
    return f"/{name} {args}".rstrip()


class Dispatcher:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], catalog: Catalog, settings: Settings, clock: Clock,
        registry: Registry,
    ) -> None:
        self.sessions = sessions
        self.registry = registry
        self.commands = registry.commands
        self.catalog = catalog
        self.settings = settings
        self.clock = clock
        self.names = command_names(catalog, registry.commands)
        # SQLite lets one transaction write at a time, and an event's transaction writes from its
        # first statement. Events of this process take turns here, first come first served, rather
        # than in SQLite's busy handler, whose growing sleeps let some events of a burst wait
        # over a second while others went ahead (``python -m bench``: p99 1.2–1.7 s at 8 at once, now 80 ms).
        bind = sessions.kw.get("bind")
        self._turns = asyncio.Lock() if bind is not None and bind.dialect.name == "sqlite" else None

    async def dispatch(self, event: Event, reach: object | None = None) -> list[Outgoing]:
        """``reach``: the transport the event came through, which handlers may ask whether the
        bot can post somewhere (:meth:`Context.can_post_here`)."""
        if self._turns is None:
            return await self._dispatch(event, reach)
        async with self._turns:
            return await self._dispatch(event, reach)

    async def _dispatch(self, event: Event, reach: object | None = None) -> list[Outgoing]:
        async with self.sessions() as session:
            try:
                await self._keep_key(session, event)
            except IntegrityError:
                await session.rollback()
                log.info("duplicate event %s/%s dropped", event.platform, event.event_id)
                return []
            ctx = await Context.build(event, session, self.clock, self.settings, self.catalog, self.registry,
                                      reach)
            lang = ctx.lang
            role = ctx.school.role_name if ctx.school is not None else None  # the school's word for the chair
            try:
                replies = await self._route(ctx)
                if any(isinstance(r, Ask) for r in replies):
                    await ctx.ensure_member()  # a question needs someone to wait for
                outgoing = await self._resolver(ctx, session).resolve(replies)
                await session.commit()
                return outgoing
            except UserError as err:
                await session.rollback()
                replies = [Text(self._error_body(err, lang))]
            except IntegrityError:
                # A concurrent twin of this event won the race, or a unique rule was hit.
                await session.rollback()
                log.info("integrity conflict while handling %s/%s", event.platform, event.event_id)
                return []
            except Exception:
                await session.rollback()
                log.exception("handler failed for %s/%s", event.platform, event.event_id)
                return _as_errors(
                    await Resolver.for_event(self.catalog, event, lang, role=role).resolve(
                        [Text(Msg("common.failed"))])
                )
        # A user mistake: keep only the event key, so a redelivery stays quiet.
        async with self.sessions() as session:
            try:
                await self._keep_key(session, event)
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return []
        return _as_errors(await Resolver.for_event(self.catalog, event, lang, role=role).resolve(replies))

    async def _keep_key(self, session: AsyncSession, event: Event) -> None:
        """The event's duplicate key (raises IntegrityError for a redelivery): a Core statement on
        the session's connection, not an ORM flush, since every event pays for it."""
        await core(session, _EVENT_KEY, {"platform": event.platform, "event_id": event.event_id[:128],
                                         "processed_at": self.clock.now()})

    def _resolver(self, ctx: Context, session: AsyncSession) -> Resolver:
        return Resolver.for_event(self.catalog, ctx.event, ctx.lang, session=session,
                                  member_id=ctx.member.id if ctx.member else None,
                                  default_lang=self.settings.language, now=self.clock.now(),
                                  role=ctx.school.role_name if ctx.school is not None else None)

    def _error_body(self, err: UserError, lang: str) -> Any:
        if isinstance(err, UsageError) and err.command_id in self.commands:
            cmd = self.commands[err.command_id]
            if cmd.hidden:  # a button's payload with missing or extra parts: forged or stale
                return Msg("common.stale_button")
            return Msg(
                "usage.hint",
                problem=err.message,
                usage=Msg("usage.line", line=usage_line(self.catalog, lang, cmd)),
                help=Msg(f"cmd.{cmd.id}.help"),
                help_cmd=command_name("help"),
            )
        return err.message

    async def _route(self, ctx: Context) -> list[Reply]:
        ev = ctx.event
        if isinstance(ev, (CommandEvent, MessageEvent, AnswerEvent)):
            ev = _cleaned(ev)  # one cleaning of what people type (bot/core/typed.py)
        if isinstance(ev, CommandEvent):
            cmd_id = self.names.get(ev.name.lower())
            if cmd_id is None:
                close = difflib.get_close_matches(ev.name.lower(), self.names, n=1, cutoff=0.75)
                if close:  # a typo: /nieuwtaem -> /nieuwteam
                    raise UserError(Msg("conv.unknown_command_close", name=ev.name[:40],
                                        suggestion=command_name(self.names[close[0]]),
                                        help_cmd=command_name("help")))
                raise UserError(Msg("common.unknown_command", name=ev.name[:40],
                                    help_cmd=command_name("help")))
            return await self._run(ctx, self.commands[cmd_id], ev.args)
        if isinstance(ev, ChoiceEvent):
            cmd_id, _, args = ev.value.partition(" ")
            cmd = self.commands.get(cmd_id)
            if cmd is None:
                raise UserError(Msg("common.stale_button"))
            return await self._after_choice(ctx, await self._run(ctx, cmd, args), consumed=True)
        if isinstance(ev, AnswerEvent):
            return await self._answer(ctx, ev.text, ev.question_id)
        if isinstance(ev, MessageEvent):
            return await self._answer(ctx, ev.text, None)
        return []

    async def _run(self, ctx: Context, cmd: Command, args_text: str) -> list[Reply]:
        if cmd.where is Where.GROUP and ctx.event.chat.is_private:
            raise UserError(Msg("access.group_only"))
        if cmd.where is Where.PRIVATE and not ctx.event.chat.is_private:
            raise UserError(Msg("access.private_only"))
        if cmd.access is not Access.ANYONE:
            ctx.require_school()
            if not await ctx.in_school():
                raise UserError(Msg("school.not_member"))
            if cmd.access is Access.SCHOOL_MANAGER and not await ctx.is_school_manager():
                raise UserError(Msg("access.need_leader"))
        args = parse_args(cmd, args_text)
        result = await cmd.handler(ctx, **args)
        return _as_list(result)

    async def _answer(self, ctx: Context, text: str, question_id: str | None) -> list[Reply]:
        """A typed reply answers only what the person was last shown (bot.core.conversation)."""
        ev = ctx.event
        key = conversation.chat_key(ev.chat.is_private, ev.chat.chat_id, PRIVATE_CHAT)
        if question_id is not None:  # a reply to one particular question (Slack modal, Telegram reply)
            row = None
            if ctx.member is not None:
                row = (await ctx.session.exec(select(PendingQuestion).where(
                    PendingQuestion.member_id == ctx.member.id, PendingQuestion.platform == ev.platform,
                    PendingQuestion.id == _int(question_id), PendingQuestion.kind != conversation.MENU,
                ))).first()
            if row is None:
                raise UserError(Msg("common.question_closed"))
            return await self._answer_row(ctx, row, text)
        if ctx.member is not None:
            menu = await conversation.menu_of(ctx.session, ctx.member.id, ev.platform, key)
            if menu is not None:
                index = conversation.pick(text, conversation.menu_labels(menu))
                if index is not None:
                    return await self._choose(ctx, conversation.menu_value(menu, index))
                said_choice = ev.chat.is_private or conversation.looks_like_choice(text)
                if conversation.is_blocking(menu) and said_choice:
                    raise UserError(_expect_choice(menu))
            queue = await conversation.asks_of(ctx.session, ctx.member.id, ev.platform, key)
            shown = next((r for r in queue if r.shown), None)
            if shown is not None:
                return await self._answer_row(ctx, shown, text)
            if queue:  # questions wait but none is on screen: ask the first, keep this text out of it
                return [Text(Msg("conv.first_this")), _ask_again(queue[0])]
        if not ev.chat.is_private:
            group = await conversation.menu_of(ctx.session, None, ev.platform, key)
            if group is not None and conversation.group_menu_fresh(group, ctx.now()):
                index = conversation.pick(text, conversation.menu_labels(group))
                if index is not None:
                    return await self._choose(ctx, conversation.menu_value(group, index), group=True)
                if conversation.looks_like_choice(text):
                    raise UserError(_expect_choice(group))
        if ev.chat.is_private:
            return [Text(Msg("common.private_hint", help_cmd=command_name("help")))]
        if ctx.team is not None:
            await _join_by_writing(ctx)
        if isinstance(ev, MessageEvent) and ev.addressed:  # a mention or a reply to the bot: never silence
            return [Text(Msg("talk.addressed_hint", help_cmd=command_name("help")))]
        return []  # ordinary chatter in a team's group: not ours to answer

    async def _choose(self, ctx: Context, value: str, group: bool = False) -> list[Reply]:
        """A typed number or yes/no under options: as if the button was pressed."""
        cmd_id, _, args = value.partition(" ")
        cmd = self.commands.get(cmd_id)
        if cmd is None:
            raise UserError(Msg("common.stale_button"))
        return await self._after_choice(ctx, await self._run(ctx, cmd, args), consumed=not group)

    async def _after_choice(self, ctx: Context, replies: list[Reply], consumed: bool) -> list[Reply]:
        """The options were answered: unless the answer shows new ones (or a question), the question
        waiting behind them is asked right after."""
        ev = ctx.event
        if ctx.member is None or not consumed:
            return replies
        key = conversation.chat_key(ev.chat.is_private, ev.chat.chat_id, PRIVATE_CHAT)
        if not any(isinstance(r, Choices) and not isinstance(r.target, TeamChat) for r in replies):
            await conversation.drop_menu(ctx.session, ctx.member.id, ev.platform, key)  # answered, none new
        return await self._next_question(ctx, replies, key)

    async def _next_question(self, ctx: Context, replies: list[Reply], key: str) -> list[Reply]:
        if any(_asks_caller(r) for r in replies) or ctx.member is None:
            return replies
        queue = await conversation.asks_of(ctx.session, ctx.member.id, ctx.event.platform, key)
        following = conversation.next_in_line(queue)
        if following is None:
            return replies
        return [*replies, Text(Msg("conv.next")), _ask_again(following)]

    async def _answer_row(self, ctx: Context, pending: PendingQuestion, text: str) -> list[Reply]:
        handler = self.registry.answers.get(pending.kind)
        payload = dict(pending.payload)
        payload.pop(PROMPT_KEY, None)
        key = pending.chat_id
        await ctx.session.delete(pending)
        await ctx.session.flush()
        if handler is None:
            raise UserError(Msg("common.question_closed"))
        replies = _as_list(await handler(ctx, payload, text))
        return await self._next_question(ctx, replies, key)


def _cleaned(ev: CommandEvent | MessageEvent | AnswerEvent) -> Event:
    if isinstance(ev, CommandEvent):
        return dataclasses.replace(ev, name=typed.clean(ev.name), args=typed.clean(ev.args))
    return dataclasses.replace(ev, text=typed.clean(ev.text))


def _asks_caller(reply: Reply) -> bool:
    """Whether a reply puts a new question or blocking options in front of the caller."""
    if isinstance(reply, Ask):
        return not isinstance(reply.target, TeamChat)
    if isinstance(reply, Choices):
        return not reply.optional and not isinstance(reply.target, TeamChat)
    return False


def _ask_again(row: PendingQuestion) -> Ask:
    payload = {k: v for k, v in row.payload.items() if k != PROMPT_KEY}
    payload[conversation.QUEUE_KEY] = row.id
    return Ask(Markup(str(row.payload.get(PROMPT_KEY, ""))), question_id=row.kind, payload=payload)


def _expect_choice(menu: PendingQuestion) -> Msg:
    return Msg("conv.expect_choice", max=len(conversation.menu_labels(menu)))


async def _join_by_writing(ctx: Context) -> None:
    """Writing in a team's linked channel or group makes you a member of that team, quietly.

    The platform vouches for the place (Context.in_school); school leaders and admins only visit
    teams, so their words do not make them members (they can still /aansluiten)."""
    team = ctx.team
    if team is None or ctx.event.chat.is_private or await ctx.team_membership(team) is not None:
        return
    if ctx.member is not None and await ctx.is_school_manager():
        return
    member = await ctx.ensure_member()
    await ctx.ensure_school_membership()
    ctx.session.add(TeamMembership(team_id=team.id, member_id=member.id, role="member", joined_at=ctx.now()))
    await ctx.session.flush()


def _as_errors(outgoing: list[Outgoing]) -> list[Outgoing]:
    return [dataclasses.replace(o, is_error=True) for o in outgoing]


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


def _as_list(result: Any) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return list(result)
    return [result]
