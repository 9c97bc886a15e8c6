"""message questions: a realistic message whose phrases are the choices

A message question stores how its message looks on its revision, and each phrase (a choice)
says why it is or is not a red flag. Both columns are empty for the other question types. The CHECK on a revision's type lets
"message" in.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:45:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


OLD_TYPES = ('single', 'multiple', 'true_false')
NEW_TYPES = ('single', 'multiple', 'true_false', 'message')


def one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))
        batch_op.drop_constraint(op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint('type', one_of('type', NEW_TYPES))
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('why', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('choices', schema=None) as batch_op:
        batch_op.drop_column('why')
    with op.batch_alter_table('question_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_revisions_type'), type_='check')
        batch_op.create_check_constraint('type', one_of('type', OLD_TYPES))
        batch_op.drop_column('message')
