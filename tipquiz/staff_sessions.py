"""Staff sessions that can be ended: signed-in cookies carry the account's session version.

Flask keeps the session in a signed cookie, so a copy of it would otherwise work for as long
as the cookie lives. Every account has a session version; the cookie names the version it was
signed in with, and a request whose version is not the account's current one is signed out.
Signing out, changing one's password, an admin's reset and switching an account off or on
raise the version and so end every cookie signed in before.

A session also ends by itself after ``IDLE_LIMIT`` without a request, or after
``REMEMBERED_IDLE_LIMIT`` when "remember me" was ticked at sign-in.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, session
from flask_login import login_user, logout_user

from .models import User

IDLE_LIMIT = timedelta(hours=12)
REMEMBERED_IDLE_LIMIT = timedelta(days=30)
SEEN_KEY = "_staff_seen"
REMEMBER_KEY = "_staff_remember"
# Refresh the last-seen time at most this often, so that not every request rewrites the cookie.
SEEN_PRECISION = 60


def parse_session_id(value: str) -> tuple[int, int] | None:
    """(account id, session version) from what ``User.get_id`` put in the cookie."""
    user_id, _, version = value.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def sign_in(user: User, remember: bool) -> None:
    """Start a session; without "remember me" the cookie ends when the browser closes."""
    login_user(user)
    session[REMEMBER_KEY] = remember
    session[SEEN_KEY] = int(time.time())
    session.permanent = remember


def sign_out() -> None:
    logout_user()
    session.pop(SEEN_KEY, None)
    session.pop(REMEMBER_KEY, None)
    session.permanent = True  # what is left (the chosen language) outlives the browser again


def idle_limit() -> timedelta:
    return REMEMBERED_IDLE_LIMIT if session.get(REMEMBER_KEY) else IDLE_LIMIT


def end_idle_session() -> None:
    """A ``before_request``: sign out a session left alone too long, else note this request."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, int) or now - seen > idle_limit().total_seconds():
        sign_out()
    elif now - seen >= SEEN_PRECISION:
        session[SEEN_KEY] = now


def init_app(app: Flask) -> None:
    app.before_request(end_idle_session)
