"""/taal and /schooltaal: the language a member hears, and the language a school's channels hear.

A member's own choice wins for what is said to them; the school's language is used in the team
channels and for members who have not chosen (and whose app does not tell us a language we speak).
Flemish (nl-BE) is Dutch with the words Flemish schools use (directeur, leerjaar, vergadering …).
"""

from __future__ import annotations

from bot.core.commands import Access, Param, command
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.replies import Text
from prompts.catalog import LANGUAGES, Msg, normalize_language

ALIASES = {"nederlands": "nl", "dutch": "nl", "vlaams": "nl-BE", "flemish": "nl-BE", "belgisch": "nl-BE",
           "engels": "en", "english": "en"}


def chosen_language(command_id: str, text: str) -> str:
    """A language as typed (``nl-BE``, ``nl_be``, ``vlaams``, ``English``) → a catalog language."""
    word = text.strip().lower()
    lang = ALIASES.get(word) or normalize_language(word)
    if lang is None or (lang.lower() != word.replace("_", "-") and word not in ALIASES):
        raise UsageError(command_id, Msg("language.unknown", choices=", ".join(LANGUAGES)))
    return lang


@command("language", params=(Param("language"),), section="general")
async def set_language(ctx: Context, language: str) -> Text:
    lang = chosen_language("language", language)
    member = await ctx.ensure_member()
    member.language = lang
    ctx.session.add(member)
    ctx.lang = lang
    return Text(Msg("language.set"))


@command("school_language", params=(Param("language"),), access=Access.SCHOOL_MANAGER, section="school")
async def set_school_language(ctx: Context, language: str) -> Text:
    school = ctx.require_school()
    school.language = chosen_language("school_language", language)
    ctx.session.add(school)
    ctx.lang = ctx.language_for(ctx.member)
    return Text(Msg("language.school_set", school=school.name, lang=Msg(f"language.name.{school.language}")))
