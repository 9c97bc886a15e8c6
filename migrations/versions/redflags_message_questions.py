"""message questions: a realistic message whose phrases are the choices

A message question stores how its message looks on its revision, and each phrase (a choice)
says why it is or is not a red flag. Both columns are empty for the other question types.

Revision ID: redflags
Revises: 0002
Create Date: 2026-12-01 20:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'redflags'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('why', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.drop_column('why')
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_column('message')
