"""Fixtures: an app on a fresh database per test, on SQLite and, where it answers, PostgreSQL.

PostgreSQL is used when ``TIPQUIZ_TEST_POSTGRES_URL`` is set or a server answers on
127.0.0.1:5432 (user ``postgres``, database ``test``); every database test then runs on both.
``TIPQUIZ_TEST_POSTGRES_URL=off`` runs on SQLite alone, for a quick run while developing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from tipquiz import create_app
from tipquiz.bank import Bank, read_bank
from tipquiz.bank_store import import_bank
from tipquiz.db import get_engine, make_engine, normalise_url
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


class DatabaseCopies:
    """Fresh databases for tests, copied from templates built once per test run.

    Importing the whole bank takes far longer than copying a database that already holds it.
    On SQLite each template (empty, or holding the bank) is a file and every test gets a copy
    of it. On PostgreSQL the run's database is emptied before each test and, where the bank is
    wanted, refilled from a copy of the bank's rows kept in a schema of its own: creating and
    dropping a database per test would cost more than that.
    """

    TEMPLATE_SCHEMA = "template_bank"

    def __init__(self, bank: Bank, run_url: str | None, tmp: Path) -> None:
        self.bank = bank
        self.run_url = run_url
        self.tmp = tmp
        self.sqlite_templates: dict[str, Path] = {}
        self.postgres_tables: list[str] | None = None

    def _import_bank(self, engine: Engine) -> None:
        with Session(engine) as session:
            import_bank(session, self.bank)
            session.commit()

    def _sqlite_template(self, content: str) -> Path:
        if content not in self.sqlite_templates:
            path = self.tmp / f"template_{content}.sqlite"
            engine = make_engine(f"sqlite:///{path}")
            Base.metadata.create_all(engine)
            if content == "bank":
                self._import_bank(engine)
            with engine.begin() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            engine.dispose()
            self.sqlite_templates[content] = path
        return self.sqlite_templates[content]

    def _postgres_bank_tables(self, engine: Engine) -> list[str]:
        """Import the bank once and keep a copy of every table it filled."""
        if self.postgres_tables is None:
            self._empty_postgres(engine)
            self._import_bank(engine)
            schema = self.TEMPLATE_SCHEMA
            tables = []
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
                for table in Base.metadata.sorted_tables:
                    if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{table.name}")')).scalar():
                        conn.execute(
                            text(f'CREATE TABLE {schema}."{table.name}" AS TABLE "{table.name}"')
                        )
                        tables.append(table.name)
            self.postgres_tables = tables
        return self.postgres_tables

    @staticmethod
    def _empty_postgres(engine: Engine) -> None:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

    def _fill_postgres(self, engine: Engine) -> None:
        tables = self._postgres_bank_tables(engine)
        self._empty_postgres(engine)
        with engine.begin() as conn:
            for name in tables:
                conn.execute(
                    text(f'INSERT INTO "{name}" SELECT * FROM {self.TEMPLATE_SCHEMA}."{name}"')
                )
                if "id" in Base.metadata.tables[name].c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                            f'(SELECT max(id) FROM "{name}"))'
                        )
                    )

    def copy(self, backend: str, content: str, tmp_path: Path) -> str:
        if backend == "sqlite":
            path = tmp_path / "test.sqlite"
            shutil.copyfile(self._sqlite_template(content), path)
            return f"sqlite:///{path}"
        assert self.run_url is not None
        engine = make_engine(normalise_url(self.run_url))
        if content == "bank":
            self._fill_postgres(engine)
        else:
            self._empty_postgres(engine)
        engine.dispose()
        return self.run_url


@pytest.fixture(scope="session")
def database_copies(
    request: pytest.FixtureRequest, bank: Bank, tmp_path_factory: pytest.TempPathFactory
) -> DatabaseCopies:
    run_url = request.getfixturevalue("postgres_schema") if "postgresql" in BACKENDS else None
    return DatabaseCopies(bank, run_url, tmp_path_factory.mktemp("templates"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(database_copies: DatabaseCopies, backend: str, tmp_path: Path) -> str:
    """A database of the test's own with every table and no content."""
    return database_copies.copy(backend, "empty", tmp_path)


@pytest.fixture
def bank_database_url(database_copies: DatabaseCopies, backend: str, tmp_path: Path) -> str:
    """A database of the test's own holding the real question bank."""
    return database_copies.copy(backend, "bank", tmp_path)


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


def _dispose_apps() -> None:
    while _APPS:
        get_engine(_APPS.pop()).dispose()


@pytest.fixture(autouse=True)
def _close_app_engines() -> Iterator[None]:
    """Close the connection pools of every app a test made, so none outlives its test."""
    yield
    _dispose_apps()


@pytest.fixture
def app(bank_database_url: str) -> Iterator[Flask]:
    """An app on a database of the test's own that holds the real question bank."""
    app = make_app(bank_database_url)
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


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server for the tests of shared rate limits: the one on 127.0.0.1:6379 where it
    answers, or else one of this run's own, started from ``redis-server``.

    Tests that use it write under a key prefix of their own and never empty the database, so a
    Redis shared with anything else is left as it was.
    """
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pass
    else:
        yield "redis://127.0.0.1:6379/15"
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("Redis is needed for the shared rate-limit tests: apt-get install redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, once per test module (Playwright downloads no browser)."""
    from browsing import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app over real HTTP on a free loopback port, several requests at once like gunicorn."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()
