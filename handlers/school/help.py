"""/hulp: what I can do, short enough for a phone; /hulp <onderdeel> or /hulp <commando> for the rest.

The overview lists the sections (one line each) and the privacy promise; the commands of a
section, with what each needs, come with ``/hulp cyclus``; one command's full explanation with
``/hulp ritme``. The section words are catalog keys (help.topic.<section>), in every language.
"""

from __future__ import annotations

from bot.core.commands import SECTIONS, Param, command, command_name
from bot.core.context import Context
from bot.core.dispatcher import usage_line
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.validation import shorten
from prompts.catalog import Join, Msg


@command("help", params=(Param("topic", required=False),), section="general")
async def help_(ctx: Context, topic: str | None) -> Text:
    cat = ctx.catalog
    visible = [c for c in ctx.registry.commands.values() if not c.hidden]
    help_cmd = command_name("help")
    if not topic:
        lines: list[object] = [Msg("help.intro", help_cmd=help_cmd)]
        lines += [Msg("help.overview_line", topic=Msg(f"help.topic.{s}"), about=Msg(f"help.about.{s}"))
                  for s in SECTIONS if any(c.section == s for c in visible)]
        if ctx.event.platform == "console":
            lines.append(Msg("help.overview_line", topic=Msg("help.topic.console"),
                             about=Msg("help.about.console")))
        lines += [Msg("help.start"), Msg("help.privacy")]
        return Text(Join(lines))
    wanted = topic.lstrip("/").strip().lower()
    for section in (*SECTIONS, "console"):
        if wanted in {cat.raw(lang, f"help.topic.{section}").lower() for lang in cat.messages}:
            if section == "console":
                return Text(Msg("help.console"))
            return Text(Join([Msg(f"help.section.{section}")] + [
                Msg("help.item", line=usage_line(cat, ctx.lang, c), help=Msg(f"cmd.{c.id}.help"))
                for c in visible if c.section == section]))
    for cmd in visible:
        if wanted in {cat.raw(lang, f"cmd.{cmd.id}.name") for lang in cat.messages}:
            return Text(Join([
                Msg("help.usage", line=usage_line(cat, ctx.lang, cmd)),
                Msg(f"cmd.{cmd.id}.help"),
                Msg(f"help.access.{cmd.access.value}"),
            ]))
    raise UserError(Msg("help.unknown_topic", topic=shorten(topic), help_cmd=help_cmd))
