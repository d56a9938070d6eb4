"""The web pages: one-time login links, browser sessions and calendar feed tokens (all stored
as SHA-256 hashes of the token, never the token itself).

Revision ID: 0008_web
Revises: 0007
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0008_web'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table('weblogin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    _when('created_at'), _when('expires_at'), _when('used_at', True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_weblogin_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weblogin')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_weblogin_token_hash'))
    )
    with op.batch_alter_table('weblogin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weblogin_member_id'), ['member_id'], unique=False)

    op.create_table('websession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('csrf', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    _when('created_at'), _when('expires_at'), _when('ended_at', True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_websession_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_websession')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_websession_token_hash'))
    )
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_websession_member_id'), ['member_id'], unique=False)

    op.create_table('feedtoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    _when('created_at'), _when('revoked_at', True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_feedtoken_member_id_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_feedtoken_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedtoken')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feedtoken_token_hash'))
    )
    with op.batch_alter_table('feedtoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedtoken_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    for table in ('feedtoken', 'websession', 'weblogin'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_member_id'))
        op.drop_table(table)
