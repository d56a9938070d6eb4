"""/thema: the chair tags the team's quality cards with theme words for the school's library
(``/thema`` lists the team's cards and their themes; ``/thema 2 lezen, ouders`` sets card 2's own
tags). The themes derived from a card's own words (handlers/cycle/library_filters.py) stay; the
chair's tags add what the words do not say."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Text
from handlers.common.validation import shorten
from handlers.common.values import read_index
from handlers.cycle.library_filters import MAX_TAGS, THEMES, read_tags, valid_tag
from handlers.cycle.state import cycle_team
from prompts.catalog import Join, Msg
from storage.models import Cycle, QualityCard


@command("card_themes", params=(Param("number", required=False), Param("tags", required=False, rest=True)),
         access=Access.SCHOOL_MEMBER, section="cycle")
async def card_themes(ctx: Context, number: str | None, tags: str | None) -> Text:
    team = await cycle_team(ctx)
    cards = list((await ctx.session.exec(
        select(QualityCard, Cycle).join(Cycle, col(Cycle.id) == col(QualityCard.cycle_id))
        .where(QualityCard.team_id == team.id).order_by(col(QualityCard.created_at), col(QualityCard.id))
    )).all())
    if not cards:
        raise UserError(Msg("cycle.no_cards", team=team.name))
    if number is None:
        lines: list[object] = [Msg("start.themes.head", team=team.name)]
        lines += [Msg("start.themes.line", n=i, title=cycle.title,
                      themes=" ".join(f"#{t}" for t in card.themes) or "—")
                  for i, (card, cycle) in enumerate(cards, 1)]
        lines.append(Msg("start.themes.how", cmd=command_name("card_themes"),
                         examples=" ".join(f"#{t}" for t in THEMES)))
        return Text(Join(lines))
    await ctx.require_team_manager(team)
    if not 1 <= (read_index(number) or 0) <= len(cards):
        raise UserError(Msg("cycle.card_number", max=len(cards)))
    words = read_tags(tags or "")
    if not words:
        raise UserError(Msg("start.themes.none_given", cmd=command_name("card_themes")))
    wrong = [w for w in words if not valid_tag(w)]
    if wrong:
        raise UserError(Msg("start.themes.bad", word=shorten(wrong[0], 30)))
    if len(words) > MAX_TAGS:
        raise UserError(Msg("start.themes.too_many", max=MAX_TAGS))
    card, cycle = cards[int(number) - 1]
    card.themes = words
    ctx.session.add(card)
    return Text(Msg("start.themes.set", title=cycle.title, themes=" ".join(f"#{t}" for t in words),
                    cmd=command_name("cards_school")))
