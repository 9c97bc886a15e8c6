"""Fixtures: an app on a fresh database per test, on SQLite and, where it answers, PostgreSQL.

PostgreSQL is used when ``TIPQUIZ_TEST_POSTGRES_URL`` is set or a server answers on
127.0.0.1:5432 (user ``postgres``, database ``test``); every database test then runs on both.
``TIPQUIZ_TEST_POSTGRES_URL=off`` runs on SQLite alone, for a quick run while developing.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from tipquiz import create_app
from tipquiz.bank import Bank, read_bank
from tipquiz.bank_store import import_bank
from tipquiz.db import get_engine, get_session, make_engine, normalise_url
from tipquiz.models import Base

ROOT = Path(__file__).resolve().parent.parent
BANK_DIR = ROOT / "questions"


def postgres_url() -> str | None:
    url = os.environ.get("TIPQUIZ_TEST_POSTGRES_URL")
    if url == "off":
        return None
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return None
    return "postgresql://postgres@127.0.0.1:5432/test"


BACKENDS = ["sqlite"] + (["postgresql"] if postgres_url() else [])


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str | None]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end.

    Several test runs can then share one server without emptying each other's tables. Where
    the account may not create databases, the given database is used as it is.
    """
    url = postgres_url()
    if url is None:
        yield None
        return
    base = make_url(normalise_url(url))
    name = f"{base.database}_run_{os.getpid()}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        run_url = base.set(database=name).render_as_string(hide_password=False)
    except DBAPIError:
        name, run_url = None, base.render_as_string(hide_password=False)
    engine = make_engine(run_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield run_url
    if name is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        return url
    url = request.getfixturevalue("postgres_schema")
    engine = make_engine(normalise_url(url))
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The real question bank, read once."""
    return read_bank(BANK_DIR)


def make_app(database_url: str, **extra) -> Flask:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test secret",
        "RATELIMIT_STORAGE_URL": "memory://",
    }
    config.update(extra)
    app = create_app(config)
    _APPS.append(app)
    return app


_APPS: list[Flask] = []


@pytest.fixture(autouse=True)
def _close_app_engines() -> Iterator[None]:
    """Close the connection pools of every app a test made, so none outlives its test."""
    yield
    while _APPS:
        get_engine(_APPS.pop()).dispose()


@pytest.fixture
def app(database_url: str, bank: Bank) -> Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        session = get_session()
        import_bank(session, bank)
        session.commit()
    yield app
    get_engine(app).dispose()


@pytest.fixture
def empty_app(database_url: str) -> Iterator[Flask]:
    """An app whose database has tables but no content."""
    app = make_app(database_url)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()
