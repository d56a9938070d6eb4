"""Where a team's news goes: its linked chat, or — when it has none — somewhere the caller says.

One function for every post to a team. The fallback for a team without a linked chat is always
named at the call site, because it differs by purpose: what a person just did is answered to that
person (``NoChat.ANSWER_HERE``); what the bot posts on its own or asks of everyone (reminders,
polls, results, the stille wand) goes to each member privately (``NoChat.EACH_MEMBER``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.replies import DirectTo, Here, Reply, Target, TeamChat, Text
from prompts.catalog import Msg
from storage import circle
from storage import queries as q
from storage.models import Team

if TYPE_CHECKING:
    from bot.core.context import Context

Post = Callable[[Target], list[Reply]]  # the replies for one target


class NoChat(enum.Enum):
    """What a post does when its team has no linked chat."""

    ANSWER_HERE = "answer_here"  # answer the person who acted, where they typed
    EACH_MEMBER = "each_member"  # every member of the team, privately


def text(body: object) -> Post:
    """A post that is one text message."""
    return lambda target: [Text(body, target=target)]


async def to_team(session: AsyncSession, team: Team, post: Post, *, no_chat: NoChat,
                  acting: Context | None = None) -> list[Reply]:
    """The replies that put ``post`` in ``team``'s chat (for everyone, in the school's language).

    ``acting``: the context of the person whose action this is; when they typed it somewhere
    other than the team's chat, they are told where it went."""
    if await q.chat_of_team(session, team.id, None) is not None:
        replies = post(TeamChat(team.id))
        if acting is not None and (acting.team is None or acting.team.id != team.id):
            said = "chairs.posted" if team.kind == circle.CHAIRS_KIND else "cycle.posted_to_team"
            replies.append(Text(Msg(said, team=team.name), confirms=team.id))
        return replies
    if no_chat is NoChat.ANSWER_HERE:
        return post(Here())
    members = await circle.members_of(session, team)  # the chairs' meeting: its participants
    return [reply for member_id in members for reply in post(DirectTo(member_id))]
