"""Helpers the tests share: reading pages, filling in forms, signing in."""

from __future__ import annotations

from urllib.parse import urljoin

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tipquiz.db import get_session
from tipquiz.models import User

TEST_PASSWORD = "correct horse battery"


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def submit(
    client: FlaskClient,
    url: str,
    data: dict | None = None,
    form_index: int = 0,
    action: str | None = None,
    **kwargs,
):
    """Open a page, fill in one of its POST forms as a person would, and send it.

    The hidden fields (the CSRF token among them) come from the page itself, so this goes
    through exactly the protections a real browser does.
    """
    response = client.get(url, **kwargs)
    assert response.status_code in (200, 410, 422), response.status_code
    soup = page(response)
    forms = soup.find_all("form", method=lambda m: m and m.lower() == "post")
    if action is not None:
        forms = [f for f in forms if f.get("action") == action]
    form = forms[form_index]
    fields: dict[str, object] = {
        i["name"]: i.get("value", "")
        for i in form.find_all("input", type="hidden")
        if i.get("name")
    }
    fields.update(data or {})
    target = urljoin(url, form.get("action") or url)
    return client.post(target, data=fields, **kwargs)


def add_user(app: Flask, username: str, role: str = "facilitator", active: bool = True) -> int:
    with app.app_context():
        session = get_session()
        user = User(username=username, role=role, active=active)
        user.password_hash = _password_hash()
        session.add(user)
        session.commit()
        return user.id


_HASH: list[str] = []


def _password_hash() -> str:
    """Hashing is deliberately slow; compute the test password's hash once per run."""
    if not _HASH:
        from werkzeug.security import generate_password_hash

        _HASH.append(generate_password_hash(TEST_PASSWORD))
    return _HASH[0]


def login(client: FlaskClient, username: str, password: str = TEST_PASSWORD):
    return submit(client, "/login", {"username": username, "password": password})
