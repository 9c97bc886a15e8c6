"""Pairing a person's before and after rounds: by the same phone, or by a code they make up."""

from __future__ import annotations

import random

import pytest
from helpers import add_user, page, submit
from sqlalchemy import select

from tipquiz import pairing, workshops
from tipquiz.db import get_session
from tipquiz.models import Attempt, User, Workshop

CODE = {"code_letter": "Hòa", "code_day": "7", "code_month": "3"}


def open_workshop(app) -> str:
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshops.create_workshop(
            db,
            owner=owner,
            title="Lớp 10A",
            locale="vi",
            topic_keys=["warning-signs", "getting-help"],
            question_count=4,
            rng=random.Random(3),
        )
        return workshop.code


def start_after_round(app, code: str) -> None:
    with app.app_context():
        db = get_session()
        workshops.start_after_round(db, db.scalar(select(Workshop).where(Workshop.code == code)))


def join(client, code: str, data: dict | None = None):
    return submit(client, f"/j/{code}", data or {})


def attempts_by_round(app) -> dict[str, list[Attempt]]:
    with app.app_context():
        found: dict[str, list[Attempt]] = {"before": [], "after": []}
        for attempt in get_session().scalars(select(Attempt).order_by(Attempt.id)):
            if attempt.round:
                found[attempt.round].append(attempt)
        return found


# The code and its hash -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "letter"),
    [("H", "H"), ("hoa", "H"), ("Hòa", "H"), ("  ánh", "A"), ("Đào", "D"), ("đ", "D")],
)
def test_the_first_letter_is_read_without_accents_or_case(typed, letter):
    assert pairing.initial_letter(typed) == letter


@pytest.mark.parametrize("typed", ["", "   ", "7", "-", "北"])
def test_something_that_is_not_a_letter_is_no_initial(typed):
    assert pairing.initial_letter(typed) is None


def test_a_code_is_made_of_the_letter_day_and_month():
    assert pairing.parse_code("Hoa", "7", "3") == pairing.SelfCode("H", 7, 3)
    assert pairing.parse_code("Hoa", "7", "3").text == "H0703"
    assert pairing.parse_code("", "", "") is None
    assert pairing.parse_code(None, None, None) is None


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        (("H", "", ""), "partial"),
        (("", "7", "3"), "partial"),
        (("5", "7", "3"), "letter"),
        (("H", "32", "3"), "day"),
        (("H", "0", "3"), "day"),
        (("H", "seven", "3"), "day"),
        (("H", "7", "13"), "month"),
        (("H", "7", "-1"), "month"),
    ],
)
def test_a_partial_or_impossible_code_is_refused_with_its_reason(parts, reason):
    with pytest.raises(pairing.InvalidCode) as refused:
        pairing.parse_code(*parts)
    assert refused.value.reason == reason


def test_the_hash_depends_on_the_secret_and_the_workshop_and_hides_the_code():
    code = pairing.SelfCode("H", 7, 3)
    first = pairing.code_hash("secret", 1, code)
    assert first == pairing.code_hash("secret", 1, pairing.SelfCode("H", 7, 3))
    assert first != pairing.code_hash("secret", 2, code)
    assert first != pairing.code_hash("another secret", 1, code)
    assert first != pairing.code_hash("secret", 1, pairing.SelfCode("H", 7, 4))
    assert len(first) == 64 and "H0703" not in first


# Joining ---------------------------------------------------------------------------------------


def test_the_same_phone_is_paired_by_itself_in_the_after_round(app):
    code = open_workshop(app)
    phone = app.test_client()
    join(phone, code)
    start_after_round(app, code)
    soup = page(phone.get(f"/j/{code}"))
    assert soup.select_one(".paired-note") is not None
    join(phone, code)
    found = attempts_by_round(app)
    assert found["after"][0].paired_attempt_id == found["before"][0].id
    assert found["after"][0].paired_by == "device"


def test_another_phone_is_paired_by_the_code_made_in_the_before_round(app):
    code = open_workshop(app)
    join(app.test_client(), code, {"code_letter": "H", "code_day": "07", "code_month": "3"})
    join(app.test_client(), code)  # someone else, without a code
    start_after_round(app, code)
    before = attempts_by_round(app)["before"][0]
    assert before.code_hash == pairing.code_hash(
        app.config["SECRET_KEY"], before.workshop_id, pairing.SelfCode("H", 7, 3)
    )
    other_phone = app.test_client()
    soup = page(other_phone.get(f"/j/{code}"))
    assert soup.select_one(".paired-note") is None
    assert soup.find("label", string="Chữ cái đầu của tên mẹ bạn") is not None
    join(other_phone, code, CODE)
    found = attempts_by_round(app)
    before = found["before"][0]
    assert found["after"][0].paired_attempt_id == before.id
    assert found["after"][0].paired_by == "code"
    assert before.code_hash is None, "wiped once it has paired"
    assert found["before"][1].code_hash is None
    assert found["after"][0].code_hash is None, "the after round keeps no code"


def test_a_code_two_people_share_pairs_nobody(app):
    code = open_workshop(app)
    join(app.test_client(), code, CODE)
    join(app.test_client(), code, CODE)
    start_after_round(app, code)
    join(app.test_client(), code, CODE)
    assert attempts_by_round(app)["after"][0].paired_attempt_id is None


def test_a_before_round_is_paired_once_and_an_unknown_code_pairs_nothing(app):
    code = open_workshop(app)
    phone = app.test_client()
    join(phone, code, CODE)
    start_after_round(app, code)
    join(phone, code)
    join(app.test_client(), code, CODE)
    join(app.test_client(), code, {"code_letter": "L", "code_day": "1", "code_month": "1"})
    after = attempts_by_round(app)["after"]
    assert [a.paired_by for a in after] == ["device", None, None]


def test_someone_else_on_the_same_phone_is_not_paired_with_the_first_person(app):
    code = open_workshop(app)
    phone = app.test_client()
    join(phone, code)
    start_after_round(app, code)
    join(phone, code, {"someone_else": "y"})
    assert attempts_by_round(app)["after"][0].paired_attempt_id is None


def test_a_phone_that_took_a_quiz_alone_in_between_is_still_paired(app):
    code = open_workshop(app)
    phone = app.test_client()
    join(phone, code)
    submit(phone, "/")  # a quiz of its own, which becomes the browser's current attempt
    start_after_round(app, code)
    join(phone, code)
    found = attempts_by_round(app)
    assert found["after"][0].paired_attempt_id == found["before"][0].id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code_letter": "H"}, "Điền đủ cả ba phần của mã, hoặc để trống cả ba để bỏ qua."),
        ({**CODE, "code_day": "32"}, "Chọn một ngày từ 1 đến 31."),
        ({**CODE, "code_month": "<b>"}, "Chọn một tháng từ 1 đến 12."),
        ({**CODE, "code_letter": "9"}, "Gõ một chữ cái, ví dụ H cho Hoa."),
    ],
)
def test_a_bad_code_is_explained_and_starts_nothing(app, data, message):
    code = open_workshop(app)
    phone = app.test_client()
    response = join(phone, code, data)
    assert response.status_code == 422
    soup = page(response)
    assert message in [p.get_text(strip=True) for p in soup.select("p.error")]
    assert soup.select_one("details.self-code").has_attr("open")
    letter = soup.find("input", attrs={"name": "code_letter"})
    assert letter.get("value", "") == "", "the code's pieces are never sent back"
    assert attempts_by_round(app) == {"before": [], "after": []}


def test_the_code_is_explained_in_english_too(app):
    code = open_workshop(app)
    phone = app.test_client()
    with phone.session_transaction() as cookie:
        cookie["lang"] = "en"
    soup = page(phone.get(f"/j/{code}"))
    text = soup.select_one("details.self-code").get_text(" ", strip=True)
    assert "optional" in text
    assert "Nobody can read it back" in text
    assert soup.find("label", string="First letter of your mother's given name") is not None
