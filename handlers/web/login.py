"""``/web``: a one-time link to the school's web pages, for the person who asks; ``/web uit``
ends every browser session of that person. No passwords: whoever can write to you as you in
the chat can log in as you, exactly as they could use the bot as you."""

from __future__ import annotations

from bot.core.commands import Param, command
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.replies import PRIVATE, Text
from handlers.web.tokens import LINK_VALID, end_sessions, issue_login
from prompts.catalog import Msg


def login_url(base: str, token: str) -> str:
    return f"{base}/web/login/{token}"


@command("web", params=(Param("action", required=False, max_length=20),), section="general")
async def web_link(ctx: Context, action: str | None) -> Text:
    cat = ctx.catalog
    if action is not None:
        if action.lower() not in {cat.raw(lang, "web.off_word") for lang in cat.messages}:
            raise UsageError("web", Msg("web.unknown_action", off=Msg("web.off_word")))
        if ctx.member is None:
            return Text(Msg("web.ended", count=0), target=PRIVATE)
        count = await end_sessions(ctx.session, ctx.member.id, ctx.now())
        return Text(Msg("web.ended", count=count), target=PRIVATE)
    if ctx.member is None:
        return Text(Msg("web.no_member"), target=PRIVATE)
    token = await issue_login(ctx.session, ctx.member.id, ctx.now())
    minutes = int(LINK_VALID.total_seconds() // 60)
    return Text(
        Msg(
            "web.link", url=login_url(ctx.settings.web_base, token), minutes=minutes, off=Msg("web.off_word")
        ),
        target=PRIVATE,
    )
