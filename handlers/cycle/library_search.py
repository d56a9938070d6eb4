"""The school's library: every team's quality cards and the sources teams recorded, searchable.

Search is a case-insensitive substring match (``lower(column) LIKE lower(:q)``, with ``%`` and
``_`` in the query taken literally) that runs the same on SQLite and PostgreSQL; a school's
library is hundreds of rows, not millions, so no full-text index is needed yet.

One query for the web pages (``handlers/web``) and the chat commands /kaarten and /bibliotheek
(``handlers/cycle/library.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Cycle, CycleRound, QualityCard, Source, Team

MAX_RESULTS = 200
QUERY_MAX = 100


@dataclass
class Library:
    query: str
    cards: list[tuple[QualityCard, Cycle, Team]]
    sources: list[tuple[Source, Cycle, Team]]


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(pattern: str, *columns: Any) -> Any:
    return or_(*[func.lower(c).like(pattern, escape="\\") for c in columns])


async def search(session: AsyncSession, school_id: int, query: str, *, limit: int = MAX_RESULTS,
                 newest_first: bool = False) -> Library:
    query = " ".join(query.split())[:QUERY_MAX]
    cards = (
        select(QualityCard, Cycle, Team)
        .join(Cycle, col(Cycle.id) == col(QualityCard.cycle_id))
        .join(Team, col(Team.id) == col(QualityCard.team_id))
        .where(Team.school_id == school_id)
    )
    sources = (
        select(Source, Cycle, Team)
        .join(CycleRound, col(CycleRound.id) == col(Source.round_id))
        .join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id))
        .join(Team, col(Team.id) == col(Cycle.team_id))
        .where(Team.school_id == school_id)
    )
    if query:
        pattern = _like(query)
        cards = cards.where(_matches(pattern, Cycle.title, QualityCard.markdown, Team.name))
        sources = sources.where(
            _matches(pattern, Source.title, Source.takeaway, Source.author_year, Team.name)
        )
    found_cards = [
        (c, y, t)
        for c, y, t in (
            await session.exec(cards.order_by(col(QualityCard.created_at).desc()).limit(limit))
        ).all()
    ]
    found_sources = [
        (s, y, t)
        for s, y, t in (
            await session.exec(sources.order_by(
                *((col(Source.added_at).desc(), col(Source.id).desc()) if newest_first
                  else (col(Source.title), col(Source.id)))).limit(limit))
        ).all()
    ]
    return Library(query, found_cards, found_sources)
