"""A database connection that dies in the middle of a request: a friendly page, no secrets logged.

The connection is cut for real: PostgreSQL ends the server process behind it, SQLite closes
the file handle, exactly when the request reaches a chosen query.
"""

from __future__ import annotations

import logging

import pytest
from conftest import make_app
from flask import request
from helpers import page, submit
from sqlalchemy import event, text

from tipquiz.db import get_engine, get_session, make_engine


def cut(engine, dbapi_connection) -> None:
    """End a connection the hard way: the server process goes, or the file handle closes."""
    if engine.url.get_backend_name() != "postgresql":
        dbapi_connection.close()
        return
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with admin.connect() as conn:
            pid = dbapi_connection.info.backend_pid
            conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    finally:
        admin.dispose()


class ConnectionCutter:
    """Cut the request's database connection just before the first query holding ``marker``."""

    def __init__(self, app, marker: str) -> None:
        self.engine = get_engine(app)
        self.marker, self.cut = marker, False
        event.listen(self.engine, "before_cursor_execute", self.maybe_cut)

    def maybe_cut(self, _conn, cursor, statement, *_args) -> None:
        if not self.cut and self.marker in statement:
            self.cut = True
            cut(self.engine, cursor.connection)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self.maybe_cut)


@pytest.fixture
def failing_app(database_url, bank):
    from tipquiz.bank_store import import_bank

    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        import_bank(get_session(), bank)
        get_session().commit()
    return app


def test_a_connection_lost_during_a_query_ends_on_the_friendly_page(failing_app):
    client = failing_app.test_client()
    client.get("/lang/en")
    cutter = ConnectionCutter(failing_app, "FROM sources")
    response = client.get("/learn/warning-signs")
    cutter.close()
    assert cutter.cut
    assert response.status_code == 500
    assert page(response).find("h1").get_text(strip=True) == "Something went wrong on our side"
    assert client.get("/learn/warning-signs").status_code == 200, "the next request works again"


def test_a_connection_lost_after_the_last_query_still_answers(failing_app):
    """The teardown's ROLLBACK meets the dead connection: the page must still reach the user."""
    done: list[bool] = []

    @failing_app.after_request
    def cut_after_the_view(response):
        if request.path == "/learn/warning-signs" and not done:
            connection = get_session().connection().connection.dbapi_connection
            cut(get_engine(failing_app), connection)
            done.append(True)
        return response

    client = failing_app.test_client()
    client.get("/lang/en")
    response = client.get("/learn/warning-signs")
    assert done
    assert response.status_code == 200
    assert page(response).find("h1").get_text(strip=True)
    assert client.get("/learn/warning-signs").status_code == 200


def test_the_error_log_never_holds_a_participants_attempt_token(failing_app, caplog):
    client = failing_app.test_client()
    client.get("/lang/en")
    assert submit(client, "/", action="/start").status_code == 302
    with client.session_transaction() as session:
        token = session["attempt"]
    cutter = ConnectionCutter(failing_app, "attempts.token")
    with caplog.at_level(logging.DEBUG):
        response = client.get("/quiz/1")
    cutter.close()
    assert cutter.cut
    assert response.status_code == 500
    assert "Exception on /quiz/1" in caplog.text, "the failure itself is logged"
    assert token not in caplog.text


def test_a_database_that_is_gone_altogether_still_gets_staff_the_friendly_page(failing_app):
    """Even the signed-in account cannot be loaded: the error page shows as to a visitor."""
    from helpers import add_user, login

    add_user(failing_app, "lan")
    client = failing_app.test_client()
    client.get("/lang/en")
    assert login(client, "lan").status_code == 302
    engine = get_engine(failing_app)

    def refuse(*_args):
        raise refusal

    if engine.url.get_backend_name() == "postgresql":
        import psycopg

        refusal = psycopg.OperationalError("connection refused")
    else:
        import sqlite3

        refusal = sqlite3.OperationalError("unable to open database file")
    engine.dispose()
    event.listen(engine, "do_connect", refuse)
    try:
        response = client.get("/facilitator/")
    finally:
        event.remove(engine, "do_connect", refuse)
    assert response.status_code == 500
    assert page(response).find("h1").get_text(strip=True) == "Something went wrong on our side"
    assert client.get("/facilitator/").status_code == 200, "back once the database is"
