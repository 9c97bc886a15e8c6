"""Staff sessions end when they should: a copied session cookie is replayed to prove it.

Whoever copies a signed-in cookie (a shared computer, a stolen laptop) must lose it when the
owner signs out, changes their password, or an admin resets or switches off the account; and
a session left alone ends by itself.
"""

from __future__ import annotations

import pytest
from helpers import TEST_PASSWORD, add_user, login, page, submit
from sqlalchemy import select

from tipquiz.db import get_session
from tipquiz.models import User

COOKIE = "tipquiz"


def signed_in(app, username: str, remember: bool = False):
    client = app.test_client()
    client.get("/lang/en")
    data = {"username": username, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert submit(client, "/login", data).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding the same session cookie, as an attacker who copied it would."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def is_signed_in(client, url: str = "/facilitator/") -> bool:
    response = client.get(url)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert "/login" in response.location
    return response.status_code == 200


def press(client, url: str, action: str):
    response = submit(client, url, action=action)
    assert response.status_code in (200, 302), response.status_code
    return response


@pytest.fixture
def admin(app):
    add_user(app, "boss", "admin")
    return signed_in(app, "boss")


def user_id(app, username: str) -> int:
    with app.app_context():
        return get_session().scalar(select(User.id).where(User.username == username))


def test_signing_out_ends_a_copied_cookie(app):
    add_user(app, "lan")
    owner = signed_in(app, "lan")
    thief = copy_of(app, owner)
    assert is_signed_in(thief)
    press(owner, "/facilitator/", "/logout")
    assert not is_signed_in(owner)
    assert not is_signed_in(thief)


def test_changing_ones_password_ends_other_sessions_but_not_this_one(app):
    from test_security import change_own_password

    add_user(app, "lan")
    owner = signed_in(app, "lan")
    thief = copy_of(app, owner)
    assert change_own_password(owner, TEST_PASSWORD, "a new long password").status_code == 302
    assert is_signed_in(owner)
    assert not is_signed_in(thief)


def test_an_admin_reset_ends_the_accounts_sessions(app, admin):
    add_user(app, "lan")
    owner = signed_in(app, "lan")
    thief = copy_of(app, owner)
    account = f"/admin/accounts/{user_id(app, 'lan')}"
    press(admin, account, f"{account}/password")
    assert not is_signed_in(owner)
    assert not is_signed_in(thief)
    assert is_signed_in(admin, "/admin/")


def test_reactivating_an_account_does_not_revive_old_cookies(app, admin):
    add_user(app, "lan")
    owner = signed_in(app, "lan")
    thief = copy_of(app, owner)
    account = f"/admin/accounts/{user_id(app, 'lan')}"
    press(admin, account, f"{account}/deactivate")
    assert not is_signed_in(thief)
    press(admin, account, f"{account}/reactivate")
    assert not is_signed_in(thief)
    assert not is_signed_in(owner)
    assert is_signed_in(signed_in(app, "lan")), "the owner signs in again with their password"


class FakeClock:
    def __init__(self, monkeypatch):
        import tipquiz.staff_sessions

        self.now = 2_000_000_000.0
        monkeypatch.setattr(tipquiz.staff_sessions, "time", self)

    def time(self) -> float:
        return self.now


def test_a_staff_session_left_alone_for_twelve_hours_ends(app, monkeypatch):
    clock = FakeClock(monkeypatch)
    add_user(app, "lan")
    client = signed_in(app, "lan")
    clock.now += 11 * 3600
    assert is_signed_in(client), "eleven hours idle: still signed in"
    clock.now += 11 * 3600
    assert is_signed_in(client), "every request starts the twelve hours again"
    clock.now += 12 * 3600 + 60
    assert not is_signed_in(client)
    assert not is_signed_in(client)


def test_remember_me_keeps_a_session_for_thirty_days_of_rest(app, monkeypatch):
    clock = FakeClock(monkeypatch)
    add_user(app, "lan")
    client = signed_in(app, "lan", remember=True)
    assert client.get_cookie(COOKIE).expires is not None, "the cookie outlives the browser"
    clock.now += 29 * 24 * 3600
    assert is_signed_in(client)
    clock.now += 31 * 24 * 3600
    assert not is_signed_in(client)


def test_without_remember_me_the_cookie_ends_with_the_browser(app):
    add_user(app, "lan")
    client = signed_in(app, "lan")
    assert client.get_cookie(COOKIE).expires is None


def test_the_sign_in_form_offers_remember_me_with_a_label(client):
    form = page(client.get("/login")).find("main").find("form")
    box = form.find("input", attrs={"name": "remember", "type": "checkbox"})
    assert box is not None and not box.has_attr("checked")
    assert form.find("label", attrs={"for": box["id"]}) is not None


def test_a_stale_session_after_sign_out_needs_the_password_again(app):
    add_user(app, "lan")
    owner = signed_in(app, "lan")
    press(owner, "/facilitator/", "/logout")
    assert login(owner, "lan", "wrong password x").status_code == 200
    assert not is_signed_in(owner)
