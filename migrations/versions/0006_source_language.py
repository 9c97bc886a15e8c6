"""source title language

Most source titles are in English and shown on Vietnamese pages too: the language of each title
is stored so that pages can mark it (lang="en") and Vietnamese articles keep their own titles.
Existing sources are in English.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=12), server_default='en', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('language')
