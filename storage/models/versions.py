"""Earlier versions of entries someone replaced (issue 13): an edited answer or record keeps the
text it had, so ``/ongedaan`` brings that back instead of removing the entry altogether.

One row per replacement: which table and row, who replaced it, when, and the row's columns as they
were (JSON). ``/ongedaan`` restores the newest version of the caller's newest entry and deletes
that version row; older versions are removed with their entry (the undo window is short).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.models.base import aware


class EntryVersion(SQLModel, table=True):
    """An entry as it was just before ``member_id`` replaced it at ``saved_at``."""

    __table_args__ = (Index("ix_entryversion_entry_table_entry_id", "entry_table", "entry_id"),)
    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    entry_table: str = Field(max_length=64)
    entry_id: int
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    saved_at: datetime = aware()
