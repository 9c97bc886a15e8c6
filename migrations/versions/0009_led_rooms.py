"""facilitator-led rooms

A workshop can be led by its facilitator question by question. The room's state (phase,
position, when the question opened and closes, the time limit, and a version that changes on
every transition) lives on the workshop row, so every server and process sees the same room.
Existing workshops stay self-paced. CHECK constraints keep the mode and the phase to their values.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:50:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=12), server_default='self_paced', nullable=False))
        batch_op.add_column(sa.Column('phase', sa.String(length=10), server_default='lobby', nullable=False))
        batch_op.add_column(sa.Column('live_position', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closes_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('time_limit', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('live_version', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.create_check_constraint('mode', "mode IN ('self_paced', 'led')")
        batch_op.create_check_constraint('phase', "phase IN ('lobby', 'question', 'reveal', 'ended')")


def downgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_workshops_phase'), type_='check')
        batch_op.drop_constraint(op.f('ck_workshops_mode'), type_='check')
        batch_op.drop_column('live_version')
        batch_op.drop_column('time_limit')
        batch_op.drop_column('closes_at')
        batch_op.drop_column('opened_at')
        batch_op.drop_column('live_position')
        batch_op.drop_column('phase')
        batch_op.drop_column('mode')
