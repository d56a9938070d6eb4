"""The voorzittersoverleg: a team row of kind "chairs" per school carries the chairs' meeting with
the school leadership (its rhythm, agenda, notes and chat); every learning team is kind "team".

Revision ID: 0015_chairs
Revises: 0014_day
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0015_chairs'
down_revision: Union[str, None] = '0014_day'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('team') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='team'))


def downgrade() -> None:
    # the chairs' meeting has no place without the column: its rows go, children first
    chairs = "(SELECT id FROM team WHERE kind = 'chairs')"
    op.execute(f"DELETE FROM agendaitem WHERE team_id IN {chairs}")
    for table in ("meeting", "meetingrhythm", "chatlink", "momentumflag"):
        op.execute(f"DELETE FROM {table} WHERE team_id IN {chairs}")
    op.execute("DELETE FROM team WHERE kind = 'chairs'")
    # a plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of "team" would trip the foreign keys
    op.drop_column('team', 'kind')
