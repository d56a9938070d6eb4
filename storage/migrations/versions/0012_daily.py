"""Day to day: a school's quiet hours (the bot posts nothing on its own outside them) and an
archived team (kept with its history, no longer active).

Revision ID: 0012_daily
Revises: 0011_method
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0012_daily'
down_revision: Union[str, None] = '0011_method'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('school') as batch:
        batch.add_column(sa.Column('quiet_from', sa.String(length=5), nullable=False, server_default='18:00'))
        batch.add_column(sa.Column('quiet_until', sa.String(length=5), nullable=False, server_default='07:30'))
    with op.batch_alter_table('team') as batch:
        batch.add_column(sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('team') as batch:
        batch.drop_column('archived_at')
    with op.batch_alter_table('school') as batch:
        batch.drop_column('quiet_until')
        batch.drop_column('quiet_from')
