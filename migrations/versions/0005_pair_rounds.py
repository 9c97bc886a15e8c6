"""pair before and after attempts

A workshop's "after" attempt can point at the same person's "before" attempt, found by the
phone's attempt token or by a self-made code of which only a keyed hash is kept.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paired_attempt_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paired_by', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('code_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_attempts_paired_attempt_id'), ['paired_attempt_id'])
        batch_op.create_foreign_key(batch_op.f('fk_attempts_paired_attempt_id_attempts'), 'attempts', ['paired_attempt_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempts_paired_attempt_id_attempts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_attempts_paired_attempt_id'), type_='unique')
        batch_op.drop_column('code_hash')
        batch_op.drop_column('paired_by')
        batch_op.drop_column('paired_attempt_id')
