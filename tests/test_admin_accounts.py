"""Who may open the admin pages, and the account pages an admin uses.

The route lists come from the app's URL map, so a route added later is covered too.
"""

from __future__ import annotations

import pytest
from helpers import TEST_PASSWORD, add_user, form_values, login, page, submit
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from tipquiz.db import get_session
from tipquiz.models import AuditEntry, Question, User


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]


def build(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def csrf_token(client) -> str:
    """A valid token for this browser, so that only the role check can refuse."""
    return page(client.get("/login")).find("input", attrs={"name": "csrf_token"})["value"]


def try_every_admin_route(app, client) -> list[tuple[str, str, int, str]]:
    token = csrf_token(client)
    seen = []
    for rule in admin_rules(app):
        url = build(rule)
        for method in sorted(m for m in rule.methods if m in ("GET", "POST")):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            seen.append((method, url, response.status_code, response.location or ""))
    return seen


def test_the_list_of_admin_routes_is_complete(app):
    endpoints = {r.endpoint for r in admin_rules(app)}
    assert {
        "admin.index",
        "admin.edit_question",
        "admin.bank",
        "admin.export_bank",
        "admin.new_account",
        "admin.reset_password",
        "admin.audit_log",
    } <= endpoints
    assert len(endpoints) >= 20


def test_every_admin_route_sends_anonymous_visitors_to_sign_in(app):
    for method, url, status, location in try_every_admin_route(app, app.test_client()):
        assert status == 302, (method, url, status)
        assert location.startswith("/login"), (method, url, location)


def test_every_admin_route_refuses_facilitators(app):
    add_user(app, "fac", "facilitator")
    client = app.test_client()
    assert login(client, "fac").status_code == 302
    for method, url, status, _location in try_every_admin_route(app, client):
        assert status == 403, (method, url, status)


def test_a_deactivated_admin_is_signed_out_at_once(app):
    boss = add_user(app, "boss", "admin")
    add_user(app, "other", "admin")
    client = app.test_client()
    login(client, "boss")
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        get_session().get(User, boss).active = False
        get_session().commit()
    response = client.get("/admin/")
    assert response.status_code == 302 and response.location.startswith("/login")


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        db = get_session()
        return (
            db.scalar(select(func.count(User.id)).where(User.active.is_(True))),
            db.scalar(select(func.count(Question.id))),
            db.scalar(select(func.count(AuditEntry.id))),
        )


def test_admin_forms_refuse_a_post_without_its_csrf_token(app):
    # The tests run with CSRF protection as in production; nothing switches it off.
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    boss = add_user(app, "boss", "admin")
    other = add_user(app, "lan", "facilitator")
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, "boss").status_code == 302
    before = counts(app)
    with app.app_context():
        question_key = get_session().scalar(select(Question.key).order_by(Question.id))
    question = form_values(
        page(client.get(f"/admin/questions/{question_key}")).find("form", class_="editor")
    )
    forged = [
        ("/admin/accounts/new", {"username": "mallory", "role": "admin"}),
        (f"/admin/accounts/{other}/deactivate", {}),
        (f"/admin/accounts/{boss}/password", {}),
        (f"/admin/accounts/{other}/role", {"role": "admin"}),
        (
            f"/admin/questions/{question_key}",
            {**question, "prompt-en": "Forged", "csrf_token": None},
        ),
        (f"/admin/questions/{question_key}/delete", {}),
        ("/admin/bank", {"files": "x"}),
    ]
    for url, data in forged:
        data = {k: v for k, v in data.items() if v is not None}
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert page(response).find("h1").get_text(strip=True) == "This form has expired"
    assert counts(app) == before
    with app.app_context():
        assert get_session().get(User, other).role == "facilitator"
        assert (
            get_session().scalar(select(Question.prompt).where(Question.key == question_key))["en"]
            != "Forged"
        )
    assert login(app.test_client(), "boss").status_code == 302, "the password is unchanged"


# --- accounts ------------------------------------------------------------------------------


@pytest.fixture
def admin(app):
    add_user(app, "boss", "admin")
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, "boss").status_code == 302
    return client


def user_id(app, username: str) -> int:
    with app.app_context():
        return get_session().scalar(select(User.id).where(User.username == username))


def press(client, account: int, button: str):
    """Press one of the buttons of an account page."""
    return submit(
        client, f"/admin/accounts/{account}", action=f"/admin/accounts/{account}/{button}"
    )


def create_account(client, values: dict):
    return submit(client, "/admin/accounts/new", values, action="/admin/accounts/new")


def flash(client, url: str) -> str:
    return page(client.get(url)).find("p", class_="flash").get_text(strip=True)


def test_create_a_facilitator_with_a_password_shown_once(app, admin):
    response = create_account(admin, {"username": "lan", "role": "facilitator"})
    assert response.status_code == 200
    soup = page(response)
    password = soup.find("code", id="new-password").get_text(strip=True)
    assert len(password) >= 16
    assert "shown only now" in soup.find("section", class_="password-once").get_text()
    assert password not in admin.get("/admin/accounts").get_data(as_text=True)
    assert password not in admin.get(f"/admin/accounts/{user_id(app, 'lan')}").get_data(
        as_text=True
    )
    lan = app.test_client()
    lan.get("/lang/en")
    response = login(lan, "lan", password)
    # Someone else saw the made-up password: its owner chooses one of their own first.
    assert response.status_code == 302 and response.location == "/account/password"
    assert lan.get("/facilitator/").location == "/account/password"
    soup = page(lan.get("/account/password"))
    assert "Choose your own" in soup.find("main").get_text()
    chosen = "a password of my own"
    response = submit(
        lan,
        "/account/password",
        {"current": password, "new": chosen, "confirm": chosen},
        form_index=1,  # the header's sign-out form comes first
    )
    assert response.status_code == 302 and response.location == "/facilitator/"
    assert lan.get("/facilitator/").status_code == 200
    assert lan.get("/admin/").status_code == 403
    assert login(app.test_client(), "lan", chosen).location == "/facilitator/"
    row = page(admin.get("/admin/accounts")).find("tr", id=f"account-{user_id(app, 'lan')}")
    assert row.find("td", class_="role").get_text(strip=True) == "Facilitator"


def test_create_an_admin_with_a_given_password(app, admin):
    response = create_account(
        admin, {"username": "minh", "role": "admin", "password": "a long given password"}
    )
    assert response.status_code == 200
    assert page(response).find("code", id="new-password") is None
    assert login(app.test_client(), "minh", "a long given password").location == "/admin/"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"username": "BOSS"}, "username", "An account named BOSS exists already."),
        (
            {"username": "two words"},
            "username",
            "Use 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
        ),
        ({"username": "hoa", "password": "short"}, "password", "Use at least 10 characters."),
        ({"username": ""}, "username", "This field is required."),
    ],
)
def test_account_form_messages(app, admin, values, field, message):
    before = counts(app)
    response = create_account(admin, {"role": "facilitator", **values})
    assert response.status_code == 422
    soup = page(response)
    box = soup.find(id=field).find_parent("div", class_="field")
    assert message in [p.get_text(strip=True) for p in box.find_all("p", class_="error")]
    assert counts(app) == before


def test_deactivate_and_reactivate_a_facilitator(app, admin):
    add_user(app, "lan", "facilitator")
    lan_id = user_id(app, "lan")
    signed_in = app.test_client()
    login(signed_in, "lan")
    assert signed_in.get("/facilitator/").status_code == 200

    response = press(admin, lan_id, "deactivate")
    assert response.status_code == 302
    assert flash(admin, response.location) == "lan can no longer sign in."
    assert signed_in.get("/facilitator/").status_code == 302, "the open session ends too"
    assert login(app.test_client(), "lan").status_code == 200
    row = page(admin.get("/admin/accounts")).find("tr", id=f"account-{lan_id}")
    assert row.find("td", class_="active").get_text(strip=True) == "no, deactivated"

    response = press(admin, lan_id, "reactivate")
    assert flash(admin, response.location) == "lan can sign in again."
    assert login(app.test_client(), "lan").status_code == 302


def test_reset_a_password_shows_the_new_one_once(app, admin):
    add_user(app, "lan", "facilitator")
    response = press(admin, user_id(app, "lan"), "password")
    assert response.status_code == 200
    password = page(response).find("code", id="new-password").get_text(strip=True)
    assert login(app.test_client(), "lan", TEST_PASSWORD).status_code == 200
    assert login(app.test_client(), "lan", password).location == "/account/password"


def test_the_last_active_admin_cannot_be_locked_out(app, admin):
    boss = user_id(app, "boss")
    for button in ("deactivate",):
        response = press(admin, boss, button)
        assert flash(admin, response.location) == (
            "boss is the last active admin; make another admin first."
        )
    response = submit(
        admin,
        f"/admin/accounts/{boss}",
        {"role": "facilitator"},
        action=f"/admin/accounts/{boss}/role",
    )
    assert flash(admin, response.location) == (
        "boss is the last active admin; make another admin first."
    )
    with app.app_context():
        user = get_session().get(User, boss)
        assert (user.role, user.active) == ("admin", True)
    # An inactive admin does not count.
    add_user(app, "gone", "admin", active=False)
    assert "last active admin" in flash(admin, press(admin, boss, "deactivate").location)


def test_with_a_second_admin_one_can_be_demoted_but_not_both(app, admin):
    add_user(app, "minh", "admin")
    minh = user_id(app, "minh")
    boss = user_id(app, "boss")
    response = submit(
        admin,
        f"/admin/accounts/{minh}",
        {"role": "facilitator"},
        action=f"/admin/accounts/{minh}/role",
    )
    assert flash(admin, response.location) == "minh is now: Facilitator."
    response = submit(
        admin,
        f"/admin/accounts/{boss}",
        {"role": "facilitator"},
        action=f"/admin/accounts/{boss}/role",
    )
    assert "last active admin" in flash(admin, response.location)


def test_an_admin_may_switch_off_their_own_account_while_another_admin_remains(app, admin):
    add_user(app, "minh", "admin")
    response = press(admin, user_id(app, "boss"), "deactivate")
    assert response.status_code == 302
    assert admin.get("/admin/").status_code == 302, "signed out at the next request"


def test_unknown_account_is_404(admin):
    assert admin.get("/admin/accounts/999").status_code == 404
