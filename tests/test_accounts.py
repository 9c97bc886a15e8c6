"""The account rules, called directly: no pages, no requests."""

from __future__ import annotations

import pytest
from helpers import TEST_PASSWORD, _password_hash
from sqlalchemy import select

from tipquiz import accounts
from tipquiz.accounts import AccountRefused
from tipquiz.db import get_session
from tipquiz.models import AuditEntry, User


@pytest.fixture
def db(empty_app):
    with empty_app.app_context():
        yield get_session()


def make(db, username: str, role: str = "facilitator", active: bool = True) -> User:
    user = User(username=username, role=role, active=active, password_hash=_password_hash())
    db.add(user)
    db.flush()
    return user


def refusal(call) -> str:
    with pytest.raises(AccountRefused) as caught:
        call()
    return caught.value.message % caught.value.params


def test_create_account_makes_up_a_strong_password(db):
    user, password = accounts.create_account(
        db, actor_id=None, username="lan", role="facilitator", password=None
    )
    db.commit()
    assert len(password) >= 16
    assert user.check_password(password)
    assert password not in user.password_hash
    other, second = accounts.create_account(
        db, actor_id=user.id, username="minh", role="admin", password=None
    )
    assert second != password
    assert other.is_admin
    # Read off a screen and typed by hand: nothing that looks like another character.
    assert not set(password + second) & set("lI1O0")


def test_a_name_taken_between_the_check_and_the_insert_is_refused_not_a_crash(db, monkeypatch):
    """Two admins create "Lan" and "lan" at the same moment: the database's index decides."""
    make(db, "Lan")
    db.commit()
    # The other request checked before this one's insert: its check found nothing.
    monkeypatch.setattr(accounts, "find_account", lambda *args: None)
    assert (
        refusal(
            lambda: accounts.create_account(
                db, actor_id=None, username="lan", role="facilitator", password=None
            )
        )
        == "An account named lan exists already."
    )
    db.commit()
    assert db.scalars(select(User.username)).all() == ["Lan"]


def test_create_account_uses_a_given_password(db):
    user, password = accounts.create_account(
        db, actor_id=None, username="hoa", role="facilitator", password="my own long password"
    )
    assert password == "my own long password"
    assert user.check_password("my own long password")


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("LAN", "facilitator", None, "An account named LAN exists already."),
        ("a", "facilitator", None, "Use 2 to 64 letters"),
        ("bad name", "facilitator", None, "Use 2 to 64 letters"),
        ("new", "owner", None, "Unknown role owner."),
        ("new", "admin", "short", "Use at least 10 characters."),
    ],
)
def test_create_account_refusals_change_nothing(db, username, role, password, message):
    make(db, "lan")
    db.commit()
    said = refusal(
        lambda: accounts.create_account(
            db, actor_id=None, username=username, role=role, password=password
        )
    )
    assert said.startswith(message)
    db.rollback()
    assert [u.username for u in db.scalars(select(User))] == ["lan"]
    assert db.scalars(select(AuditEntry)).all() == []


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(db):
    boss = make(db, "boss", "admin")
    make(db, "retired", "admin", active=False)
    lan = make(db, "lan")
    assert "last active admin" in refusal(
        lambda: accounts.set_active(db, actor_id=boss.id, user=boss, active=False)
    )
    assert "last active admin" in refusal(
        lambda: accounts.set_role(db, actor_id=boss.id, user=boss, role="facilitator")
    )
    assert (boss.active, boss.role) == (True, "admin")
    accounts.set_active(db, actor_id=boss.id, user=lan, active=False)
    assert lan.active is False


def test_with_two_admins_either_may_go_but_not_both(db):
    boss = make(db, "boss", "admin")
    minh = make(db, "minh", "admin")
    accounts.set_role(db, actor_id=boss.id, user=minh, role="facilitator")
    db.flush()
    assert "last active admin" in refusal(
        lambda: accounts.set_active(db, actor_id=boss.id, user=boss, active=False)
    )
    accounts.set_role(db, actor_id=boss.id, user=minh, role="admin")
    db.flush()
    accounts.set_active(db, actor_id=boss.id, user=boss, active=False)
    assert boss.active is False


def test_reactivating_and_promoting_are_always_allowed(db):
    boss = make(db, "boss", "admin")
    lan = make(db, "lan", active=False)
    accounts.set_active(db, actor_id=boss.id, user=lan, active=True)
    accounts.set_role(db, actor_id=boss.id, user=lan, role="admin")
    assert (lan.active, lan.role) == (True, "admin")
    assert "Unknown role" in refusal(
        lambda: accounts.set_role(db, actor_id=boss.id, user=lan, role="root")
    )


def test_reset_password_replaces_the_old_one(db):
    boss = make(db, "boss", "admin")
    lan = make(db, "lan")
    password = accounts.reset_password(db, actor_id=boss.id, user=lan)
    assert lan.check_password(password)
    assert not lan.check_password(TEST_PASSWORD)


def test_every_account_change_is_audited_without_passwords(db):
    boss = make(db, "boss", "admin")
    lan, given = accounts.create_account(
        db, actor_id=boss.id, username="lan", role="facilitator", password="the given password"
    )
    accounts.set_role(db, actor_id=boss.id, user=lan, role="admin")
    accounts.set_active(db, actor_id=boss.id, user=lan, active=False)
    accounts.set_active(db, actor_id=boss.id, user=lan, active=True)
    made_up = accounts.reset_password(db, actor_id=boss.id, user=lan)
    db.commit()
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.entity, e.entity_key, e.user_id) for e in entries] == [
        ("create", "account", "lan", boss.id),
        ("change_role", "account", "lan", boss.id),
        ("deactivate", "account", "lan", boss.id),
        ("reactivate", "account", "lan", boss.id),
        ("reset_password", "account", "lan", boss.id),
    ]
    assert entries[0].new == {"username": "lan", "role": "facilitator", "active": True}
    assert (entries[1].old, entries[1].new) == ({"role": "facilitator"}, {"role": "admin"})
    assert (entries[2].old, entries[2].new) == ({"active": True}, {"active": False})
    stored = " ".join(f"{e.old} {e.new}" for e in entries)
    for secret in (given, made_up, lan.password_hash, "scrypt", "pbkdf2"):
        assert secret not in stored
