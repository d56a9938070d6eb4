"""Teams conversation references, for proactive messages (issue 19).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('teamsconversation',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column('service_url', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('bot_id', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('teams_user_id', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_teamsconversation'))
    )


def downgrade() -> None:
    op.drop_table('teamsconversation')
