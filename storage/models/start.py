"""A team's start (issue 16 part 5): its charter — the ambition and the ground rules (spelregels)
it agrees on, the *visie* dimension of seed 003 — shown on its overview and atop its first agendas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.models.base import aware


class TeamCharter(SQLModel, table=True):
    """One per team; setting it again edits it (and shows it atop the next agendas again)."""

    id: int = Field(default=None, primary_key=True)  # None until the row is flushed
    team_id: int = Field(foreign_key="team.id", unique=True)
    ambition: str | None = Field(default=None, max_length=1000)
    rules: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = aware()
