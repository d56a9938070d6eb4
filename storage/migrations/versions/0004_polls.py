"""Reflection polls, the five-dimension scan and the stille wand: a school's poll settings
(anonymity threshold, scan rhythm, its own post-meeting questions), polls with their questions,
votes unique per question and voter (the voter nullable, so deleted members' answers stay in the
aggregates without an identity), and the silent brainstorm's ideas, reactions and tips.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('brainstorm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('opens_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('revealed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['member.id'], name=op.f('fk_brainstorm_created_by_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_brainstorm_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brainstorm'))
    )
    with op.batch_alter_table('brainstorm', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brainstorm_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_brainstorm_open_team', ['team_id'], unique=True, sqlite_where=sa.text("status IN ('collecting', 'revealed')"), postgresql_where=sa.text("status IN ('collecting', 'revealed')"))

    op.create_table('pollsettings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('min_answers', sa.Integer(), nullable=False),
    sa.Column('scan_weeks', sa.Integer(), nullable=False),
    sa.Column('meeting_questions', sa.JSON(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_pollsettings_school_id_school')),
    sa.ForeignKeyConstraint(['updated_by'], ['member.id'], name=op.f('fk_pollsettings_updated_by_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pollsettings')),
    sa.UniqueConstraint('school_id', name=op.f('uq_pollsettings_school_id'))
    )
    op.create_table('brainstormidea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brainstorm_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], name=op.f('fk_brainstormidea_author_id_member')),
    sa.ForeignKeyConstraint(['brainstorm_id'], ['brainstorm.id'], name=op.f('fk_brainstormidea_brainstorm_id_brainstorm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brainstormidea'))
    )
    with op.batch_alter_table('brainstormidea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brainstormidea_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brainstormidea_brainstorm_id'), ['brainstorm_id'], unique=False)

    op.create_table('brainstormtip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brainstorm_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['member.id'], name=op.f('fk_brainstormtip_added_by_member')),
    sa.ForeignKeyConstraint(['brainstorm_id'], ['brainstorm.id'], name=op.f('fk_brainstormtip_brainstorm_id_brainstorm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brainstormtip')),
    sa.UniqueConstraint('brainstorm_id', 'position', name=op.f('uq_brainstormtip_brainstorm_id_position'))
    )
    with op.batch_alter_table('brainstormtip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brainstormtip_brainstorm_id'), ['brainstorm_id'], unique=False)

    op.create_table('poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('opens_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('remind_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('shown_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['member.id'], name=op.f('fk_poll_created_by_member')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_poll_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_poll_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll')),
    sa.UniqueConstraint('key', name=op.f('uq_poll_key'))
    )
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.create_index('ix_poll_status_closes_at', ['status', 'closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_team_id'), ['team_id'], unique=False)

    op.create_table('brainstormreaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brainstorm_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], name=op.f('fk_brainstormreaction_author_id_member')),
    sa.ForeignKeyConstraint(['brainstorm_id'], ['brainstorm.id'], name=op.f('fk_brainstormreaction_brainstorm_id_brainstorm')),
    sa.ForeignKeyConstraint(['idea_id'], ['brainstormidea.id'], name=op.f('fk_brainstormreaction_idea_id_brainstormidea')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brainstormreaction')),
    sa.UniqueConstraint('idea_id', 'author_id', 'kind', name=op.f('uq_brainstormreaction_idea_id_author_id_kind'))
    )
    with op.batch_alter_table('brainstormreaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brainstormreaction_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brainstormreaction_brainstorm_id'), ['brainstorm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brainstormreaction_idea_id'), ['idea_id'], unique=False)

    op.create_table('pollquestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('dimension', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_pollquestion_poll_id_poll')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pollquestion')),
    sa.UniqueConstraint('poll_id', 'position', name=op.f('uq_pollquestion_poll_id_position'))
    )
    with op.batch_alter_table('pollquestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pollquestion_poll_id'), ['poll_id'], unique=False)

    op.create_table('pollvote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_pollvote_poll_id_poll')),
    sa.ForeignKeyConstraint(['question_id'], ['pollquestion.id'], name=op.f('fk_pollvote_question_id_pollquestion')),
    sa.ForeignKeyConstraint(['voter_id'], ['member.id'], name=op.f('fk_pollvote_voter_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pollvote')),
    sa.UniqueConstraint('question_id', 'voter_id', name=op.f('uq_pollvote_question_id_voter_id'))
    )
    with op.batch_alter_table('pollvote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pollvote_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pollvote_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pollvote_voter_id'), ['voter_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pollvote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pollvote_voter_id'))
        batch_op.drop_index(batch_op.f('ix_pollvote_question_id'))
        batch_op.drop_index(batch_op.f('ix_pollvote_poll_id'))

    op.drop_table('pollvote')
    with op.batch_alter_table('pollquestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pollquestion_poll_id'))

    op.drop_table('pollquestion')
    with op.batch_alter_table('brainstormreaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brainstormreaction_idea_id'))
        batch_op.drop_index(batch_op.f('ix_brainstormreaction_brainstorm_id'))
        batch_op.drop_index(batch_op.f('ix_brainstormreaction_author_id'))

    op.drop_table('brainstormreaction')
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_team_id'))
        batch_op.drop_index('ix_poll_status_closes_at')

    op.drop_table('poll')
    with op.batch_alter_table('brainstormtip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brainstormtip_brainstorm_id'))

    op.drop_table('brainstormtip')
    with op.batch_alter_table('brainstormidea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brainstormidea_brainstorm_id'))
        batch_op.drop_index(batch_op.f('ix_brainstormidea_author_id'))

    op.drop_table('brainstormidea')
    op.drop_table('pollsettings')
    with op.batch_alter_table('brainstorm', schema=None) as batch_op:
        batch_op.drop_index('uq_brainstorm_open_team', sqlite_where=sa.text("status IN ('collecting', 'revealed')"), postgresql_where=sa.text("status IN ('collecting', 'revealed')"))
        batch_op.drop_index(batch_op.f('ix_brainstorm_team_id'))

    op.drop_table('brainstorm')
