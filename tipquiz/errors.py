"""Friendly error pages in the user's language; a failed request never leaves a half-write."""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .db import get_session
from .extensions import login_manager


def _page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something was wrong with that request"), _("Please go back and try again.")),
        403: (_("Not allowed"), _("Your account cannot open this page.")),
        404: (
            _("Page not found"),
            _("We could not find that page. Check the address or start from the home page."),
        ),
        405: (_("Not allowed"), _("That action is not possible on this page.")),
        410: (_("No longer available"), _("This is no longer open.")),
        413: (
            _("Too large"),
            _("That upload or form is too large. Please send something smaller."),
        ),
        429: (
            _("Too many tries"),
            _("You are going a little fast. Please wait a minute and try again."),
        ),
        500: (
            _("Something went wrong on our side"),
            _("Nothing you entered was saved by the failed step. Please try again in a moment."),
        ),
    }


def handle_http_error(error: HTTPException):
    status = error.code or 500
    title, message = messages().get(status, messages()[400])
    if error.description and error.description != type(error).description:
        message = error.description
    return _page(status, title, message)


def handle_csrf_error(_error: CSRFError):
    return _page(
        400,
        _("This form has expired"),
        _("For your safety the form could not be sent. Please reload the page and try again."),
    )


def handle_server_error(_error: Exception):
    try:
        get_session().rollback()
    except SQLAlchemyError:
        get_session().invalidate()  # the connection itself is gone; the page must still show
    title, message = messages()[500]
    try:
        current_user.is_authenticated  # noqa: B018 - loads the account, which needs the database
    except SQLAlchemyError:
        # The database is gone altogether: show the page as to a visitor who is not signed in,
        # rather than fail here and leave the WSGI server to answer with a bare error.
        g._login_user = login_manager.anonymous_user()
    return _page(500, title, message)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
