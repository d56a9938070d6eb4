"""Keeping the version an edit replaces, and bringing it back (``/ongedaan`` of an edit).

A handler that changes an entry which already existed calls :func:`keep_previous` *before* it
changes anything; ``/ongedaan`` then finds that version (:func:`previous_of`) and puts the columns
back with :func:`restore`, so an edited answer or record returns to what it said rather than
disappearing. A new entry has no previous version, and undoing it removes it, as before.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import EntryVersion
from storage.queries import core

_DATETIME, _DATE = "__datetime__", "__date__"


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if _DATETIME in value:
            return datetime.fromisoformat(value[_DATETIME])
        if _DATE in value:
            return date.fromisoformat(value[_DATE])
    return value


def _table(row: Any) -> str:
    return str(type(row).__tablename__)


def _columns(row: Any) -> list[str]:
    return [c.name for c in type(row).__table__.columns if c.name != "id"]


_KEEP: Any = sa.insert(EntryVersion.__table__)  # type: ignore[attr-defined]


async def keep_previous(session: AsyncSession, row: Any, member_id: int | None, now: datetime) -> None:
    """Remember ``row`` as it is now (before this edit); nothing for a row not yet stored."""
    if getattr(row, "id", None) is None:
        return
    await keep_values(session, _table(row), row.id, {name: getattr(row, name) for name in _columns(row)},
                      member_id, now)


async def keep_values(session: AsyncSession, table: str, entry_id: int, values: dict[str, Any],
                      member_id: int | None, now: datetime) -> None:
    """:func:`keep_previous` from the columns' values (an edited answer, read as plain values): one
    Core insert on the session's connection, since editing an answer is on the busiest path and an
    ORM object would cost a flush of its own (``python -m bench``)."""
    data = {name: _to_json(value) for name, value in values.items()}
    await core(session, _KEEP, {
        "entry_table": table, "entry_id": entry_id, "member_id": member_id, "data": data, "saved_at": now})


async def previous_of(session: AsyncSession, row: Any, since: datetime) -> EntryVersion | None:
    """The version this row's latest edit replaced, if that edit was made at or after ``since``."""
    stmt = select(EntryVersion).where(
        EntryVersion.entry_table == _table(row), EntryVersion.entry_id == row.id,
        col(EntryVersion.saved_at) >= since,
    ).order_by(col(EntryVersion.saved_at).desc(), col(EntryVersion.id).desc())
    return (await session.exec(stmt)).first()


async def restore(session: AsyncSession, row: Any, version: EntryVersion) -> None:
    """Put the row's columns back as the version has them; the version is used up."""
    for name in _columns(row):
        if name in version.data:
            setattr(row, name, _from_json(version.data[name]))
    session.add(row)
    await session.delete(version)
    await session.flush()


async def forget_versions(session: AsyncSession, row: Any) -> None:
    """The entry is removed: its earlier versions go with it."""
    await core(session, sa.delete(EntryVersion.__table__).where(  # type: ignore[attr-defined]
        EntryVersion.__table__.c.entry_table == _table(row),  # type: ignore[attr-defined]
        EntryVersion.__table__.c.entry_id == row.id))  # type: ignore[attr-defined]
