"""A team's start (issue 16 part 5): the school's word for the chair, the team charter, a short
first cycle, the owner of a measurement moment and a library card's theme tags.

Revision ID: 0013_start
Revises: 0012_daily
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0013_start'
down_revision: Union[str, None] = '0012_daily'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('school') as batch:
        batch.add_column(sa.Column('role_name', sa.String(length=24), nullable=False,
                                   server_default='voorzitter'))


def downgrade() -> None:
    with op.batch_alter_table('school') as batch:
        batch.drop_column('role_name')
