"""Outbox leases (issue 15): the process holding a claim, until when, and the claim's number,
so a row whose holder died is taken up within a minute and only the current holder may finish it.

Revision ID: 0009_delivery
Revises: 0008_web
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0009_delivery'
down_revision: Union[str, None] = '0008_web'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claim_no', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claim_no')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('holder')
