"""The inquiry cycle: cycles, rounds, phase transitions, answers, structured records per
phase (problem, hypotheses, agreement, sources, direction, actions, plan, measurement moments,
evaluation), quality cards; and a member's working team for private chats.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:

    op.create_table('cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['started_by'], ['member.id'], name=op.f('fk_cycle_started_by_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_cycle_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle'))
    )
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_cycle_active_team', ['team_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('cycleround',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Integer(), nullable=False),
    sa.Column('phase_started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('carried_learning', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_cycleround_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycleround')),
    sa.UniqueConstraint('cycle_id', 'number', name=op.f('uq_cycleround_cycle_id_number'))
    )
    with op.batch_alter_table('cycleround', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycleround_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('qualitycard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('markdown', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_qualitycard_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_qualitycard_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualitycard')),
    sa.UniqueConstraint('cycle_id', name=op.f('uq_qualitycard_cycle_id'))
    )
    with op.batch_alter_table('qualitycard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualitycard_team_id'), ['team_id'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('owner_member_id', sa.Integer(), nullable=True),
    sa.Column('owner_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['member.id'], name=op.f('fk_action_added_by_member')),
    sa.ForeignKeyConstraint(['owner_member_id'], ['member.id'], name=op.f('fk_action_owner_member_id_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_action_round_id_cycleround')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_round_id'), ['round_id'], unique=False)

    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_agreement_member_id_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_agreement_round_id_cycleround')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('round_id', 'member_id', name=op.f('uq_agreement_round_id_member_id'))
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_round_id'), ['round_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_answer_member_id_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_answer_round_id_cycleround')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    sa.UniqueConstraint('round_id', 'question', 'member_id', name=op.f('uq_answer_round_id_question_member_id'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_round_id'), ['round_id'], unique=False)

    op.create_table('directionrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_directionrecord_round_id_cycleround')),
    sa.ForeignKeyConstraint(['updated_by'], ['member.id'], name=op.f('fk_directionrecord_updated_by_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directionrecord')),
    sa.UniqueConstraint('round_id', name=op.f('uq_directionrecord_round_id'))
    )
    op.create_table('evaluationrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('learned', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('embedding', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_evaluationrecord_round_id_cycleround')),
    sa.ForeignKeyConstraint(['updated_by'], ['member.id'], name=op.f('fk_evaluationrecord_updated_by_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluationrecord')),
    sa.UniqueConstraint('round_id', name=op.f('uq_evaluationrecord_round_id'))
    )
    op.create_table('hypothesis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('carried', sa.Boolean(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['member.id'], name=op.f('fk_hypothesis_added_by_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_hypothesis_round_id_cycleround')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hypothesis'))
    )
    with op.batch_alter_table('hypothesis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hypothesis_round_id'), ['round_id'], unique=False)

    op.create_table('measurementmoment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('result_value', sa.Float(), nullable=True),
    sa.Column('result_by', sa.Integer(), nullable=True),
    sa.Column('result_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['result_by'], ['member.id'], name=op.f('fk_measurementmoment_result_by_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_measurementmoment_round_id_cycleround')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurementmoment'))
    )
    with op.batch_alter_table('measurementmoment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurementmoment_round_id'), ['round_id'], unique=False)

    op.create_table('phasetransition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('from_phase', sa.Integer(), nullable=False),
    sa.Column('to_phase', sa.Integer(), nullable=False),
    sa.Column('by_member_id', sa.Integer(), nullable=True),
    sa.Column('override_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_member_id'], ['member.id'], name=op.f('fk_phasetransition_by_member_id_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_phasetransition_round_id_cycleround')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phasetransition'))
    )
    with op.batch_alter_table('phasetransition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phasetransition_round_id'), ['round_id'], unique=False)

    op.create_table('planrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('goal_text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('goal_value', sa.Float(), nullable=True),
    sa.Column('goal_deadline', sa.Date(), nullable=True),
    sa.Column('instrument', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('baseline_moment', sa.Date(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_planrecord_round_id_cycleround')),
    sa.ForeignKeyConstraint(['updated_by'], ['member.id'], name=op.f('fk_planrecord_updated_by_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planrecord')),
    sa.UniqueConstraint('round_id', name=op.f('uq_planrecord_round_id'))
    )
    op.create_table('problemrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('baseline_unit', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('baseline_source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_problemrecord_round_id_cycleround')),
    sa.ForeignKeyConstraint(['updated_by'], ['member.id'], name=op.f('fk_problemrecord_updated_by_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problemrecord')),
    sa.UniqueConstraint('round_id', name=op.f('uq_problemrecord_round_id'))
    )
    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('author_year', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('takeaway', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('reliability', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['member.id'], name=op.f('fk_source_added_by_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'], name=op.f('fk_source_round_id_cycleround')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_source_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source'))
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working_team_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_member_working_team_id_team'), 'team', ['working_team_id'], ['id'])




def downgrade() -> None:

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_member_working_team_id_team'), type_='foreignkey')
        batch_op.drop_column('working_team_id')

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_team_id'))
        batch_op.drop_index(batch_op.f('ix_source_round_id'))

    op.drop_table('source')
    op.drop_table('problemrecord')
    op.drop_table('planrecord')
    with op.batch_alter_table('phasetransition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phasetransition_round_id'))

    op.drop_table('phasetransition')
    with op.batch_alter_table('measurementmoment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurementmoment_round_id'))

    op.drop_table('measurementmoment')
    with op.batch_alter_table('hypothesis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hypothesis_round_id'))

    op.drop_table('hypothesis')
    op.drop_table('evaluationrecord')
    op.drop_table('directionrecord')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_round_id'))
        batch_op.drop_index(batch_op.f('ix_answer_member_id'))

    op.drop_table('answer')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_round_id'))

    op.drop_table('agreement')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_round_id'))

    op.drop_table('action')
    with op.batch_alter_table('qualitycard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qualitycard_team_id'))

    op.drop_table('qualitycard')
    with op.batch_alter_table('cycleround', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycleround_cycle_id'))

    op.drop_table('cycleround')
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index('uq_cycle_active_team', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_cycle_team_id'))

    op.drop_table('cycle')

