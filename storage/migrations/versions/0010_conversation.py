"""One conversation state: the questions a person is waiting on become an ordered queue per
person and chat (no longer one row that a newer question silently replaced), one of them shown;
numbered options shown in a chat are kept too (``member_id`` NULL: shown to the whole group);
the console's simulated clock is kept, so a restarted console resumes.

Revision ID: 0010_conversation
Revises: 0009_delivery
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0010_conversation'
down_revision: Union[str, None] = '0009_delivery'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('simulatedclock',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_simulatedclock'))
    )
    with op.batch_alter_table('pendingquestion', schema=None) as batch_op:
        batch_op.drop_constraint('uq_pendingquestion_member_id_platform_chat_id', type_='unique')
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('shown', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index('ix_pendingquestion_platform_chat_id', ['platform', 'chat_id'], unique=False)


def downgrade() -> None:
    op.drop_table('simulatedclock')
    op.execute("DELETE FROM pendingquestion WHERE member_id IS NULL OR kind = '_menu' OR NOT shown")
    with op.batch_alter_table('pendingquestion', schema=None) as batch_op:
        batch_op.drop_index('ix_pendingquestion_platform_chat_id')
        batch_op.drop_column('shown')
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_pendingquestion_member_id_platform_chat_id',
                                          ['member_id', 'platform', 'chat_id'])
