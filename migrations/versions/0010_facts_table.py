"""key facts in a table of their own

A topic's key facts were a JSON list inside the topic, so "which facts cite this source" meant
reading every topic, and nothing stopped a cited source from being deleted. Each fact becomes a
row with a foreign key to its source (ON DELETE RESTRICT); the JSON column goes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:10:00.000000
"""

import json

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    facts = op.create_table(
        'facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.JSON(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_facts_topic_id_topics'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_facts_source_id_sources'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_facts')),
        sa.UniqueConstraint('topic_id', 'position', name=op.f('uq_facts_topic_id_position')),
    )
    op.create_index(op.f('ix_facts_source_id'), 'facts', ['source_id'], unique=False)
    bind = op.get_bind()
    source_ids = dict(bind.execute(sa.text('SELECT key, id FROM sources')).all())
    rows = []
    for topic_id, stored in bind.execute(sa.text('SELECT id, facts FROM topics')).all():
        listed = json.loads(stored) if isinstance(stored, str) else (stored or [])
        for position, fact in enumerate(listed, start=1):
            if fact['source'] not in source_ids:
                raise RuntimeError(f"a fact of topic {topic_id} cites unknown source {fact['source']!r}")
            rows.append({'topic_id': topic_id, 'position': position, 'text': fact['text'],
                         'source_id': source_ids[fact['source']]})
    if rows:
        op.bulk_insert(facts, rows)
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_column('facts')


def downgrade() -> None:
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
    bind = op.get_bind()
    keys = dict(bind.execute(sa.text('SELECT id, key FROM sources')).all())
    listed = {}
    for topic_id, text, source_id in bind.execute(
        sa.text('SELECT topic_id, text, source_id FROM facts ORDER BY topic_id, position')
    ).all():
        text = json.loads(text) if isinstance(text, str) else text
        listed.setdefault(topic_id, []).append({'text': text, 'source': keys[source_id]})
    topics = sa.table('topics', sa.column('id', sa.Integer), sa.column('facts', sa.JSON))
    for topic_id in [row[0] for row in bind.execute(sa.text('SELECT id FROM topics')).all()]:
        bind.execute(topics.update().where(topics.c.id == topic_id).values(facts=listed.get(topic_id, [])))
    op.drop_index(op.f('ix_facts_source_id'), table_name='facts')
    op.drop_table('facts')
