"""The intervention runs in time: a round in phase 4 is first 'in uitvoering'; its evaluation
opens when the last measurement moment has a result (or the chair moves on with a reason).

Rounds already in phase 4 keep their evaluation open (from when phase 4 started).

Revision ID: 0011_method
Revises: 0008_web
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0011_method'
down_revision: Union[str, None] = '0008_web'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cycleround', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_opened_at', storage.types.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE cycleround SET evaluation_opened_at = phase_started_at WHERE phase = 4")


def downgrade() -> None:
    with op.batch_alter_table('cycleround', schema=None) as batch_op:
        batch_op.drop_column('evaluation_opened_at')
