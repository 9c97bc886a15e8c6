"""The question bank editor, read from the pages as an admin would use it.

Every rule of the bank files has a test that submits a form breaking it and finds the message
next to the field it is about, with nothing saved.
"""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
from helpers import add_user, form_values, login, page
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tipquiz import attempts
from tipquiz.bank import read_bank_files, write_bank
from tipquiz.bank_store import bank_errors, bank_with_topic, export_bank, topic_entry
from tipquiz.db import get_session
from tipquiz.models import (
    Answer,
    AnswerChoice,
    Attempt,
    AttemptQuestion,
    AuditEntry,
    Choice,
    Question,
    QuestionRevision,
    Source,
    Topic,
    User,
)

QUESTION = "ws-too-good-to-be-true"  # single choice, "c" is right


@pytest.fixture
def admin(app):
    add_user(app, "boss", "admin")
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, "boss").status_code == 302
    return client


def send(client, url: str, soup, changes: dict | None = None, button: str = "save"):
    """Post the editor form of ``soup`` as a browser would, with some fields changed."""
    values = form_values(soup.find("form", class_="editor"))
    for name, value in (changes or {}).items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    values[button] = "1"
    return client.post(url, data=values)


def edit(client, url: str, changes: dict | None = None, button: str = "save"):
    return send(client, url, page(client.get(url)), changes, button)


def errors_at(soup, element_id: str) -> list[str]:
    """The error messages shown next to a field or inside a group of fields."""
    element = soup.find(id=element_id)
    assert element is not None, element_id
    box = element if element.name == "fieldset" else element.find_parent("div", class_="field")
    return [p.get_text(strip=True) for p in box.find_all("p", class_="error", recursive=False)]


def db_value(app, statement):
    with app.app_context():
        return get_session().scalar(statement)


def stored_bank(app) -> dict[str, str]:
    with app.app_context():
        return write_bank(export_bank(get_session()))


NEW = {
    "key": "ws-brand-new",
    "topic": "warning-signs",
    "type": "single",
    "status": "draft",
    "prompt-vi": "Câu hỏi hoàn toàn mới này hỏi gì?",
    "prompt-en": "What does this brand new question ask?",
    "choices-0-text-vi": "Một điều đúng",
    "choices-0-text-en": "Something right",
    "choices-0-correct": "y",
    "choices-1-text-vi": "Một điều sai",
    "choices-1-text-en": "Something wrong",
    "explanation-vi": "Một lời giải thích ngắn.",
    "explanation-en": "A short explanation.",
    "sources": ["seed-001-vietnamnews"],
}


def create(client, **changes):
    return edit(client, "/admin/questions/new", {**NEW, **changes})


# --- lists -------------------------------------------------------------------------------


def listed_keys(soup) -> list[str]:
    table = soup.find("table", class_="questions-table")
    if table is None:
        return []
    return [row["id"].removeprefix("question-") for row in table.find("tbody").find_all("tr")]


def test_question_list_shows_every_question_with_its_counts(app, admin):
    soup = page(admin.get("/admin/questions"))
    total = db_value(app, select(func.count(Question.id)))
    assert len(listed_keys(soup)) == total
    assert soup.find("p", class_="result-count").get_text(strip=True) == f"{total} questions"


def test_search_finds_text_in_either_language_without_accents(app, admin):
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == QUESTION))
        english, vietnamese = question.prompt["en"], question.prompt["vi"]
    for words in (english.split()[-3:], ["nhin", "nhan", "loi", "moi"]):
        soup = page(admin.get("/admin/questions", query_string={"q": " ".join(words)}))
        assert QUESTION in listed_keys(soup), words
    assert "nhìn nhận lời mời" in vietnamese
    none = page(admin.get("/admin/questions", query_string={"q": "zzqx nothing like this"}))
    assert listed_keys(none) == []
    assert none.find("p", class_="result-count").get_text(strip=True) == "0 questions"


@pytest.mark.parametrize(
    ("name", "value"),
    [("topic", "online-risks"), ("type", "true_false"), ("type", "multiple")],
)
def test_filters_match_the_database(app, admin, name, value):
    with app.app_context():
        db = get_session()
        query = select(Question.key).join(Topic)
        if name == "topic":
            query = query.where(Topic.key == value)
        else:
            query = query.join(
                QuestionRevision,
                (QuestionRevision.question_id == Question.id)
                & (QuestionRevision.number == Question.revision_number),
            ).where(QuestionRevision.type == value)
        expected = set(db.scalars(query))
    assert expected
    soup = page(admin.get("/admin/questions", query_string={name: value}))
    assert set(listed_keys(soup)) == expected


def test_status_and_missing_language_filters(app, admin):
    with app.app_context():
        db = get_session()
        question = db.scalar(select(Question).where(Question.key == QUESTION))
        question.status = "draft"
        # A translation never made: the English pasted into the Vietnamese box.
        question.explanation = {"en": question.explanation["en"], "vi": question.explanation["en"]}
        db.commit()
    drafts = page(admin.get("/admin/questions", query_string={"status": "draft"}))
    assert listed_keys(drafts) == [QUESTION]
    status = drafts.find("tr", id=f"question-{QUESTION}").find("span", class_="status")
    assert status.get_text(strip=True) == "Draft"
    missing = page(admin.get("/admin/questions", query_string={"missing": "vi"}))
    assert listed_keys(missing) == [QUESTION]
    tag = missing.find("tr", id=f"question-{QUESTION}").find("span", class_="tag-missing")
    assert tag.get_text(strip=True) == "missing: vi"
    assert listed_keys(page(admin.get("/admin/questions", query_string={"missing": "en"}))) == []


def test_topic_and_source_lists(app, admin, bank):
    topics = page(admin.get("/admin/topics"))
    rows = topics.find("table", class_="topics-table").find("tbody").find_all("tr")
    assert [r["id"].removeprefix("topic-") for r in rows] == [t.key for t in bank.topics]
    first = bank.topics[0]
    published = rows[0].find_all("td", class_="number")[2].get_text(strip=True)
    assert int(published) == sum(q.status == "published" for q in first.questions)
    sources = page(admin.get("/admin/sources"))
    rows = sources.find("table", class_="sources-table").find("tbody").find_all("tr")
    assert [r["id"].removeprefix("source-") for r in rows] == [s.key for s in bank.sources]
    cited = {s.key: 0 for s in bank.sources}
    for topic in bank.topics:
        for question in topic.questions:
            for key in question.sources:
                cited[key] += 1
    for row in rows:
        key = row["id"].removeprefix("source-")
        assert int(row.find_all("td")[-1].get_text(strip=True)) == cited[key]


# --- creating and validating questions ------------------------------------------------------


def test_a_new_question_is_saved_as_a_draft_with_an_audit_entry(app, admin):
    response = create(admin)
    assert response.status_code == 302
    assert response.location.endswith("/admin/questions/ws-brand-new")
    soup = page(admin.get(response.location))
    assert soup.find("p", class_="flash").get_text(strip=True) == "Question ws-brand-new saved."
    assert soup.find("textarea", id="prompt-en").get_text(strip=True) == NEW["prompt-en"]
    with app.app_context():
        db = get_session()
        question = db.scalar(select(Question).where(Question.key == "ws-brand-new"))
        assert question.status == "draft"
        assert question.topic.key == "warning-signs"
        assert question.position == len(question.topic.questions)
        assert question.current_revision.correct_keys == {"a"}
        assert [s.key for s in question.sources] == ["seed-001-vietnamnews"]
        entry = db.scalar(select(AuditEntry).where(AuditEntry.entity_key == "ws-brand-new"))
        assert (entry.action, entry.user.username, entry.old) == ("create", "boss", None)
        assert entry.new["prompt"] == {"en": NEW["prompt-en"], "vi": NEW["prompt-vi"]}


def test_text_typed_with_windows_line_breaks_is_stored_with_plain_ones(app, admin):
    create(admin, **{"explanation-en": "  First line.\r\n\r\nSecond line.  "})
    text = db_value(app, select(Question.explanation).where(Question.key == "ws-brand-new"))
    assert text["en"] == "First line.\n\nSecond line."


RULES = [
    # (changes to a valid new question, where the message shows, the message)
    (
        {"type": "multiple", "choices-0-correct": None},
        "choices",
        "No choice is marked correct.",
    ),
    (
        {"choices-1-correct": "y"},
        "choices",
        "A single-choice question needs exactly one correct choice.",
    ),
    (
        {
            "choices-1-text-vi": None,
            "choices-1-text-en": None,
            "choices-1-key": None,
            "choices-1-why-vi": None,
            "choices-1-why-en": None,
        },
        "choices",
        "A question needs 2 to 6 choices.",
    ),
    ({"type": "true_false"}, "answer", "Choose whether the statement is true or false."),
    ({"prompt-vi": ""}, "prompt-vi", "Vietnamese text is missing."),
    ({"explanation-en": "  "}, "explanation-en", "English text is missing."),
    ({"choices-1-text-en": ""}, "choices-1-text-en", "English text is missing."),
    ({"scenario-en": "Only in English."}, "scenario", None),
    ({"sources": None}, "sources", "A question needs at least one source."),
    ({"sources": ["no-such-source"]}, "sources", "Source no-such-source does not exist."),
    ({"key": QUESTION}, "key", f"Another question already uses the key {QUESTION}."),
    ({"key": "Bad Key!"}, "key", "Use only a-z, 0-9 and '-', starting with a letter or digit."),
    (
        {"explanation-en": "Over 7777 people were helped.", "explanation-vi": "Hơn 7777 người."},
        "explanation",
        "Question 'ws-brand-new': the figures 7777 in its explanation appear in no fact of its "
        "topic or note of a source it cites.",
    ),
]


@pytest.mark.parametrize(("changes", "where", "message"), RULES)
def test_each_rule_shows_its_message_next_to_the_field(app, admin, changes, where, message):
    response = create(admin, **changes)
    assert response.status_code == 422
    soup = page(response)
    expected = message or "Write the scenario in both languages, or leave both empty."
    assert expected in errors_at(soup, where)
    assert soup.find("p", class_="flash-error").get_text(strip=True).startswith("Please correct")
    assert db_value(app, select(Question.id).where(Question.key == "ws-brand-new")) is None
    assert db_value(app, select(func.count(AuditEntry.id))) == 0


def test_a_prompt_already_in_the_bank_is_refused(app, admin):
    with app.app_context():
        other = get_session().scalar(select(Question).where(Question.key == QUESTION))
        scenario, prompt = other.scenario, other.prompt
    response = create(
        admin,
        **{
            "scenario-vi": scenario["vi"],
            "scenario-en": scenario["en"],
            "prompt-vi": prompt["vi"],
            "prompt-en": "  " + prompt["en"].upper() + " ",
        },
    )
    assert response.status_code == 422
    messages = errors_at(page(response), "prompt")
    assert any(
        "has the same prompt as" in m and QUESTION in m and "ws-brand-new" in m for m in messages
    )


def test_a_figure_from_a_cited_sources_notes_is_accepted(app, admin):
    """The figure rule in the other direction: 1,093 is in a note of seed-001-vietnamnews."""
    response = create(
        admin,
        **{
            "explanation-en": "By late July IOM had helped 1,093 people in 2025.",
            "explanation-vi": "Đến cuối tháng Bảy năm 2025, IOM đã hỗ trợ 1.093 người.",
        },
    )
    assert response.status_code == 302


def test_a_true_false_question_needs_only_its_answer(app, admin):
    response = create(
        admin,
        **{
            "type": "true_false",
            "answer": "false",
            "choices-0-text-vi": "",
            "choices-0-text-en": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == "ws-brand-new"))
        revision = question.current_revision
        assert revision.type == "true_false"
        assert [(c.key, c.correct) for c in revision.choices] == [("true", False), ("false", True)]


# --- choices without JavaScript -----------------------------------------------------------


def choice_rows(soup) -> list[dict]:
    rows = []
    for row in soup.find_all("li", class_="choice-row"):
        rows.append(
            {
                "key": row.find("input", type="hidden")["value"],
                "en": row.find("textarea", attrs={"lang": "en"}).get_text(strip=True),
            }
        )
    return rows


def test_add_move_and_remove_choices_without_javascript(app, admin):
    url = "/admin/questions/new"
    soup = page(admin.get(url))
    assert [r["key"] for r in choice_rows(soup)] == ["a", "b"]
    typed = {"prompt-en": "Typed before adding a row", "choices-0-text-en": "First"}
    response = send(admin, url, soup, typed, button="add_choice")
    assert response.status_code == 200
    soup = page(response)
    assert [r["key"] for r in choice_rows(soup)] == ["a", "b", "c"]
    assert soup.find("textarea", id="prompt-en").get_text(strip=True) == typed["prompt-en"]
    assert not soup.find_all("p", class_="error"), "a row button checks nothing"
    soup = page(send(admin, url, soup, {"choices-2-text-en": "Third"}, button="move_up_choice-2"))
    assert [(r["key"], r["en"]) for r in choice_rows(soup)] == [
        ("a", "First"),
        ("c", "Third"),
        ("b", ""),
    ]
    soup = page(send(admin, url, soup, button="remove_choice-0"))
    assert [r["key"] for r in choice_rows(soup)] == ["c", "b"]
    first = soup.find("li", class_="choice-row")
    assert first.find("button", attrs={"name": "move_up_choice-0"}).has_attr("disabled")
    assert db_value(app, select(func.count(AuditEntry.id))) == 0, "and saves nothing"


def test_a_question_has_at_most_six_choices(admin):
    url = "/admin/questions/new"
    soup = page(admin.get(url))
    for _ in range(6):
        soup = page(send(admin, url, soup, button="add_choice"))
    assert len(choice_rows(soup)) == 6
    assert soup.find("button", attrs={"name": "add_choice"}) is None
    assert "at most 6 choices" in soup.find("fieldset", id="choices").get_text()


def test_removed_choice_keys_are_never_reused(app, admin):
    url = f"/admin/questions/{QUESTION}"
    soup = page(admin.get(url))
    assert [r["key"] for r in choice_rows(soup)] == ["a", "b", "c", "d"]
    soup = page(send(admin, url, soup, button="remove_choice-3"))
    soup = page(send(admin, url, soup, button="add_choice"))
    assert [r["key"] for r in choice_rows(soup)] == ["a", "b", "c", "e"]


def test_reordering_choices_keeps_the_revision(app, admin):
    url = f"/admin/questions/{QUESTION}"
    soup = page(send(admin, url, page(admin.get(url)), button="move_down_choice-0"))
    assert [r["key"] for r in choice_rows(soup)] == ["b", "a", "c", "d"]
    assert send(admin, url, soup).status_code == 302
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == QUESTION))
        assert question.revision_number == 1
        assert [c.key for c in question.current_revision.choices] == ["b", "a", "c", "d"]


# --- history -------------------------------------------------------------------------------


def answer_question(app, key: str, chosen: list[str]) -> str:
    """One participant answers one question; returns their attempt's token."""
    with app.app_context():
        db = get_session()
        question = db.scalar(select(Question).where(Question.key == key))
        revision = question.current_revision
        attempt = Attempt(token=attempts.new_token(), locale="en", question_count=1)
        attempt.items.append(
            AttemptQuestion(
                position=1, revision_id=revision.id, choice_order=[c.key for c in revision.choices]
            )
        )
        db.add(attempt)
        db.commit()
        attempts.record_answer(db, attempts.attempt_item(db, attempt, 1), chosen)
        return attempt.token


def verdict_seen_by(app, token: str) -> str:
    participant = app.test_client()
    participant.get("/lang/en")
    with participant.session_transaction() as session:
        session["attempt"] = token
    return page(participant.get("/quiz/1")).find("h1", class_="verdict").get_text(strip=True)


def revision_stats(soup, number: int) -> dict:
    article = soup.find("article", id=f"revision-{number}")
    return {
        "answers": article.find("span", class_="answer-total").get_text(strip=True),
        "correct": article.find("span", class_="correct-total").get_text(strip=True),
        "picks": {
            row["data-choice"]: int(row.find("td", class_="picks").get_text())
            for row in article.find("tbody").find_all("tr")
        },
    }


def test_changing_the_right_answer_starts_a_revision_and_keeps_old_answers(app, admin):
    before_right = answer_question(app, QUESTION, ["c"])
    before_wrong = answer_question(app, QUESTION, ["a"])
    url = f"/admin/questions/{QUESTION}"
    response = edit(admin, url, {"choices-0-correct": "y", "choices-2-correct": None})
    assert response.status_code == 302
    flash = page(admin.get(url)).find("p", class_="flash").get_text(strip=True)
    assert "revision 2" in flash
    after_right = answer_question(app, QUESTION, ["a"])

    assert verdict_seen_by(app, before_right) == "Correct!"
    assert verdict_seen_by(app, before_wrong) == "Not quite."
    assert verdict_seen_by(app, after_right) == "Correct!"

    with app.app_context():
        db = get_session()
        revisions = db.scalars(
            select(QuestionRevision)
            .join(Question)
            .where(Question.key == QUESTION)
            .order_by(QuestionRevision.number)
        ).all()
        assert [r.number for r in revisions] == [1, 2]
        assert [sorted(r.correct_keys) for r in revisions] == [["c"], ["a"]]
        stored = db.execute(
            select(Answer.revision_id, Answer.correct, Choice.key, Choice.revision_id)
            .join(AnswerChoice, AnswerChoice.answer_id == Answer.id)
            .join(Choice, Choice.id == AnswerChoice.choice_id)
            .order_by(Answer.id)
        ).all()
    first, second = revisions
    assert stored == [
        (first.id, True, "c", first.id),
        (first.id, False, "a", first.id),
        (second.id, True, "a", second.id),
    ]
    soup = page(admin.get(url))
    assert revision_stats(soup, 1) == {
        "answers": "2 answers",
        "correct": "1 correct",
        "picks": {"a": 1, "b": 0, "c": 1, "d": 0},
    }
    assert revision_stats(soup, 2) == {
        "answers": "1 answer",
        "correct": "1 correct",
        "picks": {"a": 1, "b": 0, "c": 0, "d": 0},
    }
    entry = db_value(app, select(AuditEntry).where(AuditEntry.action == "revise"))
    assert entry.old["revision"] == 1 and entry.new["revision"] == 2


def test_correcting_wording_changes_the_question_in_place(app, admin):
    answer_question(app, QUESTION, ["c"])
    url = f"/admin/questions/{QUESTION}"
    response = edit(admin, url, {"prompt-en": "What should Lan think of this offer?"})
    assert response.status_code == 302
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == QUESTION))
        assert question.revision_number == 1
        assert len(question.revisions) == 1
        assert question.prompt["en"] == "What should Lan think of this offer?"
    entry = db_value(app, select(AuditEntry).where(AuditEntry.action == "update"))
    assert set(entry.old) == set(entry.new) == {"prompt"}
    assert entry.old["prompt"]["en"] == "What should Lan make of this offer?"
    assert entry.new["prompt"]["en"] == "What should Lan think of this offer?"


def test_a_question_moved_to_another_topic_goes_last_there(app, admin):
    response = edit(admin, f"/admin/questions/{QUESTION}", {"topic": "online-risks"})
    assert response.status_code == 302
    with app.app_context():
        db = get_session()
        topic = db.scalar(select(Topic).where(Topic.key == "online-risks"))
        assert topic.questions[-1].key == QUESTION
        before = db.scalar(select(Topic).where(Topic.key == "warning-signs"))
        assert QUESTION not in {q.key for q in before.questions}


def test_drafts_are_never_drawn_until_published(app, admin):
    assert create(admin).status_code == 302
    app.config["QUESTIONS_PER_QUIZ"] = 1000
    published = db_value(app, select(func.count(Question.id)).where(Question.status == "published"))

    def drawn() -> set[str]:
        participant = app.test_client()
        start = page(participant.get("/")).find("form", action="/start")
        token = start.find("input", attrs={"name": "csrf_token"})["value"]
        assert participant.post("/start", data={"csrf_token": token}).status_code == 302
        with app.app_context():
            db = get_session()
            attempt = db.scalar(select(Attempt).order_by(Attempt.id.desc()))
            return set(
                db.scalars(
                    select(Question.key)
                    .join(QuestionRevision, QuestionRevision.question_id == Question.id)
                    .join(AttemptQuestion, AttemptQuestion.revision_id == QuestionRevision.id)
                    .where(AttemptQuestion.attempt_id == attempt.id)
                )
            )

    everything = drawn()
    assert len(everything) == published
    assert "ws-brand-new" not in everything
    assert edit(admin, "/admin/questions/ws-brand-new", {"status": "published"}).status_code == 302
    assert "ws-brand-new" in drawn()


# --- preview -------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "verdict"), [("vi", "Chính xác!"), ("en", "Correct!")])
def test_preview_shows_the_question_as_participants_see_it(app, admin, lang, verdict):
    token = None
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == QUESTION))
        prompt = question.prompt[lang]
        keys = [c.key for c in question.current_revision.choices]
    # The participant's own page for the same question, choices in the stored order.
    with app.app_context():
        db = get_session()
        attempt = Attempt(token=attempts.new_token(), locale=lang, question_count=1)
        attempt.items.append(
            AttemptQuestion(position=1, revision_id=question.current_revision.id, choice_order=keys)
        )
        db.add(attempt)
        db.commit()
        token = attempt.token
    participant = app.test_client()
    participant.get(f"/lang/{lang}")
    with participant.session_transaction() as session:
        session["attempt"] = token
    seen = page(participant.get("/quiz/1")).find("form", class_="question").find("fieldset")

    url = f"/admin/questions/{QUESTION}/preview?lang={lang}"
    soup = page(admin.get(url))
    preview = soup.find("section", class_="preview")
    assert preview["lang"] == lang
    assert str(preview.find("form", class_="question").find("fieldset")) == str(seen)
    assert preview.find("h1", class_="prompt").get_text(strip=True) == prompt
    assert soup.find("nav", class_="admin-nav").find("a", attrs={"aria-current": "page"}).get_text(
        strip=True
    ) == ("Questions"), "the admin's own pages stay in the admin's language"

    form = preview.find("form", class_="question")
    token_field = form.find("input", attrs={"name": "csrf_token"})["value"]
    answered = page(admin.post(url, data={"csrf_token": token_field, "choice": "c"}))
    assert answered.find("section", class_="preview").find("h1").get_text(strip=True) == verdict
    assert db_value(app, select(func.count(Answer.id))) == 0, "a preview stores nothing"


def test_preview_of_a_draft_says_it_is_not_published(admin):
    create(admin)
    soup = page(admin.get("/admin/questions/ws-brand-new/preview?lang=en"))
    assert "not published" in soup.find("main").get_text()
    assert (
        soup.find("section", class_="preview").find(class_="prompt").get_text(strip=True)
        == (NEW["prompt-en"])
    )


def test_unknown_question_topic_and_source_are_404(admin):
    for url in [
        "/admin/questions/nope",
        "/admin/questions/nope/preview",
        "/admin/questions/nope/delete",
        "/admin/topics/nope",
        "/admin/sources/nope/delete",
    ]:
        assert admin.get(url).status_code == 404, url


# --- archive and delete ----------------------------------------------------------------------


def test_a_question_with_answers_is_archived_not_deleted(app, admin):
    answer_question(app, QUESTION, ["c"])
    url = f"/admin/questions/{QUESTION}/delete"
    soup = page(admin.get(url))
    assert soup.find("main").find("form").find("input", type="submit")["value"] == "Archive"
    assert db_value(app, select(Question.status).where(Question.key == QUESTION)) == "published"
    token = soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = admin.post(url, data={"csrf_token": token, "confirm": "Archive"})
    assert response.status_code == 302
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == QUESTION))
        assert question.status == "archived"
        assert get_session().scalar(select(func.count(Answer.id))) == 1
    soup = page(admin.get(url))
    assert soup.find("main").find("form", method="post") is None
    assert "not drawn" in soup.find("main").get_text()


def test_a_question_nobody_has_seen_is_deleted_after_confirmation(app, admin):
    create(admin)
    url = "/admin/questions/ws-brand-new/delete"
    soup = page(admin.get(url))
    assert db_value(app, select(Question.id).where(Question.key == "ws-brand-new")) is not None
    form = soup.find("main").find("form", method="post")
    assert form.find("input", type="submit")["value"] == "Delete"
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    assert admin.post(url, data={"csrf_token": token, "confirm": "Delete"}).status_code == 302
    assert db_value(app, select(Question.id).where(Question.key == "ws-brand-new")) is None
    entry = db_value(app, select(AuditEntry).where(AuditEntry.action == "delete"))
    assert entry.entity_key == "ws-brand-new" and entry.new is None
    assert entry.old["prompt"]["en"] == NEW["prompt-en"]


# --- topics and sources -------------------------------------------------------------------------


def test_edit_a_topic_and_add_a_fact(app, admin):
    url = "/admin/topics/warning-signs"
    soup = page(admin.get(url))
    facts = len(soup.find_all("li", class_="fact-row"))
    soup = page(send(admin, url, soup, button="add_fact"))
    assert len(soup.find_all("li", class_="fact-row")) == facts + 1
    new = facts
    response = send(
        admin,
        url,
        soup,
        {
            "title-en": "Warning signs to know",
            f"facts-{new}-text-vi": "Một sự thật mới có nguồn.",
            f"facts-{new}-text-en": "A new fact with a source.",
            f"facts-{new}-source": "seed-001-vietnamnews",
        },
    )
    assert response.status_code == 302
    learn = page(admin.get("/learn/warning-signs"))
    assert learn.find("h1").get_text(strip=True) == "Warning signs to know"
    items = learn.find("ul", class_="facts").find_all("li", recursive=False)
    assert len(items) == facts + 1
    assert items[-1].get_text(" ", strip=True).startswith("A new fact with a source.")
    entry = db_value(app, select(AuditEntry).where(AuditEntry.entity == "topic"))
    assert entry.old["title"]["en"] == "Warning signs" and len(entry.new["facts"]) == facts + 1


def test_topic_rules_show_next_to_their_fields(app, admin):
    url = "/admin/topics/warning-signs"
    response = edit(admin, url, {"facts-0-source": "nope", "feedback_low-vi": ""})
    assert response.status_code == 422
    soup = page(response)
    assert errors_at(soup, "facts-0-source") == ["Source nope does not exist."]
    assert errors_at(soup, "feedback_low-vi") == ["Vietnamese text is missing."]


def test_removing_a_fact_an_explanation_depends_on_is_refused(app, admin):
    """Found by the bank checker: the figure of some explanation would have no source left."""
    with app.app_context():
        db = get_session()
        bank = export_bank(db)
        for topic in bank.topics:
            for index in range(len(topic.facts)):
                entry = topic_entry(db.scalar(select(Topic).where(Topic.key == topic.key)))
                del entry.facts[index]
                if bank_errors(bank_with_topic(bank, entry, topic.key)):
                    break
            else:
                continue
            break
        else:
            pytest.fail("no fact carries a figure of an explanation")
    before = stored_bank(app)
    response = edit(admin, f"/admin/topics/{topic.key}", button=f"remove_fact-{index}")
    response = send(admin, f"/admin/topics/{topic.key}", page(response))
    assert response.status_code == 422
    rows = page(response).find("section", class_="bank-errors").find_all("tr", class_="bank-error")
    assert rows
    assert all(r.find("td", class_="file").get_text() == f"{topic.key}.yaml" for r in rows)
    assert any("figures" in r.find("td", class_="message").get_text() for r in rows)
    assert stored_bank(app) == before


def test_a_new_topic_and_deleting_an_empty_one(app, admin):
    values = {"key": "new-topic", "position": "9"}
    for name in ("title", "summary", "feedback_low", "feedback_mid", "feedback_high"):
        values[f"{name}-vi"] = f"Nội dung {name}"
        values[f"{name}-en"] = f"Text of {name}"
    values.update(
        {
            "facts-0-text-vi": "Một sự thật.",
            "facts-0-text-en": "A fact.",
            "facts-0-source": "seed-001-vietnamnews",
            "actions-0-text-vi": "Hãy gọi 111.",
            "actions-0-text-en": "Call 111.",
        }
    )
    taken = edit(admin, "/admin/topics/new", {**values, "key": "warning-signs"})
    assert errors_at(page(taken), "key") == ["Another topic already uses the key warning-signs."]
    assert edit(admin, "/admin/topics/new", values).status_code == 302
    assert page(admin.get("/learn/new-topic")).find("h1").get_text(strip=True) == "Text of title"
    busy = page(admin.get("/admin/topics/warning-signs/delete"))
    assert busy.find("main").find("form", method="post") is None
    soup = page(admin.get("/admin/topics/new-topic/delete"))
    token = soup.find("main").find("input", attrs={"name": "csrf_token"})["value"]
    response = admin.post("/admin/topics/new-topic/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert admin.get("/learn/new-topic").status_code == 404


def test_source_rules_and_a_note_that_sources_a_figure(app, admin):
    url = "/admin/sources/seed-002-baothainguyen"
    response = edit(admin, url, {"date": "July 2025"})
    assert response.status_code == 422
    assert errors_at(page(response), "date") == ["Write the date as YYYY, YYYY-MM or YYYY-MM-DD."]
    response = edit(admin, url, {"url": "htp:/nowhere"})
    assert response.status_code == 422
    assert errors_at(page(response), "url") == ["'htp:/nowhere' is not a web address."]
    taken = edit(admin, "/admin/sources/new", {"key": "seed-002-baothainguyen"})
    assert "Another source already uses the key seed-002-baothainguyen." in errors_at(
        page(taken), "key"
    )

    figure = {"explanation-en": "It rose to 4242.", "explanation-vi": "Con số lên tới 4242."}
    cited = {**figure, "sources": ["seed-002-baothainguyen"]}
    assert create(admin, **cited).status_code == 422
    notes = page(admin.get(url)).find("textarea", id="notes").get_text().strip("\r\n")
    assert edit(admin, url, {"notes": notes + "\r\nA later count: 4242."}).status_code == 302
    assert create(admin, **cited).status_code == 302


def test_a_cited_source_cannot_be_deleted_an_unused_one_can(app, admin):
    cited = page(admin.get("/admin/sources/seed-001-vietnamnews/delete"))
    assert cited.find("main").find("form", method="post") is None
    assert cited.find("ul", class_="citations").find_all("li")
    response = edit(
        admin,
        "/admin/sources/new",
        {
            "key": "spare-source",
            "title": "A spare page",
            "publisher": "Someone",
            "url": "https://example.org/page",
        },
    )
    assert response.status_code == 302
    soup = page(admin.get("/admin/sources/spare-source/delete"))
    token = soup.find("main").find("input", attrs={"name": "csrf_token"})["value"]
    admin.post("/admin/sources/spare-source/delete", data={"csrf_token": token})
    assert db_value(app, select(Source.id).where(Source.key == "spare-source")) is None


# --- import and export -----------------------------------------------------------------------


def zip_of(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def upload(client, uploads: list[tuple[str, bytes]], whole: bool = False):
    """Send files through the import form; the body is built in memory, as a browser sends it."""
    soup = page(client.get("/admin/bank"))
    token = soup.find("form", class_="import-form").find("input", attrs={"name": "csrf_token"})
    fields: dict = {
        "csrf_token": token["value"],
        "files": [FileStorage(io.BytesIO(data), filename=name) for name, data in uploads],
    }
    if whole:
        fields["whole"] = "y"
    boundary, body = encode_multipart(fields)
    return client.post(
        "/admin/bank", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def export(client) -> bytes:
    response = client.get("/admin/bank/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def test_export_is_what_the_command_line_writes(app, admin, runner, tmp_path):
    files = unzip(export(admin))
    result = runner.invoke(args=["bank", "export", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.yaml")}
    assert files == written


def test_round_trip_export_import_export_is_byte_identical(app, admin):
    first = export(admin)
    response = upload(admin, [("question-bank.zip", first)], whole=True)
    assert response.status_code == 302
    flash = page(admin.get("/admin/bank")).find("p", class_="flash").get_text(strip=True)
    assert flash == "Imported: the files said nothing the bank did not already say."
    assert export(admin) == first


def test_an_import_with_errors_changes_nothing_and_lists_every_error(app, admin):
    files = unzip(export(admin))
    sources = files["sources.yaml"].replace("url: https://vietnamnews.vn", "url: vietnamnews.vn", 1)
    topic = files["warning-signs.yaml"].replace(f"- key: {QUESTION}\n", "- key: Bad Key\n", 1)
    assert sources != files["sources.yaml"] and topic != files["warning-signs.yaml"]
    url_line = next(
        (n, line) for n, line in enumerate(sources.splitlines(), 1) if "url: vietnamnews.vn" in line
    )
    key_line = topic.splitlines().index("- key: Bad Key") + 1
    before = stored_bank(app)
    audit_before = db_value(app, select(func.count(AuditEntry.id)))
    response = upload(
        admin,
        [
            ("bank.zip", zip_of({"sources.yaml": sources})),
            ("warning-signs.yaml", topic.encode("utf-8")),
        ],
    )
    assert response.status_code == 422
    rows = page(response).find("section", class_="bank-errors").find_all("tr", class_="bank-error")
    found = {
        tuple(r.find("td", class_=c).get_text() for c in ("file", "line", "message")) for r in rows
    }
    bad_url = url_line[1].split("url: ", 1)[1]
    assert ("sources.yaml", str(url_line[0]), f"'{bad_url}' is not a web address.") in found
    assert (
        "warning-signs.yaml",
        str(key_line),
        "Key 'Bad Key' may use only a-z, 0-9 and '-'.",
    ) in found
    assert stored_bank(app) == before
    assert db_value(app, select(func.count(AuditEntry.id))) == audit_before


def test_a_partial_upload_replaces_only_its_files(app, admin):
    files = unzip(export(admin))
    bank = read_bank_files(files)
    next(t for t in bank.topics if t.key == "getting-help").title["en"] = "Where to get help"
    changed = write_bank(bank)["getting-help.yaml"]
    assert changed != files["getting-help.yaml"]
    response = upload(admin, [("getting-help.yaml", changed.encode("utf-8"))])
    assert response.status_code == 302
    flash = page(admin.get("/admin/bank")).find("p", class_="flash").get_text(strip=True)
    assert "Files changed: getting-help.yaml." in flash
    after = stored_bank(app)
    assert after["getting-help.yaml"] == changed
    assert {n: t for n, t in after.items() if n != "getting-help.yaml"} == {
        n: t for n, t in files.items() if n != "getting-help.yaml"
    }
    entry = db_value(app, select(AuditEntry).where(AuditEntry.entity == "bank"))
    assert db_value(app, select(User.username).where(User.id == entry.user_id)) == "boss"
    assert entry.old["files"] == {"getting-help.yaml": files["getting-help.yaml"]}
    assert entry.new["files"] == {"getting-help.yaml": changed}


def test_a_partial_upload_is_checked_with_the_rest_of_the_bank(app, admin):
    files = unzip(export(admin))
    bank = read_bank_files(files)
    topics = {t.key: t for t in bank.topics}
    copied = next(q for q in topics["warning-signs"].questions if q.key == QUESTION)
    topics["getting-help"].questions.append(copy.deepcopy(copied))
    text = write_bank(bank)["getting-help.yaml"]
    before = stored_bank(app)
    response = upload(admin, [("getting-help.yaml", text.encode("utf-8"))])
    assert response.status_code == 422
    messages = [m.get_text() for m in page(response).find_all("td", class_="message")]
    assert any(f"question key '{QUESTION}' is already used in" in m.lower() for m in messages)
    assert stored_bank(app) == before


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        ([("notes.txt", b"hello")], "Only .yaml files and .zip archives can be imported."),
        ([("bank.zip", b"PK not really a zip")], "Not a valid zip file."),
        ([("sources.yaml", "tiếng".encode("utf-16"))], "The file is not UTF-8 text."),
        (
            [("bank.zip", zip_of({"huge.yaml": b"#" * (11 * 1024 * 1024)}))],
            "Unpacked, the upload would be larger than 10 MB.",
        ),
        (
            [("bank.zip", zip_of({f"t{i}.yaml": b"key: x\n" for i in range(101)}))],
            "The zip holds more than 100 files.",
        ),
    ],
)
def test_uploads_that_cannot_be_read_are_refused_with_a_message(app, admin, uploads, message):
    before = stored_bank(app)
    response = upload(admin, uploads)
    assert response.status_code == 422
    messages = [m.get_text() for m in page(response).find_all("td", class_="message")]
    assert message in messages
    assert stored_bank(app) == before


def test_an_oversized_upload_gets_the_import_page_with_the_limit(app, admin):
    response = upload(admin, [("big.yaml", b"#" * (3 * 1024 * 1024))])
    assert response.status_code == 413
    soup = page(response)
    assert soup.find("h1").get_text(strip=True) == "Import and export"
    assert "larger than 2 MB" in soup.find("p", class_="flash-error").get_text()


def test_macos_zips_with_a_folder_and_hidden_files_are_read(app, admin):
    files = unzip(export(admin))
    packed = {f"questions/{n}": t for n, t in files.items()}
    packed["__MACOSX/questions/._sources.yaml"] = b"\x00\x05\x16\x07 junk"
    packed["questions/README.md"] = "# not part of the bank"
    response = upload(admin, [("questions.zip", zip_of(packed))], whole=True)
    assert response.status_code == 302
    assert stored_bank(app) == files


def test_an_import_through_the_browser_follows_the_revision_rule(app, admin):
    answer_question(app, QUESTION, ["c"])
    bank = read_bank_files(unzip(export(admin)))
    question = next(q for t in bank.topics for q in t.questions if q.key == QUESTION)
    question.choices[0].correct, question.choices[2].correct = True, False
    text = write_bank(bank)["warning-signs.yaml"]
    response = upload(admin, [("warning-signs.yaml", text.encode("utf-8"))])
    assert response.status_code == 302
    flash = page(admin.get("/admin/bank")).find("p", class_="flash").get_text(strip=True)
    assert "given a new revision: 1" in flash
    with app.app_context():
        db = get_session()
        question = db.scalar(select(Question).where(Question.key == QUESTION))
        assert question.revision_number == 2
        assert question.current_revision.correct_keys == {"a"}
        assert db.scalar(select(Answer.correct)) is True


def test_admin_pages_need_no_inline_script_or_style(app, admin):
    """The strict Content-Security-Policy would block them, so every page must do without."""
    boss = db_value(app, select(User.id).where(User.username == "boss"))
    values = {"key": QUESTION, "user_id": boss}
    keys = {
        "edit_topic": "warning-signs",
        "delete_topic": "warning-signs",
        "edit_source": "seed-001-vietnamnews",
        "delete_source": "seed-001-vietnamnews",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        name = rule.endpoint.removeprefix("admin.")
        args = {a: keys.get(name, values[a]) for a in rule.arguments}
        urls.append(rule.build(args, append_unknown=False)[1])
    assert len(urls) >= 15
    for url in urls:
        response = admin.get(url)
        assert response.status_code == 200, url
        if response.mimetype != "text/html":
            continue
        soup = page(response)
        assert soup.find("style") is None, url
        assert not soup.find_all(attrs={"style": True}), url
        assert all(s.get("src", "").startswith("/static/") for s in soup.find_all("script")), url
        assert not any(a.startswith("on") for t in soup.find_all(True) for a in t.attrs), url
        for control in soup.find("main").find_all(["input", "select", "textarea"]):
            if control.get("type") in ("hidden", "submit"):
                continue
            labelled = soup.find("label", attrs={"for": control.get("id")})
            assert labelled is not None, (url, control.get("name"))
