"""Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import json
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import BACKENDS
from sqlalchemy import inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from tipquiz import migrate
from tipquiz.db import make_engine, normalise_url
from tipquiz.models import Base


@pytest.fixture(params=BACKENDS)
def blank_engine(request, tmp_path):
    """An engine on a database with no tables at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'blank.sqlite'}")
        yield engine
        engine.dispose()
        return
    url = make_url(normalise_url(request.getfixturevalue("postgres_schema")))
    schema = f"migrations_{os.getpid()}"
    setup = make_engine(url.render_as_string(hide_password=False))
    with setup.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(
        url.render_as_string(hide_password=False),
        connect_args={"options": f"-csearch_path={schema}"},
    )
    yield engine
    engine.dispose()
    with setup.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    setup.dispose()


def test_upgrade_from_nothing_matches_the_models(blank_engine):
    migrate.upgrade(blank_engine)
    assert migrate.current_revision(blank_engine) == migrate.head_revision(blank_engine)
    tables = set(inspect(blank_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with blank_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless_and_keeps_data(blank_engine):
    migrate.upgrade(blank_engine)
    with blank_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (key, title, publisher, url, notes, position) "
                "VALUES ('k', 't', 'p', 'https://example.org/', '[]', 1)"
            )
        )
    migrate.upgrade(blank_engine)
    with blank_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sources")).scalar() == 1


def test_the_database_keeps_its_rules_after_an_upgrade(blank_engine):
    """What the forms check, the database refuses too: a second database client cannot break it."""
    migrate.upgrade(blank_engine)
    refused = [
        "INSERT INTO users (username, password_hash, role, active, created_at) "
        "VALUES ('Lan', 'x', 'facilitator', true, '2026-01-01')",
        "INSERT INTO users (username, password_hash, role, active, created_at) "
        "VALUES ('boss', 'x', 'superuser', true, '2026-01-01')",
    ]
    with blank_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, active, created_at) "
                "VALUES ('lan', 'x', 'facilitator', true, '2026-01-01')"
            )
        )
    for statement in refused:
        with pytest.raises(IntegrityError), blank_engine.begin() as conn:
            conn.execute(text(statement))
    with blank_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1


def test_upgrading_keeps_every_answer(blank_engine):
    """Rebuilding tables on SQLite must not cascade into the answers that refer to them."""
    migrate.upgrade(blank_engine, "0002")
    rows = [
        "INSERT INTO topics (id, key, position, title, summary, facts, actions, feedback) "
        "VALUES (1, 't', 1, '{}', '{}', '[]', '[]', '{}')",
        "INSERT INTO questions (id, key, topic_id, position, status, prompt, explanation, "
        "revision_number, updated_at) VALUES (1, 'q', 1, 1, 'published', '{}', '{}', 1, "
        "'2026-01-01')",
        "INSERT INTO question_revisions (id, question_id, number, type, created_at) "
        "VALUES (1, 1, 1, 'single', '2026-01-01')",
        "INSERT INTO choices (id, revision_id, key, position, text, correct) "
        "VALUES (1, 1, 'a', 1, '{}', true)",
        "INSERT INTO attempts (id, token, locale, question_count, started_at) "
        "VALUES (1, 'tok', 'vi', 1, '2026-01-01')",
        "INSERT INTO attempt_questions (id, attempt_id, position, revision_id, choice_order) "
        "VALUES (1, 1, 1, 1, '[\"a\"]')",
        "INSERT INTO answers (id, item_id, attempt_id, revision_id, correct, answered_at) "
        "VALUES (1, 1, 1, 1, true, '2026-01-01')",
        "INSERT INTO answer_choices (answer_id, choice_id) VALUES (1, 1)",
    ]
    with blank_engine.begin() as conn:
        for row in rows:
            conn.execute(text(row))
    migrate.upgrade(blank_engine)
    with blank_engine.connect() as conn:
        for table in ("attempt_questions", "answers", "answer_choices", "choices"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1, table
    # An answer that claims another attempt than its item's is refused.
    with pytest.raises(IntegrityError), blank_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO attempts (id, token, locale, question_count, started_at) "
                "VALUES (2, 'tok2', 'vi', 1, '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO attempt_questions (id, attempt_id, position, revision_id, "
                "choice_order) VALUES (2, 2, 1, 1, '[\"a\"]')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO answers (id, item_id, attempt_id, revision_id, correct, answered_at) "
                "VALUES (2, 2, 1, 1, true, '2026-01-01')"
            )
        )


def test_key_facts_move_into_their_table_and_keep_their_sources(blank_engine):
    migrate.upgrade(blank_engine, "0009")
    facts = json.dumps(
        [
            {"text": {"en": "One", "vi": "Một"}, "source": "s-one"},
            {"text": {"en": "Two", "vi": "Hai"}, "source": "s-two"},
        ]
    )
    with blank_engine.begin() as conn:
        for key, position in (("s-one", 1), ("s-two", 2)):
            conn.execute(
                text(
                    "INSERT INTO sources (key, title, publisher, url, notes, position, language) "
                    "VALUES (:key, 't', 'p', 'https://example.org/', '[]', :position, 'en')"
                ),
                {"key": key, "position": position},
            )
        conn.execute(
            text(
                "INSERT INTO topics (id, key, position, title, summary, facts, actions, feedback) "
                "VALUES (1, 't', 1, '{}', '{}', :facts, '[]', '{}')"
            ),
            {"facts": facts},
        )
    migrate.upgrade(blank_engine)
    with blank_engine.connect() as conn:
        moved = conn.execute(
            text(
                "SELECT f.position, s.key FROM facts f JOIN sources s ON s.id = f.source_id "
                "WHERE f.topic_id = 1 ORDER BY f.position"
            )
        ).all()
    assert [tuple(row) for row in moved] == [(1, "s-one"), (2, "s-two")]
    # The database refuses to delete a source a fact still cites.
    with pytest.raises(IntegrityError), blank_engine.begin() as conn:
        conn.execute(text("DELETE FROM sources WHERE key = 's-two'"))
