"""A team's start (issue 16 part 5): the school's word for the chair, the team charter, a short
first cycle, the owner of a measurement moment and a library card's theme tags.

Revision ID: 0016_start
Revises: 0015_chairs
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0016_start'
down_revision: Union[str, None] = '0015_chairs'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('school') as batch:
        batch.add_column(sa.Column('role_name', sa.String(length=24), nullable=False,
                                   server_default='voorzitter'))
    op.create_table(
        'teamcharter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('ambition', sa.String(length=1000), nullable=True),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_teamcharter_team_id_team')),
        sa.ForeignKeyConstraint(['updated_by'], ['member.id'], name=op.f('fk_teamcharter_updated_by_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_teamcharter')),
        sa.UniqueConstraint('team_id', name=op.f('uq_teamcharter_team_id')),
    )
    with op.batch_alter_table('cycle') as batch:
        batch.add_column(sa.Column('short_weeks', sa.Integer(), nullable=True))
    with op.batch_alter_table('measurementmoment') as batch:
        batch.add_column(sa.Column('owner_member_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_measurementmoment_owner_member_id_member', 'member',
                                 ['owner_member_id'], ['id'])
    with op.batch_alter_table('qualitycard') as batch:
        batch.add_column(sa.Column('themes', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('qualitycard') as batch:
        batch.drop_column('themes')
    with op.batch_alter_table('measurementmoment') as batch:
        batch.drop_constraint('fk_measurementmoment_owner_member_id_member', type_='foreignkey')
        batch.drop_column('owner_member_id')
    with op.batch_alter_table('cycle') as batch:
        batch.drop_column('short_weeks')
    op.drop_table('teamcharter')
    with op.batch_alter_table('school') as batch:
        batch.drop_column('role_name')
