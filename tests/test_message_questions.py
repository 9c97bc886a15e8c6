"""Message questions: the bank format and its checks, grading, the participant's page and
feedback, the admin editor and preview, a workshop's results and its CSV exports."""

from __future__ import annotations

import csv
import gzip
import io

import pytest
from helpers import add_user, form_values, login, page, submit
from sqlalchemy import func, select
from test_bank import SOURCES, errors_of, line_of

from tipquiz import attempts
from tipquiz.bank import (
    MessageEntry,
    read_bank,
    read_bank_files,
    write_bank,
)
from tipquiz.bank_store import export_bank, import_bank
from tipquiz.db import get_session
from tipquiz.messages import message_view
from tipquiz.models import (
    Answer,
    Attempt,
    AttemptQuestion,
    Question,
    QuestionRevision,
    Workshop,
    WorkshopQuestion,
)
from tipquiz.quiz import InvalidAnswer, choice_order, grade_answer

TOPIC = """\
key: signs
position: 1
title: {en: Signs, vi: Dấu hiệu}
summary:
  en: |
    First paragraph.

    Second paragraph.
  vi: |
    Đoạn một.

    Đoạn hai.
feedback:
  low: {en: Keep going, vi: Cố lên}
  mid: {en: Good, vi: Tốt}
  high: {en: Great, vi: Tuyệt}
questions:
  - key: m-chat
    type: message
    scenario: {en: Lan gets a chat., vi: Lan nhận tin nhắn.}
    prompt: {en: Tap every red flag., vi: Chạm vào mọi dấu hiệu đáng ngờ.}
    message:
      kind: chat
      sender: {en: Recruiter Bee (made-up), vi: Chị Ong tuyển dụng (bịa)}
      detail: {en: Zalo, vi: Zalo}
      parts:
        - from: them
          text: {en: "Hi! [[pay]] and [[hours]].", vi: "Chào em! [[hours]] và [[pay]]."}
        - from: me
          text: {en: "Really?", vi: "Thật ạ?"}
        - from: them
          text: {en: "[[secret]]", vi: "[[secret]]"}
    choices:
      - key: pay
        text: {en: 40 million a month, vi: 40 triệu một tháng}
        correct: true
        why: {en: Far too high., vi: Cao bất thường.}
      - key: hours
        text: {en: 8-hour shifts, vi: Ca 8 tiếng}
        why: {en: Normal hours., vi: Giờ làm bình thường.}
      - key: secret
        text: {en: Tell nobody, vi: Đừng kể ai}
        correct: true
        why: {en: Secrecy isolates you., vi: Giữ bí mật cô lập bạn.}
    explanation: {en: Two signs. Check first., vi: Hai dấu hiệu. Hãy kiểm tra.}
    sources: [seed-one]
"""


def files(topic: str = TOPIC) -> dict[str, str]:
    return {"sources.yaml": SOURCES, "signs.yaml": topic}


# --- the bank format -------------------------------------------------------------------------


def test_a_message_question_reads_into_its_message_and_phrases():
    (question,) = read_bank_files(files()).topics[0].questions
    assert question.type == "message"
    assert question.correct_keys == {"pay", "secret"}
    assert question.message == MessageEntry(
        kind="chat",
        sender={"en": "Recruiter Bee (made-up)", "vi": "Chị Ong tuyển dụng (bịa)"},
        parts=question.message.parts,
        detail={"en": "Zalo", "vi": "Zalo"},
    )
    assert [p.side for p in question.message.parts] == ["them", "me", "them"]
    assert question.choices[0].why == {"en": "Far too high.", "vi": "Cao bất thường."}


def test_a_message_question_writes_back_byte_stable():
    bank = read_bank_files(files())
    written = write_bank(bank)
    assert read_bank_files(written) == bank
    assert write_bank(read_bank_files(written)) == written
    assert "[[pay]]" in written["signs.yaml"]
    assert "why:" in written["signs.yaml"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            'text: {en: "[[secret]]", vi: "[[secret]]"}',
            'text: {en: "[[secret]] [[ghost]]", vi: "[[secret]]"}',
            "[[ghost]]",
            "the en text places '[[ghost]]', which is no phrase",
        ),
        (
            'text: {en: "[[secret]]", vi: "[[secret]]"}',
            'text: {en: "[[secret]]", vi: "Không có gì"}',
            "    choices:",
            "phrase 'secret' is not placed in the vi message",
        ),
        (
            'text: {en: "Really?", vi: "Thật ạ?"}',
            'text: {en: "Really? [[pay]]", vi: "Thật ạ?"}',
            'text: {en: "Really? [[pay]]"',
            "phrase 'pay' is placed twice in the en message",
        ),
        (
            'text: {en: "Really?", vi: "Thật ạ?"}',
            'text: {en: "Really?"}',
            'text: {en: "Really?"}',
            "missing translation 'vi'",
        ),
        (
            "        why: {en: Normal hours., vi: Giờ làm bình thường.}\n",
            "",
            "      - key: hours",
            "missing field 'why'",
        ),
        (
            "        correct: true\n        why: {en: Secrecy",
            "        why: {en: Secrecy",
            None,
            "no phrase is marked as a red flag",
        ),
        (
            "        why: {en: Normal hours.",
            "        correct: true\n        why: {en: Normal hours.",
            "    choices:",
            "every phrase is a red flag: add an innocent one",
        ),
        ("kind: chat", "kind: video", "kind: video", "unknown message kind 'video'"),
        (
            "        - from: me\n",
            "        - from: you\n",
            "- from: you",
            "every bubble of a chat needs 'from: them' or 'from: me'",
        ),
        ("    message:\n      kind: chat", "    messages:\n      kind: chat", "    messages:", ""),
    ],
)
def test_each_message_mistake_is_reported_with_file_and_line(old, new, needle, message):
    assert old in TOPIC
    changed = TOPIC.replace(old, new, 1)
    if message == "no phrase is marked as a red flag":
        changed = changed.replace("        correct: true\n", "", 1)
    if message == "":
        # A message question with its message misspelled: both mistakes are named.
        errors = errors_of(files(changed))
        assert any("unknown field 'messages'" in e for e in errors), errors
        assert any("must be a mapping" in e for e in errors), errors
        return
    errors = errors_of(files(changed))
    matching = [e for e in errors if message in e]
    assert matching, errors
    if needle is not None:
        expected = f"signs.yaml:{line_of(changed, needle)}:"
        assert any(e.startswith(expected) for e in matching), (expected, matching)


def test_a_post_takes_no_sender_side_and_other_types_take_no_message():
    post = TOPIC.replace("kind: chat", "kind: post")
    errors = errors_of(files(post))
    assert any("'from' is only for chat bubbles" in e for e in errors), errors
    single = TOPIC.replace("type: message", "type: multiple")
    errors = errors_of(files(single))
    assert any("'message' is only for message questions" in e for e in errors), errors
    assert any("unknown field 'why'" in e for e in errors), errors


def test_the_real_message_questions_round_trip_through_the_files():
    bank = read_bank("questions")
    messages = [q for t in bank.topics for q in t.questions if q.type == "message"]
    assert len(messages) >= 12
    assert read_bank_files(write_bank(bank)) == bank


# --- grading and the message as a page draws it ------------------------------------------------


def test_grading_is_select_all_and_tapping_nothing_is_a_wrong_answer():
    keys = ["pay", "hours", "secret"]
    right = {"pay", "secret"}
    assert grade_answer("message", right, keys, ["pay", "secret"]).correct is True
    assert grade_answer("message", right, keys, ["pay"]).correct is False
    assert grade_answer("message", right, keys, ["pay", "secret", "hours"]).correct is False
    assert grade_answer("message", right, keys, []).correct is False
    with pytest.raises(InvalidAnswer):
        grade_answer("message", right, keys, ["forged"])
    with pytest.raises(InvalidAnswer):
        grade_answer("multiple", right, keys, [])


def test_phrases_keep_their_place_in_the_message():
    import random

    keys = ["pay", "hours", "secret"]
    assert choice_order("message", keys, random.Random(1)) == keys


def test_message_view_follows_the_reading_order_of_each_language():
    entry = read_bank_files(files()).topics[0].questions[0]
    from tipquiz.bank import message_data

    data = message_data(entry.message)
    english = message_view(data, entry.choices, "en", picked=["hours"])
    assert [c.key for c in english.phrases] == ["pay", "hours", "secret"]
    numbered = [(p.phrase.key, p.number) for p in english.parts[0].pieces if p.phrase]
    assert numbered == [("pay", 1), ("hours", 2)]
    vietnamese = message_view(data, entry.choices, "vi")
    assert [c.key for c in vietnamese.phrases] == ["hours", "pay", "secret"]
    assert [c.key for c in vietnamese.listed] == ["pay", "secret"], "innocent untapped: unlisted"
    broken = {**data, "parts": [{"from": "them", "text": {"en": "A [[gone]] b", "vi": "x"}}]}
    view = message_view(broken, entry.choices, "en")
    assert [p.phrase for p in view.parts[0].pieces] == [None, None, None]


# --- stored, answered and shown ------------------------------------------------------------------

KEY = "ws-msg-easy-job-post"
RED_FLAGS = ["pay", "skills", "ticket", "today"]


def message_workshop(app, code: str = "RFQ2PK", locale: str = "en") -> tuple[int, int]:
    """A workshop asking only the job-post message question; (workshop id, owner id)."""
    owner = add_user(app, f"owner-{code.lower()}", "facilitator")
    with app.app_context():
        db = get_session()
        question = db.scalar(select(Question).where(Question.key == KEY))
        workshop = Workshop(
            code=code,
            owner_id=owner,
            title="Red flags",
            locale=locale,
            topic_keys=[],
            question_count=1,
            questions=[WorkshopQuestion(position=1, question_id=question.id)],
        )
        db.add(workshop)
        db.commit()
        return workshop.id, owner


def join_and_open(app, code: str = "RFQ2PK"):
    client = app.test_client()
    client.get("/lang/en")
    assert submit(client, f"/j/{code}").status_code == 302
    return client


def test_the_message_page_has_a_labelled_checkbox_per_phrase_in_reading_order(app):
    message_workshop(app)
    client = join_and_open(app)
    response = client.get("/quiz/1")
    soup = page(response)
    message = soup.find("form", class_="question").find("div", class_="message")
    assert message is not None and "message-post" in message["class"]
    boxes = message.find_all("input", attrs={"name": "choice"})
    assert [b["value"] for b in boxes] == ["pay", "skills", "shift", "ticket", "age", "today"]
    for box in boxes:
        assert box["type"] == "checkbox"
        label = message.find("label", attrs={"for": box["id"]})
        assert box.find_next_sibling() is label, "each label follows its box in the text"
    assert message.find("label", attrs={"for": "choice-today"}).get_text() == (
        "Only 3 places left, decide today!"
    )
    text = " ".join(message.find("div", class_="message-body").get_text(" ").split())
    assert "URGENT! 10 young men and women" in text and "09xx xxx xxx" in text
    weight = len(gzip.compress(response.get_data()))
    for link in soup.find_all("link", rel="stylesheet"):
        with client.get(link["href"]) as sheet:
            weight += len(gzip.compress(sheet.get_data()))
    assert weight < 15 * 1024, weight


def test_submitting_with_nothing_tapped_is_stored_as_a_wrong_answer(app):
    message_workshop(app)
    client = join_and_open(app)
    response = submit(client, "/quiz/1", {})
    assert response.status_code == 302
    feedback = page(client.get("/quiz/1")).find("section", id="feedback")
    assert feedback.find("h1").get_text(strip=True) == "Not quite."
    missed = feedback.find_all("li", class_="verdict-flag")
    assert len(missed) == 4
    assert all("you missed it" in li.get_text() for li in missed)
    assert feedback.find("li", class_="verdict-fine") is None
    with app.app_context():
        answer = get_session().scalar(select(Answer))
        assert (answer.correct, answer.choices) == (False, [])


def test_a_forged_phrase_is_refused_and_nothing_stored(app):
    message_workshop(app)
    client = join_and_open(app)
    response = submit(client, "/quiz/1", {"choice": ["pay", "no-such-phrase"]})
    # Back to the question by GET, so the browser's history never holds the refused POST.
    assert response.status_code == 303
    soup = page(client.get(response.location))
    error = soup.find("p", id="answer-error").get_text(strip=True)
    assert error == "Tap only phrases in the message."
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 0


def test_feedback_marks_every_red_flag_and_explains_an_innocent_tap(app):
    message_workshop(app)
    client = join_and_open(app)
    assert submit(client, "/quiz/1", {"choice": ["pay", "age"]}).status_code == 302
    feedback = page(client.get("/quiz/1")).find("section", id="feedback")
    marks = feedback.find("div", class_="message").find_all("mark", class_="phrase-flag")
    assert [("is-found" in m["class"]) for m in marks] == [True, False, False, False]
    items = feedback.find("ol", class_="phrase-verdicts").find_all("li", recursive=False)
    assert [li["class"][0] for li in items] == ["verdict-flag"] * 3 + ["verdict-fine"] * 1 + [
        "verdict-flag"
    ]
    fine = feedback.find("li", class_="verdict-fine")
    assert "Applicants must be 18 or over" in fine.get_text()
    assert "minimum age" in fine.find("p", class_="why").get_text()
    numbers = [m.find("sup").get_text(" ", strip=True) for m in marks]
    assert numbers[0].replace(" ", "") == "(redflag1)", "read as “red flag 1”"


def test_a_message_question_counts_toward_its_topic_on_the_results_page(app):
    message_workshop(app)
    client = join_and_open(app)
    submit(client, "/quiz/1", {"choice": RED_FLAGS})
    soup = page(client.get("/quiz/results"))
    (article,) = soup.find_all("article", class_="topic-score")
    assert article["aria-labelledby"] == "topic-warning-signs"
    assert soup.find("p", class_="score-total").get_text(strip=True) == "1 of 1 correct"


def test_the_facilitator_sees_per_phrase_shares_and_the_red_flag_missed_most(app):
    workshop_id, _ = message_workshop(app)
    for taps in (RED_FLAGS, ["pay", "skills"], ["pay", "age"], []):
        submit(join_and_open(app), "/quiz/1", {"choice": taps})
    lan = app.test_client()
    lan.get("/lang/en")
    assert login(lan, "owner-rfq2pk").status_code == 302
    url = f"/facilitator/workshops/{workshop_id}"
    soup = page(lan.get(url + "/results"))
    table = soup.find("table", class_="choice-shares")
    shares = {
        row["data-choice"]: row.find("td").get_text(strip=True)
        for row in table.find("tbody").find_all("tr")
    }
    assert shares["pay"] == "75% (3)"
    assert shares["today"] == "25% (1)"
    assert shares["age"] == "25% (1)"
    assert "Red flag" in table.find("tr", attrs={"data-choice": "pay"}).get_text()
    missed = soup.find("li", class_="missed-flag").get_text(" ", strip=True)
    assert "“Flights, visa and housing all paid by us”, tapped by 25%" in missed
    present = page(lan.get(url + "/present/3"))  # join, topics, then the question
    assert present.find("li", class_="missed-flag") is not None
    live = lan.get(url + "/results.json", query_string={"part": "q-1"}).get_json()
    assert "missed-flag" in live["fragments"]["q-1"], "the live update draws it too"

    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == KEY))
        phrase = {c.key: c.text["en"] for c in question.current_revision.choices}
    answers = list(
        csv.DictReader(io.StringIO(lan.get(url + "/answers.csv").data.decode("utf-8-sig")))
    )
    assert len(answers) == 4, "an answer with nothing tapped keeps its line"
    tapped = sorted(a["Answer given"] for a in answers)
    assert tapped == sorted(
        " | ".join(phrase[key] for key in keys)
        for keys in (["pay", "skills", "ticket", "today"], ["pay", "skills"], ["pay", "age"], [])
    )
    summary = csv.DictReader(io.StringIO(lan.get(url + "/questions.csv").data.decode("utf-8-sig")))
    rows = {r["Choice"]: r for r in summary}
    today, age = rows[phrase["today"]], rows[phrase["age"]]
    assert (today["Times picked"], today["Is the right answer"]) == ("1", "Yes")
    assert age["Most chosen wrong answer"] == "Yes"


# --- the bank in the database -----------------------------------------------------------------


def test_rewording_a_message_keeps_the_revision_and_changing_a_flag_makes_one(empty_app):
    bank = read_bank_files(files())
    with empty_app.app_context():
        db = get_session()
        import_bank(db, bank)
        db.commit()
        question = db.scalar(select(Question).where(Question.key == "m-chat"))
        old_revision = question.current_revision.id
        attempt = attempts.start_attempt(db, locale="en", count=1)
        attempts.record_answer(db, attempt.items[0], ["pay", "secret"])

    reworded = TOPIC.replace("Hi! [[pay]]", "Hello there! [[pay]]").replace(
        "Far too high.", "Much too high."
    )
    with empty_app.app_context():
        db = get_session()
        report = import_bank(db, read_bank_files(files(reworded)))
        db.commit()
        assert report.revised == []
        question = db.scalar(select(Question).where(Question.key == "m-chat"))
        revision = question.current_revision
        assert revision.id == old_revision
        assert revision.message["parts"][0]["text"]["en"] == "Hello there! [[pay]] and [[hours]]."
        assert revision.choices[0].why["en"] == "Much too high."
        assert (
            write_bank(export_bank(db))["signs.yaml"]
            == write_bank(read_bank_files(files(reworded)))["signs.yaml"]
        )

    flagged = reworded.replace(
        "        why: {en: Normal hours.", "        correct: true\n        why: {en: Normal hours."
    ).replace("        correct: true\n        why: {en: Secrecy", "        why: {en: Secrecy")
    with empty_app.app_context():
        db = get_session()
        report = import_bank(db, read_bank_files(files(flagged)))
        db.commit()
        assert report.revised == ["m-chat"]
        question = db.scalar(select(Question).where(Question.key == "m-chat"))
        assert question.current_revision.correct_keys == {"pay", "hours"}
        answer = db.scalar(select(Answer))
        assert (answer.revision_id, answer.correct) == (old_revision, True)
        old = db.get(QuestionRevision, old_revision)
        assert old.message is not None, "the old revision keeps its message"


def test_export_import_export_of_the_real_bank_is_byte_identical(empty_app, bank):
    """Each step in a session of its own, as the command line and the admin pages do."""

    def in_new_session(step):
        with empty_app.app_context():
            db = get_session()
            result = step(db)
            db.commit()
            return result

    in_new_session(lambda db: import_bank(db, bank))
    first = in_new_session(lambda db: write_bank(export_bank(db)))
    in_new_session(lambda db: import_bank(db, read_bank_files(first)))
    assert in_new_session(lambda db: write_bank(export_bank(db))) == first
    assert "type: message" in first["safe-migration.yaml"]


# --- the admin editor ---------------------------------------------------------------------------


@pytest.fixture
def admin(app):
    add_user(app, "boss", "admin")
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, "boss").status_code == 302
    return client


def editor_values(client, url: str) -> dict:
    return form_values(page(client.get(url)).find("form", class_="editor"))


def stored_files(app) -> dict[str, str]:
    with app.app_context():
        return write_bank(export_bank(get_session()))


def test_saving_a_message_question_unchanged_changes_nothing(app, admin):
    url = f"/admin/questions/{KEY}"
    before = stored_files(app)
    values = editor_values(admin, url)
    assert values["type"] == "message"
    assert values["message_kind"] == "post"
    assert values["parts-0-text-vi"].startswith("TUYỂN GẤP")
    assert values["choices-0-why-en"].startswith("Pay far above")
    response = admin.post(url, data={**values, "save": "1"})
    assert response.status_code == 302, page(response).find_all("p", class_="error")
    assert stored_files(app) == before


def test_editing_a_message_in_both_languages_and_previewing_it(app, admin):
    url = f"/admin/questions/{KEY}"
    values = editor_values(admin, url)
    values["parts-2-text-en"] = values["parts-2-text-en"].replace("Inbox us", "Message us")
    values["parts-2-text-vi"] = values["parts-2-text-vi"].replace("Nhắn Zalo", "Nhắn tin Zalo")
    values["choices-4-why-vi"] = "Giới hạn độ tuổi là chuyện bình thường."
    assert admin.post(url, data={**values, "save": "1"}).status_code == 302
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == KEY))
        revision = question.current_revision
        assert revision.number == 1, "wording only: the same revision"
        assert "Message us on Zalo" in revision.message["parts"][2]["text"]["en"]
        assert "Nhắn tin Zalo" in revision.message["parts"][2]["text"]["vi"]
        assert revision.choices[4].why["vi"] == "Giới hạn độ tuổi là chuyện bình thường."

    preview = page(admin.get(f"/admin/questions/{KEY}/preview?lang=vi"))
    section = preview.find("section", class_="preview")
    assert "Nhắn tin Zalo" in section.find("div", class_="message").get_text()
    form = section.find("form", class_="question")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    answered = page(
        admin.post(
            f"/admin/questions/{KEY}/preview?lang=vi",
            data={"csrf_token": token, "choice": RED_FLAGS},
        )
    )
    result = answered.find("section", class_="preview")
    assert result.find("h1").get_text(strip=True) == "Chính xác!"
    assert len(result.find_all("li", class_="verdict-flag")) == 4
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 0


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            {"parts-0-text-en": "URGENT! [[pay]] and [[ghost]], [[skills]]."},
            "message",
            "which is no phrase",
        ),
        ({"parts-1-text-vi": "[[shift]]. Chỉ cần mang theo người!"}, "message", "not placed"),
        ({"choices-3-why-en": ""}, "choices-3-why", "English text is missing."),
        ({"message_sender-vi": ""}, "message_sender", "Vietnamese text is missing."),
    ],
)
def test_message_editor_rules_show_next_to_their_fields(app, admin, change, where, message):
    url = f"/admin/questions/{KEY}"
    before = stored_files(app)
    values = {**editor_values(admin, url), **change, "save": "1"}
    response = admin.post(url, data=values)
    assert response.status_code == 422
    soup = page(response)
    box = soup.find(id=where)
    assert box is not None, where
    assert any(message in p.get_text() for p in box.find_all("p", class_="error")), box
    assert stored_files(app) == before


def test_add_and_remove_message_parts_without_javascript(admin):
    url = f"/admin/questions/{KEY}"
    values = editor_values(admin, url)
    soup = page(admin.post(url, data={**values, "add_part": "1"}))
    assert len(soup.find_all("li", class_="part-row")) == 4
    values = form_values(soup.find("form", class_="editor"))
    soup = page(admin.post(url, data={**values, "remove_part-0": "1"}))
    rows = soup.find_all("li", class_="part-row")
    assert len(rows) == 3
    text = rows[0].find("textarea", id="parts-0-text-en").get_text()
    assert text.strip().startswith("[[shift]]")


def test_a_new_message_question_made_in_the_editor(app, admin):
    url = "/admin/questions/new"
    values = editor_values(admin, url)
    values.update(
        {
            "key": "ws-msg-new",
            "topic": "warning-signs",
            "type": "message",
            "status": "draft",
            "prompt-vi": "Chạm vào dấu hiệu đáng ngờ trong tin nhắn mới.",
            "prompt-en": "Tap the red flags in this new message.",
            "message_kind": "sms",
            "message_sender-vi": "Số lạ",
            "message_sender-en": "Unknown number",
            "parts-0-text-vi": "Việc nhẹ [[a]], [[b]].",
            "parts-0-text-en": "Easy work [[a]], [[b]].",
            "choices-0-text-vi": "lương 50 triệu",
            "choices-0-text-en": "50 million pay",
            "choices-0-correct": "y",
            "choices-0-why-vi": "Cao bất thường.",
            "choices-0-why-en": "Far too high.",
            "choices-1-text-vi": "nghỉ Chủ nhật",
            "choices-1-text-en": "Sundays off",
            "choices-1-why-vi": "Bình thường.",
            "choices-1-why-en": "Normal.",
            "explanation-vi": "Lương quá cao là dấu hiệu. Hãy kiểm tra kỹ.",
            "explanation-en": "Pay that high is a sign. Check carefully.",
            "sources": ["eeoc-recognize-trafficking"],
            "save": "1",
        }
    )
    response = admin.post(url, data=values)
    assert response.status_code == 302, [
        p.get_text() for p in page(response).find_all("p", class_="error")
    ]
    files_ = stored_files(app)
    assert "ws-msg-new" in files_["warning-signs.yaml"]
    bank = read_bank_files(files_)
    (made,) = [q for t in bank.topics for q in t.questions if q.key == "ws-msg-new"]
    assert made.message.kind == "sms"
    assert made.message.parts[0].side is None
    assert made.choices[1].why == {"vi": "Bình thường.", "en": "Normal."}


def test_the_question_list_filters_message_questions(app, admin):
    soup = page(admin.get("/admin/questions?type=message"))
    rows = soup.find("table", class_="questions-table").find("tbody").find_all("tr")
    with app.app_context():
        count = sum(
            1
            for q in get_session().scalars(select(Question))
            if q.current_revision.type == "message"
        )
    assert len(rows) == count >= 12


def test_attempt_items_of_a_message_keep_the_phrase_order(app):
    message_workshop(app)
    join_and_open(app)
    with app.app_context():
        item = get_session().scalar(select(AttemptQuestion))
        assert item.choice_order == ["pay", "skills", "shift", "ticket", "age", "today"]
        assert get_session().scalar(select(func.count(Attempt.id))) == 1


def test_a_message_without_parts_is_refused_with_a_message(app, admin):
    url = f"/admin/questions/{KEY}"
    before = stored_files(app)
    values = {k: v for k, v in editor_values(admin, url).items() if not k.startswith("parts-")}
    response = admin.post(url, data={**values, "save": "1"})
    assert response.status_code == 422
    box = page(response).find(id="message")
    errors = [p.get_text(strip=True) for p in box.find_all("p", class_="error")]
    assert "A message needs at least one part." in errors
    assert stored_files(app) == before


def test_a_single_choice_question_turned_into_a_message_needs_its_message(app, admin):
    url = "/admin/questions/ws-too-good-to-be-true"
    values = {**editor_values(admin, url), "type": "message", "save": "1"}
    response = admin.post(url, data=values)
    assert response.status_code == 422
    soup = page(response)
    assert (
        "Vietnamese text is missing."
        in soup.find(id="parts-0-text-vi").find_parent("div", class_="field").get_text()
    )
    assert soup.find(id="choices-0-why-en") is not None
    with app.app_context():
        question = get_session().scalar(
            select(Question).where(Question.key == "ws-too-good-to-be-true")
        )
        assert question.current_revision.type == "single"


def test_a_projector_can_draw_the_message_without_controls(app):
    """For a room-led session: the same partial, phrases highlighted but not tappable."""
    from flask import render_template

    with app.test_request_context("/"):
        question = get_session().scalar(select(Question).where(Question.key == KEY))
        html = render_template(
            "participant/_message.html",
            revision=question.current_revision,
            picked=set(),
            answer=None,
            message_readonly=True,
        )
    soup = page_of(html)
    assert soup.find("input") is None
    assert [s.get_text() for s in soup.find_all("span", class_="phrase")][0] == (
        "Lương 30 triệu/tháng"  # the default language
    )


def page_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")
