"""A teacher's own data (AVG/GDPR): see the privacy statement, export everything stored about
you, delete it; and the school's retention period for free-text answers.

Export and deletion walk the schema instead of a hand-kept list: every column that refers to a
member is found through its foreign key, so a table added later is covered automatically.
Deleting removes a person's identity, not the team's history: where a reference may be empty
(the author of a source, the voter of a poll answer) it is emptied, so counts and averages stay
correct; rows that are nothing but that person's own (their answers to reflection questions,
memberships, identities) are deleted.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, update
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.commands import Access, Param, command, command_name
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import PRIVATE, Choices, Document, Option, Reply, Text
from handlers.common.values import read_index
from handlers.leader.export_doc import readable_export
from prompts.catalog import Msg
from storage.models import Action, Answer, Member, QualityCard, School, TeamMembership
from storage.queries import table_of

RETENTION_MIN_DAYS, RETENTION_MAX_DAYS = 30, 3650
REMOVED = "—"  # what stands where a deleted person's name was


def member_columns() -> list[tuple[Table, Any]]:
    """Every (table, column) that points at a member, found from the foreign keys."""
    out = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "member" for fk in column.foreign_keys):
                out.append((table, column))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@command("privacy", section="general")
async def statement(ctx: Context) -> Text:
    return Text(Msg("privacy.statement", export_cmd=command_name("my_data"),
                    delete_cmd=command_name("delete_my_data")), target=PRIVATE)


@command("my_data", section="general")
async def export(ctx: Context) -> list[Reply]:
    if ctx.member is None:
        return [Text(Msg("privacy.nothing_stored"), target=PRIVATE)]
    data = await export_member(ctx.session, ctx.member.id)
    blob = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    readable = await readable_export(ctx.session, ctx.member.id, ctx.catalog, ctx.lang, counts)
    return [
        Document(
            blob,
            f"leerteam-mijn-gegevens-{ctx.now().date().isoformat()}.json",
            mime="application/json",
            caption=Msg("privacy.export_caption"),
            target=PRIVATE,
        ),
        Document(readable.encode("utf-8"), f"leerteam-mijn-gegevens-{ctx.now().date().isoformat()}.md",
                 mime="text/markdown", caption=Msg("export.caption"), target=PRIVATE),
    ]


async def export_member(session: AsyncSession, member_id: int) -> dict[str, Any]:
    member = await session.get(Member, member_id)
    out: dict[str, Any] = {"member": {k: _plain(v) for k, v in member.model_dump().items()} if member else {}}
    conn = await session.connection()
    for table, column in member_columns():
        rows = (await conn.execute(sa_select(table).where(column == member_id))).mappings().all()
        if rows:
            out.setdefault(f"{table.name}.{column.name}", []).extend(
                {k: _plain(v) for k, v in row.items()} for row in rows)
    return out


@command("delete_my_data", section="general")
async def ask_delete(ctx: Context) -> list[Reply]:
    if ctx.member is None:
        return [Text(Msg("privacy.nothing_stored"), target=PRIVATE)]
    return [Choices(Msg("privacy.delete_confirm"), (
        Option(Msg("privacy.delete_yes"), f"delete_my_data_confirm {ctx.member.id}"),
        Option(Msg("privacy.delete_no"), "delete_my_data_cancel"),
    ), target=PRIVATE)]


@command("delete_my_data_cancel", hidden=True)
async def cancel_delete(ctx: Context) -> Text:
    return Text(Msg("privacy.delete_cancelled"), target=PRIVATE)


@command("delete_my_data_confirm", params=(Param("member"),), hidden=True)
async def confirm_delete(ctx: Context, member: str) -> Text:
    if ctx.member is None or member != str(ctx.member.id):
        raise UserError(Msg("privacy.only_your_own"))  # a button is never trusted: it must be yours
    await delete_member(ctx.session, ctx.member.id)
    ctx.member = None
    return Text(Msg("privacy.deleted"), target=PRIVATE)


async def delete_member(session: AsyncSession, member_id: int) -> None:
    """Remove a person: empty the references that may be empty, delete the rows that are theirs."""
    await session.flush()
    conn = await session.connection()
    member = await session.get(Member, member_id)
    name = member.display_name if member else None
    # names copied into team records, so that nothing identifies the person afterwards
    actions = table_of(Action)
    await conn.execute(
        update(actions).where(actions.c.owner_member_id == member_id).values(owner_label=REMOVED)
    )
    if name:
        teams = select(TeamMembership.team_id).where(TeamMembership.member_id == member_id)
        for card in (
            await session.exec(select(QualityCard).where(col(QualityCard.team_id).in_(teams)))
        ).all():
            if name in card.markdown:
                card.markdown = card.markdown.replace(name, REMOVED)
                session.add(card)
        await session.flush()
    for table, column in member_columns():
        if column.nullable:
            await conn.execute(update(table).where(column == member_id).values({column.name: None}))
    for table, column in reversed(member_columns()):
        if not column.nullable:
            await conn.execute(delete(table).where(column == member_id))
    members = table_of(Member)
    await conn.execute(delete(members).where(members.c.id == member_id))
    session.expunge_all()


@command("retention", params=(Param("months"),), access=Access.SCHOOL_MANAGER, section="leader")
async def set_retention(ctx: Context, months: str) -> Text:
    school = ctx.require_school()
    if read_index(months) is None:
        raise UserError(Msg("privacy.retention_number"))
    days = (read_index(months) or 0) * 30
    if not RETENTION_MIN_DAYS <= days <= RETENTION_MAX_DAYS:
        raise UserError(
            Msg("privacy.retention_range", low=RETENTION_MIN_DAYS // 30, high=RETENTION_MAX_DAYS // 30)
        )
    school.retention_days = days
    ctx.session.add(school)
    return Text(Msg("privacy.retention_set", months=int(months)))


async def apply_retention(session: AsyncSession, now: datetime) -> int:
    """Remove free-text answers older than each school's retention period: one statement per
    distinct retention period (usually one), not one per school."""
    from storage.models import Cycle, CycleRound, Team

    periods: dict[int, list[int]] = {}
    for school_id, days in (await session.exec(select(School.id, School.retention_days))).all():
        periods.setdefault(int(days), []).append(int(school_id))
    removed = 0
    conn = await session.connection()
    for days, school_ids in periods.items():
        rounds = select(CycleRound.id).join(Cycle, col(Cycle.id) == col(CycleRound.cycle_id)) \
            .join(Team, col(Team.id) == col(Cycle.team_id)).where(col(Team.school_id).in_(school_ids))
        result = await conn.execute(delete(Answer).where(col(Answer.round_id).in_(rounds),
                                                         col(Answer.updated_at) < now - timedelta(days=days)))
        removed += result.rowcount or 0
    return removed
