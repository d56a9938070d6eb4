"""/taal: each member chooses Dutch or English for everything the bot says to them."""

from __future__ import annotations

from bot.core.commands import Param, command
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.replies import Text
from prompts.catalog import LANGUAGES, Msg

ALIASES = {"nl": "nl", "nederlands": "nl", "dutch": "nl", "vlaams": "nl",
           "en": "en", "engels": "en", "english": "en"}


@command("language", params=(Param("language"),), section="general")
async def set_language(ctx: Context, language: str) -> Text:
    lang = ALIASES.get(language.strip().lower())
    if lang not in LANGUAGES:
        raise UsageError("language", Msg("language.unknown", choices=", ".join(LANGUAGES)))
    member = await ctx.ensure_member()
    member.language = lang
    ctx.session.add(member)
    ctx.lang = lang
    return Text(Msg("language.set"))
