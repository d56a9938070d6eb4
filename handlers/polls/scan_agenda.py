"""After a scan round closes, the team's next agenda gets one discussion point with two prompts
taken from the results (seed 004: each person's own score, then their own conclusion, then the
conversation): the lowest dimension — what does each of us conclude? — and the statement the
team answered furthest apart — where does the difference lie?

The point is written once, in the same transaction that closes the round (the close is an
``UPDATE … WHERE status='open'`` only one process wins), in the school's language, as an
ordinary agenda item added by nobody: the chair can move, remove or mark it handled like any
other, and it rolls over until it is handled. A round without visible results (too few
answers) gets no point: there is nothing the team may see to discuss.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.common.validation import shorten
from handlers.common.values import number_msg
from handlers.meetings.agenda import TITLE_MAX
from handlers.polls.scan_results import second_prompt
from handlers.polls.scan_scores import by_dimension, lowest
from handlers.polls.store import results
from prompts.catalog import Catalog, Msg
from prompts.markup import plain
from storage.models import AgendaItem, Poll, School, Team

DISCUSSION_MINUTES = 15


def discussion_title(catalog: Catalog, lang: str, round_: int, dimension: str, avg: float, short_key: str,
                     low: int, high: int) -> str:
    body = Msg("scan.agenda_item", round=round_, lowest=Msg(f"poll.dim.{dimension}"),
               avg=number_msg(round(avg, 1)), widest=Msg(f"{short_key}.short"), low=low, high=high)
    return shorten(plain(catalog.render(body, lang)), TITLE_MAX)


async def add_discussion_point(session: AsyncSession, catalog: Catalog, poll: Poll, now: datetime) -> bool:
    """Put the conversation about a closed scan round on the team's agenda; False when the round
    shows nothing yet."""
    res = (await results(session, [poll]))[poll.id]
    groups = by_dimension(res)
    dim = lowest(groups)
    second = second_prompt(res)
    if dim is None or second is None or not second.question.key:
        return False
    team = await session.get(Team, poll.team_id)
    school = await session.get(School, team.school_id) if team is not None else None
    if team is None:
        return False
    counts = second.scored_counts
    title = discussion_title(catalog, school.language if school is not None else "nl", poll.round, dim,
                             groups[dim].mean, second.question.key, min(counts), max(counts))
    # also on a full agenda (MAX_OPEN limits what members type): the results promise the conversation
    top = (await session.exec(select(func.max(AgendaItem.position)).where(
        AgendaItem.team_id == team.id, AgendaItem.status == "open"))).first()
    session.add(AgendaItem(team_id=team.id, title=title, minutes=DISCUSSION_MINUTES, added_by=None,
                           position=int(top or 0) + 1, status="open", added_at=now))
    await session.flush()
    return True
