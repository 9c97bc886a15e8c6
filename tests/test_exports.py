"""The CSV exports read as a facilitator needs them: words, not keys, in the workshop's language,
one number per person across both rounds, and nothing that identifies anyone."""

from __future__ import annotations

import csv
import io

from helpers import add_user, login, page, submit
from sqlalchemy import select
from test_pairing import CODE, join, open_workshop, start_after_round

from tipquiz import exports
from tipquiz.db import get_session
from tipquiz.models import Attempt, Workshop


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, for Excel"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def answer_all(app, phone, right: bool) -> None:
    """Answer every question of this phone's attempt, all right or all wrong."""
    with phone.session_transaction() as cookie:
        token = cookie["attempt"]
    with app.app_context():
        attempt = get_session().scalar(select(Attempt).where(Attempt.token == token))
        picks = []
        for item in attempt.items:
            wrong = [c.key for c in item.revision.choices if not c.correct]
            picks.append(sorted(item.revision.correct_keys) if right or not wrong else wrong[:1])
    for position, keys in enumerate(picks, start=1):
        assert submit(phone, f"/quiz/{position}", {"choice": keys}).status_code == 302


def test_people_are_numbered_by_first_join_and_a_pair_shares_its_number():
    attempts = [(1, None), (2, None), (3, 1), (4, None), (5, 2), (6, None)]
    assert exports.participant_numbers(attempts) == {1: 1, 2: 2, 3: 1, 4: 3, 5: 2, 6: 4}
    assert exports.participant_numbers([(7, 99)]) == {7: 1}, "a partner elsewhere is no one"


def test_the_answers_file_is_readable_in_the_workshops_language(app):
    code = open_workshop(app)  # a Vietnamese workshop of 4 questions
    same_phone, code_phone, other_phone = (app.test_client() for _ in range(3))
    join(same_phone, code)
    answer_all(app, same_phone, right=False)
    join(code_phone, code, CODE)
    answer_all(app, code_phone, right=True)
    start_after_round(app, code)
    join(same_phone, code)
    answer_all(app, same_phone, right=True)
    join(other_phone, code, CODE)
    answer_all(app, other_phone, right=True)

    facilitator = app.test_client()
    login(facilitator, "lan")
    with app.app_context():
        db = get_session()
        workshop = db.scalar(select(Workshop).where(Workshop.code == code))
        url = f"/facilitator/workshops/{workshop.id}/answers.csv"
        rows = read_csv(facilitator.get(url))
        assert list(rows[0]) == [
            "Buổi học",
            "Ngày",
            "Người tham gia",
            "Vòng",
            "Câu số",
            "Hiện ở câu số",
            "Chủ đề",
            "Câu hỏi",
            "Câu trả lời đã chọn",
            "Trả lời đúng",
            "Vị trí của câu trả lời trong danh sách đã hiện",
            "Các lựa chọn theo thứ tự đã hiện",
            "Thời điểm trả lời (UTC)",
        ]
        assert len(rows) == 4 * 4
        assert {r["Buổi học"] for r in rows} == {"Lớp 10A"}
        assert {r["Ngày"] for r in rows} == {workshop.created_at.strftime("%Y-%m-%d")}
        people = [(r["Người tham gia"], r["Vòng"]) for r in rows[::4]]
        assert people == [
            ("1", "Trước buổi học"),
            ("1", "Sau buổi học"),
            ("2", "Trước buổi học"),
            ("2", "Sau buổi học"),
        ]
        assert [r["Câu số"] for r in rows[:4]] == ["1", "2", "3", "4"]
        assert [r["Trả lời đúng"] for r in rows[::4]] == ["Không", "Có", "Có", "Có"]

        attempts = db.scalars(select(Attempt).order_by(Attempt.id)).all()
        first = attempts[0]
        for row in rows[:4]:
            item = first.items[int(row["Hiện ở câu số"]) - 1]
            question = item.revision.question
            assert row["Câu hỏi"] == question.prompt["vi"]
            assert row["Chủ đề"] == question.topic.title["vi"]
            by_key = {c.key: c for c in item.revision.choices}
            shown = [by_key[k].text["vi"] for k in item.choice_order]
            assert row["Các lựa chọn theo thứ tự đã hiện"] == " | ".join(
                f"{n}. {text}" for n, text in enumerate(shown, start=1)
            )
            places = [
                int(n) for n in row["Vị trí của câu trả lời trong danh sách đã hiện"].split(", ")
            ]
            assert row["Câu trả lời đã chọn"] == " | ".join(shown[n - 1] for n in places)
            assert not by_key[item.choice_order[places[0] - 1]].correct

        text = facilitator.get(url).data.decode("utf-8-sig")
        for attempt in attempts:
            assert attempt.token not in text
            assert attempt.code_hash is None or attempt.code_hash not in text
        assert "H0703" not in text


def test_the_questions_file_names_questions_topics_and_choices_in_words(app):
    add_user(app, "lan")
    facilitator = app.test_client()
    facilitator.get("/lang/vi")
    login(facilitator, "lan")
    data = {
        "title": "Youth club",
        "language": "en",
        "topics": ["warning-signs"],
        "question_count": "4",
    }
    new = "/facilitator/workshops/new"
    url = submit(facilitator, new, data, action=new).location
    code = page(facilitator.get(url)).find("p", class_="join-code").get_text(strip=True)
    phone = app.test_client()
    join(phone, code)
    answer_all(app, phone, right=True)
    rows = read_csv(facilitator.get(url + "/questions.csv"))
    assert list(rows[0])[:6] == ["Workshop", "Date", "Round", "Question no.", "Topic", "Question"]
    with app.app_context():
        workshop = get_session().get(Workshop, int(url.rsplit("/", 1)[1]))
        for row in rows:
            asked = workshop.questions[int(row["Question no."]) - 1].question
            assert row["Workshop"] == "Youth club"
            assert row["Round"] == "Before"
            assert row["Topic"] == asked.topic.title["en"]
            assert row["Question"] == asked.prompt["en"]
            choice = next(
                c for c in asked.current_revision.choices if c.text["en"] == row["Choice"]
            )
            assert row["Is the right answer"] == ("Yes" if choice.correct else "No")
            assert row["Share picked (%)"] == ("100" if choice.correct else "0")
            assert (row["Answers"], row["Correct answers"], row["Share correct (%)"]) == (
                "1",
                "1",
                "100",
            )
