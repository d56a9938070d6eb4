"""Foundation: schools, teams, members with identities, roles, processed events,
pending questions and sent-message references.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member'))
    )
    op.create_table('processedevent',
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('processed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'event_id', name=op.f('pk_processedevent'))
    )
    op.create_table('school',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('join_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school')),
    sa.UniqueConstraint('join_code', name=op.f('uq_school_join_code'))
    )
    op.create_table('sentmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sentmessage')),
    sa.UniqueConstraint('ref', 'platform', 'chat_id', name=op.f('uq_sentmessage_ref_platform_chat_id'))
    )
    op.create_table('identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('handle', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_identity_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity')),
    sa.UniqueConstraint('platform', 'user_id', name=op.f('uq_identity_platform_user_id'))
    )
    with op.batch_alter_table('identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_member_id'), ['member_id'], unique=False)

    op.create_table('pendingquestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('asked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_pendingquestion_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pendingquestion')),
    sa.UniqueConstraint('member_id', 'platform', 'chat_id', name=op.f('uq_pendingquestion_member_id_platform_chat_id'))
    )
    with op.batch_alter_table('pendingquestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pendingquestion_member_id'), ['member_id'], unique=False)

    op.create_table('schoollink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_schoollink_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schoollink')),
    sa.UniqueConstraint('platform', 'workspace_id', name=op.f('uq_schoollink_platform_workspace_id'))
    )
    with op.batch_alter_table('schoollink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schoollink_school_id'), ['school_id'], unique=False)

    op.create_table('schoolmembership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_leader', sa.Boolean(), nullable=False),
    sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_schoolmembership_member_id_member')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_schoolmembership_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schoolmembership')),
    sa.UniqueConstraint('school_id', 'member_id', name=op.f('uq_schoolmembership_school_id_member_id'))
    )
    with op.batch_alter_table('schoolmembership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schoolmembership_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schoolmembership_school_id'), ['school_id'], unique=False)

    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_team_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('school_id', 'name_key', name=op.f('uq_team_school_id_name_key'))
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_school_id'), ['school_id'], unique=False)

    op.create_table('chatlink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_chatlink_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chatlink')),
    sa.UniqueConstraint('platform', 'chat_id', name=op.f('uq_chatlink_platform_chat_id')),
    sa.UniqueConstraint('team_id', 'platform', name=op.f('uq_chatlink_team_id_platform'))
    )
    with op.batch_alter_table('chatlink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chatlink_team_id'), ['team_id'], unique=False)

    op.create_table('teammembership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_teammembership_member_id_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_teammembership_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teammembership')),
    sa.UniqueConstraint('team_id', 'member_id', name=op.f('uq_teammembership_team_id_member_id'))
    )
    with op.batch_alter_table('teammembership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teammembership_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teammembership_team_id'), ['team_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('teammembership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teammembership_team_id'))
        batch_op.drop_index(batch_op.f('ix_teammembership_member_id'))

    op.drop_table('teammembership')
    with op.batch_alter_table('chatlink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chatlink_team_id'))

    op.drop_table('chatlink')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_school_id'))

    op.drop_table('team')
    with op.batch_alter_table('schoolmembership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schoolmembership_school_id'))
        batch_op.drop_index(batch_op.f('ix_schoolmembership_member_id'))

    op.drop_table('schoolmembership')
    with op.batch_alter_table('schoollink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schoollink_school_id'))

    op.drop_table('schoollink')
    with op.batch_alter_table('pendingquestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendingquestion_member_id'))

    op.drop_table('pendingquestion')
    with op.batch_alter_table('identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_member_id'))

    op.drop_table('identity')
    op.drop_table('sentmessage')
    op.drop_table('school')
    op.drop_table('processedevent')
    op.drop_table('member')

