"""The leader digest and privacy: when each leader gets the digest, teams' questions to the
leader, the leader's visits to team meetings, and each school's retention period.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:

    op.create_table('digestsetting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_digestsetting_member_id_member')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_digestsetting_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digestsetting')),
    sa.UniqueConstraint('school_id', 'member_id', name=op.f('uq_digestsetting_school_id_member_id'))
    )
    with op.batch_alter_table('digestsetting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digestsetting_school_id'), ['school_id'], unique=False)

    op.create_table('leaderquestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('asked_by', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('asked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by'], ['member.id'], name=op.f('fk_leaderquestion_answered_by_member')),
    sa.ForeignKeyConstraint(['asked_by'], ['member.id'], name=op.f('fk_leaderquestion_asked_by_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_leaderquestion_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaderquestion'))
    )
    with op.batch_alter_table('leaderquestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leaderquestion_team_id'), ['team_id'], unique=False)

    op.create_table('leadervisit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_leadervisit_member_id_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_leadervisit_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leadervisit')),
    sa.UniqueConstraint('team_id', 'member_id', 'on', name=op.f('uq_leadervisit_team_id_member_id_on'))
    )
    with op.batch_alter_table('leadervisit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leadervisit_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), server_default='730', nullable=False))




def downgrade() -> None:

    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('retention_days')

    with op.batch_alter_table('leadervisit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leadervisit_team_id'))

    op.drop_table('leadervisit')
    with op.batch_alter_table('leaderquestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leaderquestion_team_id'))

    op.drop_table('leaderquestion')
    with op.batch_alter_table('digestsetting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digestsetting_school_id'))

    op.drop_table('digestsetting')

