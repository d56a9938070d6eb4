"""What the bot puts on the voorzittersoverleg's agenda for each team (seed 003): what the team
learned, what it needs, and what it advises — read from the team's own records, never from any
individual answer.

- *learned*: the round's evaluation ("wat hebben we geleerd"), else what the previous round
  carried over, else the direction the team chose from its sources;
- *needs*: the team's open requests to the leader (``/vraagleider``), and momentum the chairs can
  help with (meetings cancelled, a measurement moment passed without a result);
- *advises*: the agreements the team made to keep what worked (the borging of its latest
  evaluation), which is what other teams and the leadership can take over;
- and where it stands: the focus and phase, or the running intervention against its plan.

Set-based: the leader digest's gatherer (one query per kind of fact for all teams) does the
reading, plus one query for the advice, so a board with many teams costs the same few queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.common.validation import shorten
from handlers.leader.digest_data import TeamFacts, gather
from prompts.catalog import Msg
from storage.models import Cycle, CycleRound, EvaluationRecord, School

WINDOW = timedelta(days=28)  # momentum the chairs hear about: the last four weeks
CLIP = 160  # a team's line stays a line: longer texts are cut (the full text is in /kaart, /status)
MOMENTUM_KINDS = ("cancelled_in_a_row", "moment_missed", "phase_stalled")  # never quiet_member: no names


def clip(text: str) -> str:
    return shorten(" ".join(text.split()), CLIP)


async def advice_of(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, str]:
    """Each team's newest borging (what it keeps doing and would advise), in one query."""
    if not team_ids:
        return {}
    rows = (await session.exec(
        select(Cycle.team_id, EvaluationRecord.embedding)
        .join(CycleRound, col(CycleRound.cycle_id) == col(Cycle.id))
        .join(EvaluationRecord, col(EvaluationRecord.round_id) == col(CycleRound.id))
        .where(col(Cycle.team_id).in_(list(team_ids)), col(EvaluationRecord.embedding).is_not(None))
        .order_by(col(EvaluationRecord.updated_at), col(EvaluationRecord.id)))).all()
    return {team_id: text for team_id, text in rows if text}  # the newest wins


def team_lines(f: TeamFacts, advice: str | None) -> list[Any]:
    if f.cycle is not None and f.round is not None:
        where: Any = Msg("chairs.state.phase", focus=f.cycle.title, number=f.round.phase,
                         name=f.running or Msg(f"cycle.phase{f.round.phase}.name"))
    else:
        where = Msg("chairs.state.no_focus")
    chair = f.chair or Msg("chairs.state.no_chair")
    lines: list[Any] = [Msg("chairs.state.team", team=f.team.name, chair=chair, where=where)]
    learned = f.learned or f.direction
    lines.append(Msg("chairs.state.learned", text=clip(learned)) if learned
                 else Msg("chairs.state.learned_none"))
    needs: list[Any] = [Msg("chairs.state.request", text=clip(q.text)) for q in f.questions]
    kinds = sorted({fl.kind for fl in f.flags if fl.kind in MOMENTUM_KINDS})
    needs += [Msg(f"chairs.state.momentum.{kind}") for kind in kinds]
    if needs:
        lines += [Msg("chairs.state.needs", text=n) for n in needs]
    else:
        lines.append(Msg("chairs.state.needs_none"))
    lines.append(Msg("chairs.state.advises", text=clip(advice)) if advice
                 else Msg("chairs.state.advises_none"))
    return lines


async def state_lines(session: AsyncSession, school: School, now: datetime) -> list[Any]:
    """The bot's part of the chairs' agenda: a heading, then each active team in name order."""
    facts = await gather(session, school, None, now, since=now - WINDOW)
    lines: list[Any] = [Msg("chairs.state.head")]
    if not facts.teams:
        return [*lines, Msg("chairs.state.no_teams")]
    advice = await advice_of(session, [f.team.id for f in facts.teams])
    for f in facts.teams:
        lines += team_lines(f, advice.get(f.team.id))
    return lines
