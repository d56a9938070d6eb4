"""Day to day, the rest: who was in an archived team, so restoring it brings them back.

Revision ID: 0014_day
Revises: 0013_talk
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0014_day'
down_revision: Union[str, None] = '0013_talk'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('archivedmembership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_archivedmembership_member_id_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_archivedmembership_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archivedmembership')),
    sa.UniqueConstraint('team_id', 'member_id', name=op.f('uq_archivedmembership_team_id_member_id'))
    )
    with op.batch_alter_table('archivedmembership') as batch:
        batch.create_index(batch.f('ix_archivedmembership_member_id'), ['member_id'], unique=False)
        batch.create_index(batch.f('ix_archivedmembership_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('archivedmembership') as batch:
        batch.drop_index(batch.f('ix_archivedmembership_team_id'))
        batch.drop_index(batch.f('ix_archivedmembership_member_id'))
    op.drop_table('archivedmembership')
