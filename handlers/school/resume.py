"""Showing a waiting question again, e.g. when someone opens the private chat from a group's link.

A question that should be answered privately is stored with the text it was asked with
(``bot.core.delivery.PROMPT_KEY``), so it can be asked again later, after a restart too. Telegram
sends this when a person taps the bot's deep link and presses *Start*; with no question waiting
it greets them instead.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.commands import Where, command, command_name
from bot.core.context import Context
from bot.core.conversation import MENU
from bot.core.delivery import PRIVATE_CHAT, PROMPT_KEY
from bot.core.replies import Ask, Text
from prompts.catalog import Msg
from prompts.markup import Markup
from storage.models import PendingQuestion


@command("resume", hidden=True, where=Where.PRIVATE)
async def resume(ctx: Context) -> Ask | Text:
    if ctx.member is not None:
        stmt = select(PendingQuestion).where(
            PendingQuestion.member_id == ctx.member.id,
            PendingQuestion.platform == ctx.event.platform,
            PendingQuestion.chat_id == PRIVATE_CHAT,
            PendingQuestion.kind != MENU,
        ).order_by(col(PendingQuestion.shown).desc(), col(PendingQuestion.id))
        pending = (await ctx.session.exec(stmt)).first()
        prompt = pending.payload.get(PROMPT_KEY) if pending is not None else None
        if pending is not None and isinstance(prompt, str) and prompt:
            payload = {k: v for k, v in pending.payload.items() if k != PROMPT_KEY}
            return Ask(Markup(prompt), question_id=pending.kind, payload=payload)
    return Text(Msg("common.private_hint", help_cmd=command_name("help")))
