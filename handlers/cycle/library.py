"""What a team learns reaches the school (seed 000: the leader lifts team learning to the
organisation; seed 003: quality cards so no team reinvents the wheel): /kaarten and /bibliotheek
for everyone at the school, newest first, with a search term. A card shows its title, the problem,
what worked (the chosen direction), what was learned and whom to ask (the team's chair) — never an
individual answer. Filters by half of the school year and by theme: handlers/cycle/library_filters.py."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.replies import Text
from handlers.common.validation import shorten
from handlers.common.values import date_msg
from handlers.cycle.library_filters import derive_themes, matches, parse, period_of
from handlers.cycle.library_search import MAX_RESULTS, search
from handlers.cycle.running import chair_names
from prompts.catalog import Join, Msg
from storage.models import CycleRound, DirectionRecord, EvaluationRecord, PlanRecord, ProblemRecord

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
    filters = parse(query)  # "#lezen voorjaar": a theme and a half of the school year (library_filters.py)
    limit = MAX_RESULTS if filters.active else CARDS_SHOWN + 1
    found = await search(ctx.session, school.id, filters.text, limit=limit, newest_first=True)
    head = Msg("method.cards_head", school=school.name, cmd=command_name("cards_school")) if not query else \
        Msg("method.cards_found", query=shorten(query, 60))
    rounds = await _last_rounds(ctx.session, [c.id for _, c, _ in found.cards])
    ids = list(rounds.values())
    problems = {p.round_id: p.statement for p in (await ctx.session.exec(
        select(ProblemRecord).where(col(ProblemRecord.round_id).in_(ids)))).all()}
    goals = {p.round_id: p.goal_text for p in (await ctx.session.exec(
        select(PlanRecord).where(col(PlanRecord.round_id).in_(ids)))).all()}
    themes = {card.id: sorted(set(card.themes) | derive_themes(
        cycle.title, problems.get(rounds.get(cycle.id, 0)), goals.get(rounds.get(cycle.id, 0))))
        for card, cycle, _ in found.cards}
    matching = [x for x in found.cards if matches(filters, x[0].created_at, school.timezone, themes[x[0].id])]
    cards = matching[:CARDS_SHOWN]
    if not cards:
        none = Msg("start.library.none_filtered", cmd=command_name("cards_school")) if filters.active else \
            Msg("method.cards_none", card_cmd=command_name("card"))
        return Text(Join([head, none]))
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
        lines.append(_tags_line(themes[card.id], period_of(card.created_at, school.timezone)))
        lines.append(Msg("method.card_ask", person=chairs.get(team.id) or Msg("method.card_ask_team"),
                         team=team.name))
    if len(matching) > CARDS_SHOWN:
        lines.append(Msg("method.more", cmd=command_name("cards_school")))
    return Text(Join(lines))


def _tags_line(themes: Sequence[str], period: str) -> Msg:
    """'Thema: #lezen #motivatie · najaar' under a card or source, so people see what to filter on."""
    return Msg("start.library.tags", themes=" ".join(f"#{t}" for t in themes) or "—",
               period=Msg(f"start.library.period.{period}"))


@command("library", params=(Param("query", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def library(ctx: Context, query: str | None) -> Text:
    school = ctx.require_school()
    filters = parse(query)
    limit = MAX_RESULTS if filters.active else SOURCES_SHOWN + 1
    found = await search(ctx.session, school.id, filters.text, limit=limit, newest_first=True)
    themes = {source.id: sorted(derive_themes(source.title, source.takeaway, cycle.title))
              for source, cycle, _ in found.sources}
    matching = [x for x in found.sources if matches(filters, x[0].added_at, school.timezone, themes[x[0].id])]
    sources = matching[:SOURCES_SHOWN]
    head = Msg("method.library_head", school=school.name, cmd=command_name("library")) if not query else \
        Msg("method.library_found", query=shorten(query, 60))
    if not sources:
        none = Msg("start.library.none_filtered", cmd=command_name("library")) if filters.active else \
            Msg("method.library_none", source_cmd=command_name("source"))
        return Text(Join([head, none]))
    lines: list[object] = [head]
    for source, cycle, team in sources:
        lines.append(Msg("method.library_line", title=source.title, by=source.author_year or "—",
                         team=team.name, cycle=cycle.title, takeaway=shorten(source.takeaway, TEXT_SHOWN)))
        if source.url:
            lines.append(Msg("method.library_url", url=source.url))
        if filters.active:
            lines.append(_tags_line(themes[source.id], period_of(source.added_at, school.timezone)))
    if len(matching) > SOURCES_SHOWN:
        lines.append(Msg("method.more", cmd=command_name("library")))
    return Text(Join(lines))
