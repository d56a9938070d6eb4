"""/hulp: the commands, in the reader's language, with what each needs."""

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
    if topic:
        wanted = topic.lstrip("/").lower()
        for cmd in visible:
            if wanted in {cat.raw(lang, f"cmd.{cmd.id}.name") for lang in cat.messages}:
                return Text(Join([
                    Msg("help.usage", line=usage_line(cat, ctx.lang, cmd)),
                    Msg(f"cmd.{cmd.id}.help"),
                    Msg(f"help.access.{cmd.access.value}"),
                ]))
        raise UserError(Msg("help.unknown_topic", topic=shorten(topic), help_cmd=command_name("help")))
    lines: list[object] = [Msg("help.intro"), Msg("help.privacy")]
    for section in SECTIONS:
        cmds = [c for c in visible if c.section == section]
        if not cmds:
            continue
        lines.append(Msg(f"help.section.{section}"))
        for cmd in cmds:
            lines.append(
                Msg("help.item", line=usage_line(cat, ctx.lang, cmd), help=Msg(f"cmd.{cmd.id}.help"))
            )
    if ctx.event.platform == "console":
        lines.append(Msg("help.console"))
    return Text(Join(lines))
