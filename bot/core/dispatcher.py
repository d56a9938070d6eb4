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
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capability import Registry
from bot.core.clock import Clock
from bot.core.commands import Access, Command, Where, command_name, parse_args
from bot.core.config import Settings
from bot.core.context import Context
from bot.core.delivery import PRIVATE_CHAT, PROMPT_KEY, Outgoing, Resolver
from bot.core.errors import UsageError, UserError
from bot.core.events import AnswerEvent, ChoiceEvent, CommandEvent, Event, MessageEvent
from bot.core.replies import Ask, Reply, Text
from prompts.catalog import Catalog, Msg
from storage.models import PendingQuestion, ProcessedEvent, TeamMembership

log = logging.getLogger(__name__)


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
            session.add(ProcessedEvent(platform=event.platform, event_id=event.event_id[:128],
                                       processed_at=self.clock.now()))
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                log.info("duplicate event %s/%s dropped", event.platform, event.event_id)
                return []
            ctx = await Context.build(event, session, self.clock, self.settings, self.catalog, self.registry,
                                      reach)
            lang = ctx.lang
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
                    await Resolver.for_event(self.catalog, event, lang).resolve([Text(Msg("common.failed"))])
                )
        # A user mistake: keep only the event key, so a redelivery stays quiet.
        async with self.sessions() as session:
            session.add(ProcessedEvent(platform=event.platform, event_id=event.event_id[:128],
                                       processed_at=self.clock.now()))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return []
        return _as_errors(await Resolver.for_event(self.catalog, event, lang).resolve(replies))

    def _resolver(self, ctx: Context, session: AsyncSession) -> Resolver:
        return Resolver.for_event(self.catalog, ctx.event, ctx.lang, session=session,
                                  member_id=ctx.member.id if ctx.member else None,
                                  default_lang=self.settings.language, now=self.clock.now())

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
        if isinstance(ev, CommandEvent):
            cmd_id = self.names.get(ev.name.lower())
            if cmd_id is None:
                raise UserError(Msg("common.unknown_command", name=ev.name[:40],
                                    help_cmd=command_name("help")))
            return await self._run(ctx, self.commands[cmd_id], ev.args)
        if isinstance(ev, ChoiceEvent):
            cmd_id, _, args = ev.value.partition(" ")
            cmd = self.commands.get(cmd_id)
            if cmd is None:
                raise UserError(Msg("common.stale_button"))
            return await self._run(ctx, cmd, args)
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
        ev = ctx.event
        pending = None
        if ctx.member is not None:
            stmt = select(PendingQuestion).where(
                PendingQuestion.member_id == ctx.member.id, PendingQuestion.platform == ev.platform
            )
            if question_id is not None:
                stmt = stmt.where(PendingQuestion.id == _int(question_id))
            else:
                stmt = stmt.where(
                    PendingQuestion.chat_id == (PRIVATE_CHAT if ev.chat.is_private else ev.chat.chat_id)
                )
            pending = (await ctx.session.exec(stmt)).first()
        if pending is None:
            if question_id is not None:
                raise UserError(Msg("common.question_closed"))
            if ev.chat.is_private:
                return [Text(Msg("common.private_hint", help_cmd=command_name("help")))]
            if question_id is None and ctx.team is not None:
                await _join_by_writing(ctx)
            return []  # ordinary chatter in a team's group: not ours to answer
        handler = self.registry.answers.get(pending.kind)
        payload = dict(pending.payload)
        payload.pop(PROMPT_KEY, None)
        await ctx.session.delete(pending)
        await ctx.session.flush()
        if handler is None:
            raise UserError(Msg("common.question_closed"))
        return _as_list(await handler(ctx, payload, text))


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
