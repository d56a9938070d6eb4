"""Poll snapshots: while a poll is open everyone sees a question's tally as it was at its last
snapshot, taken again only once the threshold of votes was cast or changed since, so one
person's vote cannot be read off the difference between two views.

Open polls at the upgrade showed their live tallies: where those were visible, they become the
first snapshot (and their votes count as seen), so the next vote does not stand out either.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""
from collections import defaultdict
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('pollquestion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))

    with op.batch_alter_table('pollvote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), server_default=sa.true(), nullable=False))

    _freeze_open_polls()


def _freeze_open_polls() -> None:
    bind = op.get_bind()
    limits = dict(bind.execute(sa.text(
        "SELECT q.id, COALESCE(s.min_answers, 3) FROM pollquestion q JOIN poll p ON p.id = q.poll_id "
        "JOIN team t ON t.id = p.team_id LEFT JOIN pollsettings s ON s.school_id = t.school_id "
        "WHERE p.status = 'open'")).all())
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for question_id, value, n in bind.execute(sa.text(
            "SELECT v.question_id, v.value, COUNT(*) FROM pollvote v JOIN poll p ON p.id = v.poll_id "
            "WHERE p.status = 'open' GROUP BY v.question_id, v.value")).all():
        counts[question_id][str(value)] = n
    shown = sorted(q for q, c in counts.items() if sum(c.values()) >= max(3, limits.get(q, 3)))
    question = sa.table('pollquestion', sa.column('id', sa.Integer), sa.column('snapshot', sa.JSON))
    vote = sa.table('pollvote', sa.column('question_id', sa.Integer), sa.column('pending', sa.Boolean))
    for q in shown:
        bind.execute(question.update().where(question.c.id == q).values(snapshot=dict(sorted(counts[q].items()))))
    if shown:
        bind.execute(vote.update().where(vote.c.question_id.in_(shown)).values(pending=False))


def downgrade() -> None:
    with op.batch_alter_table('pollvote', schema=None) as batch_op:
        batch_op.drop_column('pending')

    with op.batch_alter_table('pollquestion', schema=None) as batch_op:
        batch_op.drop_column('snapshot')
