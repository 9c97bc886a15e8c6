"""a made-up password is changed at the first sign-in

Accounts whose password the app made up (created without one, reset by an admin, the first
admin) are asked for a password of their own before anything else. Existing accounts are not.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch would rebuild the table on SQLite and lose the index on
    # lower(username), which SQLite cannot reflect.
    op.add_column(
        'users',
        sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
