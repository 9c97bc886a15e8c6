"""rules kept by the database

Enumerated columns get CHECK constraints with the values the application validates against;
usernames are unique whatever their case, through a unique index on lower(username); an
answer's copies of its item's attempt and revision are kept equal to the item's by a composite
foreign key; and every unique constraint is renamed to name all its columns.

SQLite rebuilds a table to change its constraints; ``tipquiz.migrate.upgrade`` switches its
foreign keys off meanwhile, so rebuilding a table never cascades into the tables that refer to
it, and checks every reference afterwards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

ROLES = ('facilitator', 'admin')
STATUSES = ('draft', 'published', 'archived')
QUESTION_TYPES = ('single', 'multiple', 'true_false')
ROUNDS = ('before', 'after')
LOCALES = ('vi', 'en')

# (table, old name, new name, columns)
RENAMED_UNIQUES = [
    ('question_revisions', 'uq_question_revisions_question_id',
     'uq_question_revisions_question_id_number', ['question_id', 'number']),
    ('workshop_questions', 'uq_workshop_questions_workshop_id',
     'uq_workshop_questions_workshop_id_position', ['workshop_id', 'position']),
    ('attempt_questions', 'uq_attempt_questions_attempt_id',
     'uq_attempt_questions_attempt_id_position', ['attempt_id', 'position']),
    ('choices', 'uq_choices_revision_id', 'uq_choices_revision_id_key', ['revision_id', 'key']),
]

# (table, column, values)
CHECKS = [
    ('users', 'role', ROLES),
    ('questions', 'status', STATUSES),
    ('question_revisions', 'type', QUESTION_TYPES),
    ('workshops', 'current_round', ROUNDS),
    ('workshops', 'locale', LOCALES),
    ('attempts', 'round', ROUNDS),
    ('attempts', 'locale', LOCALES),
]


def one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, old, new, columns in RENAMED_UNIQUES:
        if postgresql:
            op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}')
        else:
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_constraint(old, type_='unique')
                batch_op.create_unique_constraint(new, columns)
    with op.batch_alter_table('attempt_questions') as batch_op:
        batch_op.create_unique_constraint(
            'uq_attempt_questions_id_attempt_id_revision_id', ['id', 'attempt_id', 'revision_id']
        )
    for table, column, values in CHECKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(column, one_of(column, values))
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_constraint('uq_users_username', type_='unique')
    op.create_index('uq_users_lower_username', 'users', [sa.text('lower(username)')], unique=True)
    with op.batch_alter_table('answers') as batch_op:
        batch_op.drop_constraint('fk_answers_item_id_attempt_questions', type_='foreignkey')
        batch_op.create_foreign_key(
            'fk_answers_item_id_attempt_id_revision_id_attempt_questions',
            'attempt_questions',
            ['item_id', 'attempt_id', 'revision_id'],
            ['id', 'attempt_id', 'revision_id'],
            ondelete='CASCADE',
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('answers') as batch_op:
        batch_op.drop_constraint(
            'fk_answers_item_id_attempt_id_revision_id_attempt_questions', type_='foreignkey'
        )
        batch_op.create_foreign_key(
            'fk_answers_item_id_attempt_questions', 'attempt_questions', ['item_id'], ['id'],
            ondelete='CASCADE',
        )
    op.drop_index('uq_users_lower_username', table_name='users')
    with op.batch_alter_table('users') as batch_op:
        batch_op.create_unique_constraint('uq_users_username', ['username'])
    for table, column, _values in CHECKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
    with op.batch_alter_table('attempt_questions') as batch_op:
        batch_op.drop_constraint('uq_attempt_questions_id_attempt_id_revision_id', type_='unique')
    for table, old, new, columns in RENAMED_UNIQUES:
        if postgresql:
            op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT {new} TO {old}')
        else:
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_constraint(new, type_='unique')
                batch_op.create_unique_constraint(old, columns)
