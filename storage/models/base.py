"""What every model module shares: the constraint naming convention and the aware-datetime field.

The naming convention must be set on ``SQLModel.metadata`` before the first table class is
defined, so every model module imports this one first; named constraints let later migrations drop
or alter them on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

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
