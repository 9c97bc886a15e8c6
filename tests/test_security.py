"""What the app refuses: other people's pages, forged forms, foreign redirects, huge bodies.

The route lists are built from the app's URL map, so a route added later is covered without
anyone remembering to list it.
"""

from __future__ import annotations

import re
import secrets

import pytest
from helpers import TEST_PASSWORD, _password_hash, add_user, login, page, submit
from werkzeug.routing import IntegerConverter

from tipquiz.security import CONTENT_SECURITY_POLICY


def rules(app, prefix: str):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(prefix)]


def build(rule) -> str:
    """A URL for a rule, with placeholder values for its arguments."""
    values = dict(rule.defaults or {})
    for name in rule.arguments - set(values):
        converter = rule._converters.get(name)
        values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def csrf_token(client, url: str = "/login") -> str:
    """A valid token for this client's session, so that a POST reaches the guard behind it."""
    return page(client.get(url)).find("input", attrs={"name": "csrf_token"})["value"]


def open_with_token(client, rule, token: str):
    url = build(rule)
    for method in methods(rule):
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        if response.status_code == 308:  # a URL with a default value: go to its short form
            response = client.open(response.location, method=method, data=data)
        yield method, url, response


@pytest.mark.parametrize("prefix", ["facilitator.", "admin."])
def test_staff_routes_send_anonymous_visitors_to_sign_in(app, prefix):
    client = app.test_client()
    token = csrf_token(client)
    found = rules(app, prefix)
    assert found
    for rule in found:
        for method, url, response in open_with_token(client, rule, token):
            assert response.status_code == 302, (method, url, response.status_code)
            assert "/login" in response.location, (method, url)


def test_admin_routes_refuse_facilitators(app):
    add_user(app, "fac", "facilitator")
    client = app.test_client()
    assert login(client, "fac").status_code == 302
    token = csrf_token(client, "/facilitator/")
    found = rules(app, "admin.")
    assert found
    for rule in found:
        # With a valid token, so that it is the role that is refused, not the form.
        for method, url, response in open_with_token(client, rule, token):
            assert response.status_code == 403, (method, url, response.status_code)


def test_inactive_accounts_cannot_sign_in(app):
    add_user(app, "gone", "admin", active=False)
    client = app.test_client()
    response = login(client, "gone")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_every_post_refuses_a_missing_csrf_token(app):
    add_user(app, "boss", "admin")
    client = app.test_client()
    client.get("/lang/en")
    login(client, "boss")
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(posts) >= 5
    for rule in posts:
        response = client.post(build(rule), data={"anything": "1"})
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert page(response).find("h1").get_text(strip=True) == "This form has expired"


def test_sign_in_never_says_which_part_was_wrong(app):
    add_user(app, "lan", "facilitator")
    client = app.test_client()
    wrong_name = page(login(client, "nobody", "whatever pass"))
    wrong_password = page(login(client, "lan", "whatever pass"))

    def errors(soup):
        return [p.get_text(strip=True) for p in soup.find_all("p", class_="error")]

    assert errors(wrong_name) == errors(wrong_password)
    assert errors(wrong_name)


def test_sign_in_is_rate_limited(app):
    add_user(app, "minh", "facilitator")
    client = app.test_client()
    client.get("/lang/en")
    statuses = [login(client, "minh", f"bad password {i}").status_code for i in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429
    assert page(login(client, "minh")).find("h1").get_text(strip=True) == "Too many tries"


def test_redirect_after_sign_in_stays_on_this_site(app):
    add_user(app, "hoa", "facilitator")
    for target in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]:
        client = app.test_client()
        response = submit(
            client,
            f"/login?next={target}",
            {"username": "hoa", "password": "correct horse battery"},
        )
        assert response.status_code == 302
        assert response.location == "/facilitator/", target
    client = app.test_client()
    response = submit(
        client, "/login?next=/learn", {"username": "hoa", "password": "correct horse battery"}
    )
    assert response.location == "/learn"


@pytest.mark.parametrize("url", ["/", "/learn", "/sources", "/help", "/login", "/nope"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/lang/en")
    cookie = client.get_cookie("tipquiz")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure


def test_session_cookie_is_secure_behind_https(database_url):
    from conftest import make_app

    app = make_app(database_url, HTTPS="true")
    client = app.test_client()
    client.get("/lang/en", base_url="https://localhost")
    assert client.get_cookie("tipquiz", domain="localhost").secure


def test_pages_have_no_inline_script_or_style(app, client):
    client.get("/lang/en")
    submit(client, "/", action="/start")
    for url in ["/", "/quiz/1", "/learn", "/learn/warning-signs", "/sources", "/help", "/login"]:
        soup = page(client.get(url))
        assert soup.find("style") is None, url
        assert not soup.find_all(attrs={"style": True}), url
        for script in soup.find_all("script"):
            assert script.get("src", "").startswith("/static/"), url
            assert not script.get_text(strip=True), url
        for tag in soup.find_all(["link", "img", "script"]):
            ref = tag.get("href") or tag.get("src") or ""
            assert not re.match(r"^(https?:)?//", ref), (url, ref)
        assert not any(a.startswith("on") for t in soup.find_all(True) for a in t.attrs), url


def test_oversized_request_gets_a_friendly_page(client):
    response = client.post(
        "/login",
        data={"username": "x" * (3 * 1024 * 1024)},
        headers={"Accept-Language": "vi"},
    )
    assert response.status_code == 413
    soup = page(response)
    assert soup.html["lang"] == "vi"
    assert soup.find("h1").get_text(strip=True)


def test_rate_limits_are_shared_through_redis(database_url, bank, redis_url):
    """Two app processes on one Redis share one count: what several gunicorn workers need.

    A name of this test's own keeps its counts apart from anything else in that Redis.
    """
    import redis
    from conftest import make_app

    name = f"someone-{secrets.token_hex(6)}"
    settings = {"RATELIMIT_STORAGE_URL": redis_url, "RATELIMIT_LOGIN": "3 per minute"}
    first = make_app(database_url, **settings)
    second = make_app(database_url, **settings)
    statuses = [
        login(app.test_client(), name, "wrong password").status_code
        for app in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]
    store = redis.Redis.from_url(redis_url)
    mine = list(store.scan_iter(f"*/{name}/*"))
    assert mine, "the counts were kept in Redis"
    store.delete(*mine)


def change_own_password(client, current: str, new: str):
    """Fill in the password form of the signed-in account (the header's sign-out form is first)."""
    soup = page(client.get("/account/password"))
    form = soup.find("main").find("form", method="post")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    data = {"csrf_token": token, "current": current, "new": new, "confirm": new}
    return client.post("/account/password", data=data)


# Sign-in guessing: limited per address and per name-and-address, never a lockout button ------

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


class FakeClock:
    """The rate limiter's clock, moved forward by hand instead of waiting."""

    def __init__(self, monkeypatch):
        import limits.storage.memory as memory

        self.now = 1_000_000.0
        monkeypatch.setattr(memory, "time", self)

    def time(self) -> float:
        return self.now


def attempt(app, address: dict, username: str, password: str) -> int:
    client = app.test_client()
    client.environ_base.update(address)
    return login(client, username, password).status_code


def test_guessing_a_name_from_one_address_does_not_lock_its_owner_out(app):
    add_user(app, "admin", "admin")
    statuses = [attempt(app, ATTACKER, "admin", f"guess {i}") for i in range(15)]
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}
    assert attempt(app, OWNER, "admin", "wrong once") == 200
    assert attempt(app, OWNER, "admin", TEST_PASSWORD) == 302


def test_one_address_guessing_many_names_is_limited(app):
    names = [f"user{i}" for i in range(40)]
    statuses = [attempt(app, ATTACKER, name, "some guess") for name in names]
    assert 429 in statuses
    assert statuses.index(429) == 30
    assert attempt(app, OWNER, "user0", "some guess") == 200, "other addresses are not affected"


def test_delays_grow_as_guessing_goes_on(app, monkeypatch):
    clock = FakeClock(monkeypatch)
    add_user(app, "lan", "facilitator")

    def burst(count: int) -> list[int]:
        return [attempt(app, ATTACKER, "lan", "guess") for _ in range(count)]

    assert burst(11) == [200] * 10 + [429]
    clock.now += 61
    assert burst(11) == [200] * 10 + [429], "a minute later: ten more tries"
    clock.now += 61
    assert burst(1) == [429], "after twenty failures the wait is an hour"
    clock.now += 3600
    assert burst(1) == [200]


def test_a_successful_sign_in_does_not_count_as_a_guess(app):
    add_user(app, "hoa", "facilitator")
    assert [attempt(app, OWNER, "hoa", TEST_PASSWORD) for _ in range(15)] == [302] * 15


# Sign-in timing: the same work whether or not the name exists ---------------------------------


def test_sign_in_checks_a_password_hash_whether_or_not_the_name_exists(app, monkeypatch):
    import tipquiz.accounts

    add_user(app, "lan", "facilitator")
    add_user(app, "gone", "facilitator", active=False)
    real = tipquiz.accounts.check_password_hash
    checked: list[str] = []

    def counting(stored_hash: str, password: str) -> bool:
        checked.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(tipquiz.accounts, "check_password_hash", counting)
    for name in ("lan", "nobody", "gone", "lan"):
        checked.clear()
        attempt(app, OWNER, name, "not the password")
        assert len(checked) == 1, name
        assert checked[0].split("$")[0] == _password_hash().split("$")[0], "same cost"


# Changing one's own password is audited -------------------------------------------------------


def test_changing_ones_own_password_writes_an_audit_entry(app):
    from sqlalchemy import select

    from tipquiz.db import get_session
    from tipquiz.models import AuditEntry

    user_id = add_user(app, "lan", "facilitator")
    client = app.test_client()
    client.get("/lang/en")
    login(client, "lan")
    new = "a brand new password"
    response = change_own_password(client, TEST_PASSWORD, new)
    assert response.status_code == 302
    with app.app_context():
        entries = get_session().scalars(select(AuditEntry)).all()
    assert [(e.action, e.entity, e.entity_key, e.user_id) for e in entries] == [
        ("change_password", "account", "lan", user_id)
    ]
    assert new not in str([(e.old, e.new) for e in entries])


# Join codes: guessing is limited and a closed workshop's code stops answering ------------------


def test_looking_up_join_codes_is_rate_limited_per_address(database_url, bank):
    from conftest import make_app

    app = make_app(database_url, RATELIMIT_JOIN="5 per minute")
    statuses = [attempt_join(app, ATTACKER, f"/j/ABCD{n}{n}") for n in range(2, 9)]
    assert statuses == [404] * 5 + [429] * 2
    assert attempt_join(app, OWNER, "/j/ABCD22") == 404, "another address is not affected"


def attempt_join(app, address: dict, url: str) -> int:
    client = app.test_client()
    client.environ_base.update(address)
    return client.get(url).status_code


def test_a_closed_workshops_code_stops_answering_after_thirty_days(app):
    from datetime import timedelta

    from sqlalchemy import select

    from tipquiz import workshops
    from tipquiz.db import get_session
    from tipquiz.models import User, Workshop, utcnow

    add_user(app, "lan")
    with app.app_context():
        db = get_session()
        owner = db.scalar(select(User))
        found = workshops.create_workshop(
            db,
            owner=owner,
            title="Lớp 10A",
            locale="en",
            topic_keys=["warning-signs"],
            question_count=4,
        )
        code = found.code
        workshops.close_workshop(db, found)
        assert found.closed_at is not None

    def closed_days_ago(days: int) -> None:
        with app.app_context():
            db = get_session()
            db.scalar(select(Workshop)).closed_at = utcnow() - timedelta(days=days)
            db.commit()

    phone = app.test_client()
    phone.get("/lang/en")
    closed_days_ago(29)
    assert phone.get(f"/j/{code}").status_code == 410
    closed_days_ago(31)
    response = phone.get(f"/j/{code}")
    assert response.status_code == 404
    assert "No workshop has the code" in page(response).get_text()
    token = page(phone.get("/")).find("input", attrs={"name": "csrf_token"})["value"]
    assert phone.post(f"/j/{code}", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        db = get_session()
        workshops.reopen_workshop(db, db.scalar(select(Workshop)))
    assert phone.get(f"/j/{code}").status_code == 200, "reopened, the code works again"


def test_the_file_store_shares_counts_between_processes_and_windows_expire(tmp_path, monkeypatch):
    """Two stores on one file stand for two worker processes."""
    import tipquiz.ratelimit_store as store

    clock = type("Clock", (), {"now": 5_000.0, "time": lambda self: self.now})()
    monkeypatch.setattr(store, "time", clock)
    url = f"sqlite:///{tmp_path / 'limits.sqlite'}"
    first, second = store.SQLiteStorage(url), store.SQLiteStorage(url)
    assert [first.incr("k", 60), second.incr("k", 60), first.incr("k", 60)] == [1, 2, 3]
    assert second.get("k") == 3 and first.get("other") == 0
    assert second.get_expiry("k") == 5_060.0
    clock.now += 61
    assert first.get("k") == 0
    assert second.incr("k", 60) == 1, "an expired window starts again from one"
    first.clear("k")
    assert second.get("k") == 0
    assert first.check()
    second.incr("LIMITER/203.0.113.9/participant.answer", 60)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("limits.sqlite*"))
    assert b"participant.answer" not in raw
    assert b"203.0.113.9" not in raw, "addresses are not written to disk as they are"


def test_addresses_of_one_ipv6_network_count_as_one(app):
    """An IPv6 user holds a whole /64 network; hopping inside it buys no extra guesses."""
    statuses = [
        attempt(app, {"REMOTE_ADDR": f"2001:db8:1:2::{n:x}"}, f"user{n}", "some guess")
        for n in range(31)
    ]
    assert statuses == [200] * 30 + [429]
    assert attempt(app, {"REMOTE_ADDR": "2001:db8:1:3::1"}, "user0", "some guess") == 200


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(database_url, bank):
    """A made-up X-Forwarded-For buys no extra guesses; behind a load balancer it is the client."""
    from conftest import make_app

    def guesses(app) -> list[int]:
        return [
            attempt(app, {**ATTACKER, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}, f"u{n}", "guess")
            for n in range(31)
        ]

    assert guesses(make_app(database_url))[-1] == 429
    assert guesses(make_app(database_url, PROXY_COUNT=1)) == [200] * 31
