"""What a team learns reaches the school (seed 000: the leader lifts team learning to the
organisation; seed 003: quality cards so no team reinvents the wheel): /kaarten and /bibliotheek
for everyone at the school, newest first, with a search term. A card shows its title, the problem,
what worked (the chosen direction), what was learned and whom to ask (the team's chair) — never an
individual answer."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.replies import Text
from handlers.common.validation import shorten
from handlers.common.values import date_msg
from handlers.cycle.library_search import search
from handlers.cycle.running import chair_names
from prompts.catalog import Join, Msg
from storage.models import CycleRound, DirectionRecord, EvaluationRecord, ProblemRecord

CARDS_SHOWN = 10
SOURCES_SHOWN = 15
TEXT_SHOWN = 200


async def _last_rounds(session: AsyncSession, cycle_ids: Sequence[int]) -> dict[int, int]:
    """Each cycle's last round id, in one query."""
    last: dict[int, tuple[int, int]] = {}
    rows = (await session.exec(select(CycleRound).where(col(CycleRound.cycle_id).in_(list(cycle_ids))))).all()
    for rnd in rows:
        if rnd.cycle_id not in last or rnd.number > last[rnd.cycle_id][0]:
            last[rnd.cycle_id] = (rnd.number, rnd.id)
    return {cycle_id: round_id for cycle_id, (_, round_id) in last.items()}


@command("cards_school", params=(Param("query", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def cards_school(ctx: Context, query: str | None) -> Text:
    school = ctx.require_school()
    found = await search(ctx.session, school.id, query or "", limit=CARDS_SHOWN + 1, newest_first=True)
    cards = found.cards[:CARDS_SHOWN]
    head = Msg("method.cards_head", school=school.name, cmd=command_name("cards_school")) if not query else \
        Msg("method.cards_found", query=shorten(query, 60))
    if not cards:
        return Text(Join([head, Msg("method.cards_none", card_cmd=command_name("card"))]))
    rounds = await _last_rounds(ctx.session, [c.id for _, c, _ in cards])
    ids = list(rounds.values())
    problems = {p.round_id: p.statement for p in (await ctx.session.exec(
        select(ProblemRecord).where(col(ProblemRecord.round_id).in_(ids)))).all()}
    directions = {d.round_id: d.text for d in (await ctx.session.exec(
        select(DirectionRecord).where(col(DirectionRecord.round_id).in_(ids)))).all()}
    learned = {e.round_id: e.learned for e in (await ctx.session.exec(
        select(EvaluationRecord).where(col(EvaluationRecord.round_id).in_(ids)))).all()}
    chairs = await chair_names(ctx.session, sorted({t.id for _, _, t in cards}))
    lines: list[object] = [head]
    for card, cycle, team in cards:
        rid = rounds.get(cycle.id)
        lines.append(Msg("method.card_head", title=cycle.title, team=team.name,
                         closed=date_msg(card.created_at.date())))
        for key, value in (("method.card_problem", problems.get(rid or 0)),
                           ("method.card_worked", directions.get(rid or 0)),
                           ("method.card_learned", learned.get(rid or 0))):
            if value:
                lines.append(Msg(key, text=shorten(value, TEXT_SHOWN)))
        lines.append(Msg("method.card_ask", person=chairs.get(team.id) or Msg("method.card_ask_team"),
                         team=team.name))
    if len(found.cards) > CARDS_SHOWN:
        lines.append(Msg("method.more", cmd=command_name("cards_school")))
    return Text(Join(lines))


@command("library", params=(Param("query", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def library(ctx: Context, query: str | None) -> Text:
    school = ctx.require_school()
    found = await search(ctx.session, school.id, query or "", limit=SOURCES_SHOWN + 1, newest_first=True)
    sources = found.sources[:SOURCES_SHOWN]
    head = Msg("method.library_head", school=school.name, cmd=command_name("library")) if not query else \
        Msg("method.library_found", query=shorten(query, 60))
    if not sources:
        return Text(Join([head, Msg("method.library_none", source_cmd=command_name("source"))]))
    lines: list[object] = [head]
    for source, cycle, team in sources:
        lines.append(Msg("method.library_line", title=source.title, by=source.author_year or "—",
                         team=team.name, cycle=cycle.title, takeaway=shorten(source.takeaway, TEXT_SHOWN)))
        if source.url:
            lines.append(Msg("method.library_url", url=source.url))
    if len(found.sources) > SOURCES_SHOWN:
        lines.append(Msg("method.more", cmd=command_name("library")))
    return Text(Join(lines))
