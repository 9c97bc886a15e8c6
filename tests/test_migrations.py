"""Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import BACKENDS
from sqlalchemy import inspect, make_url, text

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
