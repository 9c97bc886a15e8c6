"""dashboard indexes

A workshop's scores per question and topic are counted from its attempts' answers. The index on
answers (attempt_id, revision_id, correct) holds every column those counts read, so they come
from the index alone; it also serves every lookup by attempt, so the narrower index on
attempt_id alone is no longer needed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_attempt_scores', ['attempt_id', 'revision_id', 'correct'], unique=False, postgresql_include=['id'])
        batch_op.drop_index('ix_answers_attempt')


def downgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_attempt', ['attempt_id'], unique=False)
        batch_op.drop_index('ix_answers_attempt_scores')
