"""Meetings: each team's rhythm, its meetings (with calendar UIDs and sequences), school
holidays, agenda items, the outbox that holds everything the bot sends on its own (unique
dedupe keys: exactly once), and the momentum guard's flags.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status_due_at', ['status', 'due_at'], unique=False)

    op.create_table('holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['member.id'], name=op.f('fk_holiday_added_by_member')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_holiday_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday'))
    )
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_school_id'), ['school_id'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('slot_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('starts_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('moved', sa.Boolean(), nullable=False),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('notes_by', sa.Integer(), nullable=True),
    sa.Column('notes_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notes_by'], ['member.id'], name=op.f('fk_meeting_notes_by_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_meeting_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('team_id', 'slot_key', name=op.f('uq_meeting_team_id_slot_key')),
    sa.UniqueConstraint('uid', name=op.f('uq_meeting_uid'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_status_starts_at', ['status', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_team_id'), ['team_id'], unique=False)

    op.create_table('meetingrhythm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('every_n_weeks', sa.Integer(), nullable=False),
    sa.Column('anchor', sa.Date(), nullable=False),
    sa.Column('reminder_offsets', sa.JSON(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_by'], ['member.id'], name=op.f('fk_meetingrhythm_set_by_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_meetingrhythm_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetingrhythm')),
    sa.UniqueConstraint('team_id', name=op.f('uq_meetingrhythm_team_id'))
    )
    op.create_table('momentumflag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('raised_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('nudged_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_momentumflag_member_id_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_momentumflag_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_momentumflag')),
    sa.UniqueConstraint('key', name=op.f('uq_momentumflag_key'))
    )
    with op.batch_alter_table('momentumflag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_momentumflag_team_id'), ['team_id'], unique=False)

    op.create_table('agendaitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('owner_member_id', sa.Integer(), nullable=True),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('carried', sa.Integer(), nullable=False),
    sa.Column('added_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['added_by'], ['member.id'], name=op.f('fk_agendaitem_added_by_member')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agendaitem_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['owner_member_id'], ['member.id'], name=op.f('fk_agendaitem_owner_member_id_member')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_agendaitem_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agendaitem'))
    )
    with op.batch_alter_table('agendaitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agendaitem_team_id'), ['team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('agendaitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agendaitem_team_id'))

    op.drop_table('agendaitem')
    with op.batch_alter_table('momentumflag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_momentumflag_team_id'))

    op.drop_table('momentumflag')
    op.drop_table('meetingrhythm')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_team_id'))
        batch_op.drop_index('ix_meeting_status_starts_at')

    op.drop_table('meeting')
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_school_id'))

    op.drop_table('holiday')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_due_at')

    op.drop_table('outbox')
