"""The database engine and the per-request session.

The engine lives in ``app.extensions`` rather than in a module global, so that several apps
(tests, two databases) can live in one process. A request gets one ``Session`` on ``g``,
closed when the app context ends.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys on every connection.

    WAL lets participants' answers be written while the dashboard reads; the busy timeout makes
    concurrent writers from several worker processes wait for each other instead of failing.
    """
    # Error messages and logs must not carry query parameters: they hold attempt tokens.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 30.0


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection is alive only when it sat unused for a while.

    ``pool_pre_ping`` costs a round trip to PostgreSQL on every request. A connection handed
    back less than ``idle_seconds`` ago was working then, so it is used as it is; one idle for
    longer (the server may have restarted, a firewall may have dropped it) is pinged first and
    replaced if dead, which is all that the ping on every checkout protected against.
    """

    @event.listens_for(engine, "checkin")
    def _note_return(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError() from error
        if not alive:
            raise exc.DisconnectionError()


def normalise_url(url: str) -> str:
    """Let people write ``postgresql://`` and still get the psycopg 3 driver we install."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def get_engine(app: Flask | None = None) -> Engine:
    app = app or current_app
    return app.extensions["tipquiz_engine"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tipquiz_sessionmaker"]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        discard_session(session)


def discard_session(session: Session) -> None:
    """Roll back and close; a connection that died meanwhile is dropped, not raised.

    Whatever the request had not committed is lost with the connection anyway, and what it
    committed is safe, so the answer already made for the user stands instead of becoming a
    bare server error from the WSGI server.
    """
    try:
        session.close()
    except SQLAlchemyError:
        current_app.logger.warning("A database connection was lost at the end of a request.")
        session.invalidate()


def init_app(app: Flask) -> None:
    url = normalise_url(app.config["DATABASE_URL"])
    app.config["DATABASE_URL"] = url
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    app.extensions["tipquiz_engine"] = engine
    app.extensions["tipquiz_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)
