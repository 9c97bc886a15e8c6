"""Facilitator and admin accounts: creating them, switching them off and on, new passwords.

The one rule that matters most: the site must always keep at least one active admin, or
nobody could manage accounts or content any more without a shell on the server. Every change
is written to the audit log in the same transaction; the caller commits.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .bank import N_
from .models import ROLES, User

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


class AccountRefused(Exception):
    """A change the rules do not allow; ``message`` is an English template for gettext."""

    def __init__(self, message: str, **params: object):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


# Passwords made here are read off a screen and typed by hand: no l, I, 1, O or 0.
PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 16


def make_password() -> str:
    """A password strong enough to hand over once and be changed by its owner (about 93 bits)."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def find_account(session: Session, username: str) -> User | None:
    """Names are unique whatever their case, so "Lan" and "lan" are one account."""
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


@cache
def _dummy_hash() -> str:
    """A hash made like every real one, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(16))


def verify_sign_in(user: User | None, password: str) -> bool:
    """Whether this account, found by name or not, may sign in with this password.

    A password hash is checked whatever the name was, against a made-up one when no account
    has it, so the time a refusal takes does not tell which usernames exist.
    """
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    return matches and user is not None and user.active


def change_own_password(session: Session, user: User, password: str) -> None:
    """The account's owner sets a new password; the audit log notes that it changed."""
    check_password(password)
    user.password = password
    user.must_change_password = False
    user.end_sessions()
    audit.record(
        session,
        user_id=user.id,
        action="change_password",
        entity="account",
        entity_key=user.username,
    )


def snapshot(user: User) -> dict[str, object]:
    """What the audit log keeps about an account: never its password or hash."""
    return {"username": user.username, "role": user.role, "active": user.active}


def check_username(session: Session, username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise AccountRefused(
            N_("Use 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
        )
    if find_account(session, username) is not None:
        raise AccountRefused(N_("An account named %(name)s exists already."), name=username)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountRefused(N_("Use at least 10 characters."))


def create_account(
    session: Session, *, actor_id: int | None, username: str, role: str, password: str | None
) -> tuple[User, str]:
    """Create an account; return it with its password, made up when none is given."""
    username = username.strip()
    check_username(session, username)
    if role not in ROLES:
        raise AccountRefused(N_("Unknown role %(role)s."), role=role)
    if password:
        check_password(password)
    made_up = not password
    password = password or make_password()
    user = User(
        username=username,
        role=role,
        active=True,
        password=password,
        must_change_password=made_up,
    )
    try:
        # Two admins creating the same name at once: the database's unique index decides.
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise AccountRefused(
            N_("An account named %(name)s exists already."), name=username
        ) from None
    audit.record(
        session,
        user_id=actor_id,
        action="create",
        entity="account",
        entity_key=username,
        new=snapshot(user),
    )
    return user, password


def active_admin_ids(session: Session) -> list[int]:
    """Active admins, locked until commit so two admins cannot remove each other at once."""
    return list(
        session.scalars(
            select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
        )
    )


def _refuse_if_last_admin(session: Session, user: User) -> None:
    if user.role == "admin" and user.active and active_admin_ids(session) == [user.id]:
        raise AccountRefused(
            N_("%(name)s is the last active admin; make another admin first."),
            name=user.username,
        )


def set_active(session: Session, *, actor_id: int | None, user: User, active: bool) -> None:
    """Switch an account off (it can no longer sign in) or back on."""
    if user.active == active:
        return
    if not active:
        _refuse_if_last_admin(session, user)
    old = snapshot(user)
    user.active = active
    user.end_sessions()  # switched back on, it still needs its password: no old cookie works
    audit.record(
        session,
        user_id=actor_id,
        action="reactivate" if active else "deactivate",
        entity="account",
        entity_key=user.username,
        old=old,
        new=snapshot(user),
    )


def set_role(session: Session, *, actor_id: int | None, user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountRefused(N_("Unknown role %(role)s."), role=role)
    if user.role == role:
        return
    if role != "admin":
        _refuse_if_last_admin(session, user)
    old = snapshot(user)
    user.role = role
    audit.record(
        session,
        user_id=actor_id,
        action="change_role",
        entity="account",
        entity_key=user.username,
        old=old,
        new=snapshot(user),
    )


def reset_password(session: Session, *, actor_id: int | None, user: User) -> str:
    """Give the account a new made-up password and return it, to be shown once."""
    password = make_password()
    user.password = password
    user.must_change_password = True
    user.end_sessions()
    audit.record(
        session,
        user_id=actor_id,
        action="reset_password",
        entity="account",
        entity_key=user.username,
    )
    return password
