"""A team's charter: its ambition and its ground rules (spelregels) — the *visie* dimension of
seed 003 (a shared picture of where the team wants to go and how it works together) and the start
seed 001 asks of a new PLG.

The chair sets them with /ambitie and /spelregels (a team member or leader reads them with
/handvest). They stand at the top of /status and of the team's web page, and at the top of the
agenda of the team's first ``CHARTER_AGENDAS`` meetings — counted again from every change, so a
changed charter is always shown at the next meetings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Choices, Reply, Text
from handlers.common.targets import NoChat, text, to_team
from handlers.common.values import read_text
from handlers.cycle.state import cycle_team, offer_teams, team_named_or_mine
from prompts.catalog import Join, Msg
from storage.models import Meeting, Team, TeamCharter

CHARTER_AGENDAS = 3  # the charter heads the agenda of this many meetings after it was set or changed
AMBITION_MAX = 1000
RULE_MAX = 200
RULES_MAX = 10
SPLIT = re.compile(r"\s*(?:\n|;)\s*")
# a list's mark before a rule ("- ", "• ", "2. ", "3) "), not a number the rule starts with ("5 minuten …")
LIST_MARK = re.compile(r"^\s*(?:[-•*]\s*|\d+[.)]\s+)")


async def charter_of(session: AsyncSession, team_id: int) -> TeamCharter | None:
    return (await session.exec(select(TeamCharter).where(TeamCharter.team_id == team_id))).first()


def charter_lines(charter: TeamCharter | None) -> list[Any]:
    """The charter as lines (ambition, then one bullet per ground rule); nothing when it is empty."""
    if charter is None or (not charter.ambition and not charter.rules):
        return []
    lines: list[Any] = [Msg("start.charter.head")]
    if charter.ambition:
        lines.append(Msg("start.charter.ambition", text=charter.ambition))
    if charter.rules:
        lines.append(Msg("start.charter.rules"))
        lines += [Msg("start.charter.rule", text=rule) for rule in charter.rules]
    return lines


async def agenda_charter_lines_of(session: AsyncSession, wanted: Sequence[tuple[Team, Meeting | None]]
                                  ) -> dict[int, list[Any]]:
    """The charter atop each team's agenda, while the meeting is one of the first CHARTER_AGENDAS
    since the charter was set or last changed (an agenda with no meeting planned yet shows it too);
    for many teams (a fan-out of reminders) in two queries."""
    out: dict[int, list[Any]] = {team.id: [] for team, _ in wanted}
    ids = list(out)
    charters = {c.team_id: c for c in (await session.exec(
        select(TeamCharter).where(col(TeamCharter.team_id).in_(ids)))).all()} if ids else {}
    if not charters:
        return out
    since: dict[int, list[datetime]] = {}  # each team's meetings since its charter was last changed
    for team_id, starts in (await session.exec(
            select(Meeting.team_id, Meeting.starts_at)
            .join(TeamCharter, col(TeamCharter.team_id) == col(Meeting.team_id))
            .where(col(Meeting.team_id).in_(list(charters)), col(Meeting.status).in_(("planned", "held")),
                   col(Meeting.starts_at) >= col(TeamCharter.updated_at)))).all():
        since.setdefault(team_id, []).append(starts)
    for team, meeting in wanted:
        charter = charters.get(team.id)
        lines = charter_lines(charter)
        if not lines or charter is None:
            continue
        if meeting is not None:
            before = sum(1 for starts in since.get(team.id, []) if starts < meeting.starts_at)
            if meeting.starts_at < charter.updated_at or before >= CHARTER_AGENDAS:
                continue
        out[team.id] = lines
    return out


async def _set(ctx: Context, team: Team, *, ambition: str | None = None,
               rules: Sequence[str] | None = None) -> list[Reply]:
    await ctx.require_team_manager(team)
    charter = await charter_of(ctx.session, team.id)
    now: datetime = ctx.now()
    if charter is None:
        charter = TeamCharter(team_id=team.id, rules=[], updated_at=now)
    if ambition is not None:
        charter.ambition = ambition
    if rules is not None:
        charter.rules = list(rules)
    charter.updated_by = ctx.member.id if ctx.member else None
    charter.updated_at = now
    ctx.session.add(charter)
    body = Join([Msg("start.charter.changed", team=team.name, n=CHARTER_AGENDAS), *charter_lines(charter),
                 Msg("start.charter.how", ambition_cmd=command_name("charter_ambition"),
                     rules_cmd=command_name("charter_rules"))])
    return await to_team(ctx.session, team, text(body), no_chat=NoChat.ANSWER_HERE, acting=ctx)


@command("charter_ambition", params=(Param("ambition", rest=True, max_length=20000),),
         access=Access.SCHOOL_MEMBER, section="cycle")
async def set_ambition(ctx: Context, ambition: str) -> list[Reply]:
    team = await cycle_team(ctx)
    clean = " ".join(read_text(ambition, max_length=AMBITION_MAX, what="start.charter.what_ambition").split())
    return await _set(ctx, team, ambition=clean)


@command("charter_rules", params=(Param("rules", rest=True, max_length=20000),),
         access=Access.SCHOOL_MEMBER, section="cycle")
async def set_rules(ctx: Context, rules: str) -> list[Reply]:
    team = await cycle_team(ctx)
    raw = read_text(rules, max_length=RULES_MAX * (RULE_MAX + 2), what="start.charter.what_rules")
    parts = [" ".join(LIST_MARK.sub("", p).split()) for p in SPLIT.split(raw)]
    parts = [p for p in parts if p]
    if not parts:
        raise UserError(Msg("value.empty", what=Msg("start.charter.what_rules")))
    if len(parts) > RULES_MAX:
        raise UserError(Msg("start.charter.too_many", count=len(parts), max=RULES_MAX))
    for part in parts:
        read_text(part, max_length=RULE_MAX, what="start.charter.what_rule")
    return await _set(ctx, team, rules=parts)


@command("charter", params=(Param("team", required=False, rest=True),), access=Access.SCHOOL_MEMBER,
         section="cycle")
async def show_charter(ctx: Context, team: str | None) -> Text | Choices:
    offer = await offer_teams(ctx, team, "charter")
    if offer is not None:
        return offer
    found = await team_named_or_mine(ctx, team)
    lines = charter_lines(await charter_of(ctx.session, found.id))
    how = Msg("start.charter.how", ambition_cmd=command_name("charter_ambition"),
              rules_cmd=command_name("charter_rules"))
    if not lines:
        return Text(Join([Msg("start.charter.none", team=found.name), how]))
    return Text(Join([Msg("start.charter.of", team=found.name), *lines[1:], how]))
