"""Vietnamese pages say everything in Vietnamese: WTForms' own messages and YAML errors too."""

from __future__ import annotations

import pytest
from helpers import add_user, login, page, submit
from test_admin_bank import export, unzip, upload

from tipquiz.bank import parse_yaml, yaml_problem


def test_an_empty_sign_in_says_the_field_is_required_in_vietnamese(client):
    client.get("/lang/vi")
    response = submit(client, "/login", {"username": "", "password": ""})
    errors = [p.get_text(strip=True) for p in page(response).find_all("p", class_="error")]
    assert "Vui lòng điền trường này." in errors
    assert not any("required" in e for e in errors)


def test_an_over_long_field_says_so_in_vietnamese(client):
    client.get("/lang/vi")
    response = submit(client, "/login", {"username": "x" * 65, "password": "y"})
    errors = [p.get_text(strip=True) for p in page(response).find_all("p", class_="error")]
    assert "Trường này không được dài quá 64 ký tự." in errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b: c", "not valid YAML: a colon where none is expected"),
        ("a:\n\t- x", "cannot start a value here"),
        ("a: 'x", "a quotation mark is never closed"),
        ("a: [1, 2", "never closed with ']'"),
        ("a: 1\n- b", "the indentation does not line up"),
        ("a: *x", "check the indentation, colons and quotation marks here"),
    ],
)
def test_yaml_syntax_errors_get_our_own_messages(text, expected):
    _data, errors = parse_yaml(text, "f.yaml")
    assert len(errors) == 1
    assert expected in errors[0].message % dict(errors[0].params)


def test_an_unknown_yaml_problem_gets_the_general_hint():
    message, params = yaml_problem("something PyYAML has never said")
    assert message.startswith("not valid YAML: check") and params == {}


def test_a_broken_upload_is_explained_in_vietnamese(app):
    add_user(app, "boss", "admin")
    admin = app.test_client()
    admin.get("/lang/vi")
    assert login(admin, "boss").status_code == 302
    files = unzip(export(admin))
    broken = files["sources.yaml"].replace("publisher: ", "publisher: a: ", 1)
    response = upload(admin, [("sources.yaml", broken.encode())])
    problems = page(response).find("section", class_="bank-errors").get_text()
    assert "YAML không hợp lệ: có dấu hai chấm ở chỗ không được có" in problems
    assert "mapping values" not in problems
