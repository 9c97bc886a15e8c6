"""Helpers the tests share: reading pages, filling in forms, signing in."""

from __future__ import annotations

from urllib.parse import urljoin

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tipquiz.db import get_session
from tipquiz.models import Question, User

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


def form_values(form) -> dict[str, object]:
    """Every value a browser would send for a form as it stands, before a button is pressed."""
    values: dict[str, list[str]] = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            # An HTML parser drops the line break that follows <textarea>; browsers do too.
            found = [element.get_text().removeprefix("\r\n").removeprefix("\n")]
        elif element.name == "select":
            options = element.find_all("option")
            found = [o.get("value", o.get_text()) for o in options if o.has_attr("selected")]
            if not found and options and not element.has_attr("multiple"):
                found = [options[0].get("value", options[0].get_text())]
        else:
            kind = element.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and not element.has_attr("checked"):
                continue
            found = [element.get("value", "on")]
        values.setdefault(name, []).extend(found)
    return {name: found[0] if len(found) == 1 else found for name, found in values.items()}


def keep_only_choice_questions(app) -> None:
    """Draft the message questions, where tapping nothing is an answer, for tests about the rest."""
    with app.app_context():
        db = get_session()
        for question in db.scalars(select(Question)):
            if question.current_revision.type == "message":
                question.status = "draft"
        db.commit()
