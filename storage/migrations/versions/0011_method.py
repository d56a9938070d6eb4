"""The intervention runs in time: a round in phase 4 is first 'in uitvoering'; its evaluation
opens when the last measurement moment has a result (or the chair moves on with a reason).

Rounds already in phase 4 keep their evaluation open (from when phase 4 started).

Revision ID: 0011_method
Revises: 0010_conversation
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0011_method'
down_revision: Union[str, None] = '0010_conversation'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cycleround', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_opened_at', storage.types.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE cycleround SET evaluation_opened_at = phase_started_at WHERE phase = 4")
    with op.batch_alter_table('evaluationrecord', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_verdict', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
        batch_op.add_column(sa.Column('verdict_reason', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                      nullable=True))
        batch_op.add_column(sa.Column('review_answer', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
        batch_op.add_column(sa.Column('review_note', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                      nullable=True))
        batch_op.add_column(sa.Column('review_answered_at', storage.types.UTCDateTime(timezone=True),
                                      nullable=True))
    # verdicts already given stay given: they were the chair's, as the method then allowed
    op.create_table('verdictagreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_verdictagreement_member_id_member')),
    sa.ForeignKeyConstraint(['round_id'], ['cycleround.id'],
                            name=op.f('fk_verdictagreement_round_id_cycleround')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verdictagreement')),
    sa.UniqueConstraint('round_id', 'member_id', name=op.f('uq_verdictagreement_round_id_member_id'))
    )
    with op.batch_alter_table('verdictagreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdictagreement_round_id'), ['round_id'], unique=False)
    op.create_table('parkedproblem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('parked_by', sa.Integer(), nullable=True),
    sa.Column('parked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('taken_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['parked_by'], ['member.id'], name=op.f('fk_parkedproblem_parked_by_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_parkedproblem_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parkedproblem'))
    )
    with op.batch_alter_table('parkedproblem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parkedproblem_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    op.drop_table('parkedproblem')
    op.drop_table('verdictagreement')
    with op.batch_alter_table('evaluationrecord', schema=None) as batch_op:
        for name in ('review_answered_at', 'review_note', 'review_answer', 'verdict_reason',
                     'proposed_verdict'):
            batch_op.drop_column(name)
    with op.batch_alter_table('cycleround', schema=None) as batch_op:
        batch_op.drop_column('evaluation_opened_at')
