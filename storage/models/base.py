"""What every model module shares: the constraint naming convention and the aware-datetime field.

The naming convention must be set on ``SQLModel.metadata`` before the first table class is
defined, so every model module imports this one first; named constraints let later migrations drop
or alter them on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def aware(**kw: Any) -> Any:
    """A datetime field stored as UTC and read back time-zone aware (see ``storage.types``)."""
    return Field(sa_type=UTCDateTime, **kw)


_PARTIAL_INDEXES: list[tuple[Index, str]] = []


def partial_unique_index(name: str, column: str, where: str) -> Index:
    """A unique index over only the rows matching ``where`` (one active cycle per team …).

    Only SQLite's option is named here. Naming PostgreSQL's (``postgresql_where``) makes SQLAlchemy
    import its whole PostgreSQL dialect to check the option, some 45 ms of the console's start on a
    SQLite database; ``add_postgresql_options`` adds it when a PostgreSQL engine is opened."""
    index = Index(name, column, unique=True, sqlite_where=text(where))
    _PARTIAL_INDEXES.append((index, where))
    return index


def add_postgresql_options() -> None:
    """Give every partial index its PostgreSQL condition (idempotent; called by ``storage.db``)."""
    for index, where in _PARTIAL_INDEXES:
        index.dialect_kwargs["postgresql_where"] = text(where)
