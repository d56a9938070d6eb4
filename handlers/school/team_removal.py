"""Deleting a team with everything that is the team's, found from the foreign keys.

A row is the team's when a non-empty foreign key points at the team or at a row that is the team's
(a cycle, its questions, their answers, a meeting, its polls...). Such rows are deleted children
first; an optional reference (a member's working team) is emptied instead. Nothing outside the team
is touched: its members, the school and other teams stay as they are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, or_, select, update
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def delete_team_rows(session: AsyncSession, team_id: int) -> None:
    await session.flush()
    conn = await session.connection()
    tables = SQLModel.metadata.sorted_tables
    team = SQLModel.metadata.tables["team"]
    doomed: dict[str, Any] = {"team": team.c.id == team_id}  # table name -> where clause
    emptied: list[tuple[Table, Any, Any]] = []
    for table in tables:  # parents before children, so a parent's clause is known first
        if table.name == "team":
            continue
        clauses = []
        for column in table.columns:
            for fk in column.foreign_keys:
                parent = fk.column.table
                if parent.name not in doomed:
                    continue
                owned = column.in_(select(fk.column).where(doomed[parent.name]))
                if column.nullable:
                    emptied.append((table, column, owned))
                else:
                    clauses.append(owned)
        if clauses:
            doomed[table.name] = or_(*clauses) if len(clauses) > 1 else clauses[0]
    for table, column, where in emptied:
        await conn.execute(update(table).where(where).values({column.name: None}))
    by_name = {t.name: t for t in tables}
    for table in reversed(tables):
        if table.name in doomed:
            await conn.execute(delete(by_name[table.name]).where(doomed[table.name]))
    session.expunge_all()
