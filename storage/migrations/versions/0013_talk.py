"""Numbers keep their unit: a baseline typed as 42 % is shown as 42 % wherever it is echoed. The
sign typed with a cycle's baseline, goal and measured results ("%", or nothing); existing rows keep
no sign and are shown as before. And the earlier versions of replaced entries (``entryversion``),
so /ongedaan brings an edited answer or record back as it was.

Revision ID: 0013_talk
Revises: 0012_daily
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0013_talk'
down_revision: Union[str, None] = '0012_daily'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'entryversion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_table', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('saved_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                                name=op.f('fk_entryversion_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_entryversion')),
    )
    with op.batch_alter_table('entryversion') as batch:
        batch.create_index('ix_entryversion_entry_table_entry_id', ['entry_table', 'entry_id'], unique=False)
        batch.create_index(batch.f('ix_entryversion_member_id'), ['member_id'], unique=False)
    with op.batch_alter_table('problemrecord') as batch:
        batch.add_column(sa.Column('baseline_sign', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True))
    with op.batch_alter_table('planrecord') as batch:
        batch.add_column(sa.Column('goal_sign', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True))
    with op.batch_alter_table('measurementmoment') as batch:
        batch.add_column(sa.Column('result_sign', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True))


def downgrade() -> None:
    op.drop_table('entryversion')
    with op.batch_alter_table('measurementmoment') as batch:
        batch.drop_column('result_sign')
    with op.batch_alter_table('planrecord') as batch:
        batch.drop_column('goal_sign')
    with op.batch_alter_table('problemrecord') as batch:
        batch.drop_column('baseline_sign')
