"""The end of a quiz on a phone: the review, the workshop's next step, and what to keep."""

from __future__ import annotations

import gzip
import re
import struct
from pathlib import Path

from helpers import add_user, page, submit
from sqlalchemy import func, select

from tipquiz import workshops
from tipquiz.db import get_session
from tipquiz.models import (
    Answer,
    Attempt,
    AttemptQuestion,
    QuestionRevision,
    Topic,
    User,
    Workshop,
)
from tipquiz.review import ReviewedQuestion, missed_first
from tipquiz.vcard import HOTLINE_NAMES, fold, hotline_vcard

ROOT = Path(__file__).resolve().parent.parent


def newest_items(app) -> list[tuple[int, list[str], list[str]]]:
    """(position, right keys, one wrong key) for every question of the newest attempt."""
    with app.app_context():
        db = get_session()
        attempt = db.scalar(select(Attempt).order_by(Attempt.id.desc()))
        items = db.scalars(
            select(AttemptQuestion)
            .where(AttemptQuestion.attempt_id == attempt.id)
            .order_by(AttemptQuestion.position)
        )
        return [
            (
                i.position,
                sorted(i.revision.correct_keys),
                # Where every choice is right, one alone is a wrong answer.
                [
                    next(
                        (c.key for c in i.revision.choices if not c.correct),
                        i.revision.choices[0].key,
                    )
                ],
            )
            for i in items
        ]


def take_quiz(app, client, miss: set[int], start: str = "/", action: str = "/start") -> None:
    """Answer every question, wrongly at the positions in ``miss``."""
    assert submit(client, start, action=action).status_code == 302
    for position, right, wrong in newest_items(app):
        keys = wrong if position in miss else right
        assert submit(client, f"/quiz/{position}", {"choice": keys}).status_code == 302


def test_results_review_every_question_missed_first_and_folded(app, client):
    client.get("/lang/en")
    take_quiz(app, client, miss={2, 5})
    soup = page(client.get("/quiz/results"))
    review = soup.find("section", class_="review")
    items = review.find_all("details", class_="review-item")
    assert len(items) == app.config["QUESTIONS_PER_QUIZ"]
    verdicts = [i.summary.find(class_="review-verdict").get_text(strip=True) for i in items]
    assert verdicts[:2] == ["Missed", "Missed"]
    assert set(verdicts[2:]) == {"Got it"}
    assert not any(i.has_attr("open") for i in items), "folded so the page stays short"
    missed = items[0]
    assert missed.find("li", class_="picked").find(class_="tag-picked")
    assert not {"right"} & set(missed.find("li", class_="picked")["class"])
    assert missed.find("li", class_="right").find(class_="tag-right")
    assert "Why" in missed.find("p", class_="review-why").get_text()
    assert "You missed 2 questions" in review.get_text()


def test_missed_first_keeps_the_order_asked_within_each_group():
    def q(position: int, correct: bool) -> ReviewedQuestion:
        return ReviewedQuestion(position, "t", None, {"en": "p"}, {"en": "e"}, correct, ())

    ordered = missed_first([q(1, True), q(2, False), q(3, True), q(4, False)])
    assert [x.position for x in ordered] == [2, 4, 1, 3]


def test_results_on_their_own_offer_a_new_quiz_and_something_to_keep(app, client):
    client.get("/lang/en")
    take_quiz(app, client, miss=set())
    soup = page(client.get("/quiz/results"))
    assert soup.find("form", action="/start")
    assert soup.find("section", class_="workshop-next") is None
    keep = soup.find("section", class_="keep")
    save = keep.find("a", href="/111.vcf")
    assert save.has_attr("download")
    link = keep.find("input", id="share-link")
    assert link["value"] == "http://localhost/share/en"
    assert soup.find("label", attrs={"for": "share-link"})
    facebook = keep.find("a", href=lambda h: h and "facebook.com/sharer" in h)
    assert "http%3A//localhost/share/en" in facebook["href"]
    assert "results" not in keep.decode()
    assert "You answered every question right" in soup.find("section", class_="review").text


def make_workshop(app, locale: str = "en") -> tuple[int, str]:
    owner_id = add_user(app, "lan", "facilitator")
    with app.app_context():
        db = get_session()
        workshop = workshops.create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Youth club",
            locale=locale,
            topic_keys=["warning-signs", "getting-help"],
            question_count=4,
        )
        return workshop.id, workshop.code


def set_workshop(app, workshop_id: int, action) -> None:
    with app.app_context():
        db = get_session()
        action(db, db.get(Workshop, workshop_id))


def test_workshop_results_are_its_finish_screen_and_join_the_after_round(app):
    workshop_id, code = make_workshop(app)
    phone = app.test_client()
    take_quiz(app, phone, miss={1}, start=f"/j/{code}", action=f"/j/{code}")
    soup = page(phone.get("/quiz/results"))
    assert soup.find("form", action="/start") is None, "no way out of the workshop by mistake"
    finish = soup.find("section", class_="workshop-next")
    assert finish.find("h2").get_text(strip=True) == "Youth club"
    waiting = finish.find("div", id="after-round")
    assert waiting.has_attr("hidden")
    assert phone.get("/quiz/results/after-round").get_json() == {"open": False}

    set_workshop(app, workshop_id, workshops.start_after_round)
    status = phone.get("/quiz/results/after-round")
    assert status.get_json() == {"open": True}
    assert status.headers["Cache-Control"] == "no-store"
    soup = page(phone.get("/quiz/results"))
    shown = soup.find("div", id="after-round")
    assert not shown.has_attr("hidden"), "a reload shows the way on without JavaScript"
    assert shown.find("form", action=f"/j/{code}").find("button")

    response = submit(phone, "/quiz/results", action=f"/j/{code}")
    assert response.location.endswith("/quiz/1")
    with app.app_context():
        db = get_session()
        rounds = db.scalars(select(Attempt.round).order_by(Attempt.id)).all()
        assert rounds == ["before", "after"]
    take_quiz_rest(app, phone)
    soup = page(phone.get("/quiz/results"))
    finish = soup.find("section", class_="workshop-next")
    assert "before and after" in finish.get_text()
    assert finish.find("div", id="after-round") is None
    assert phone.get("/quiz/results/after-round").get_json() == {"open": False}


def take_quiz_rest(app, client) -> None:
    for position, right, _wrong in newest_items(app):
        assert submit(client, f"/quiz/{position}", {"choice": right}).status_code == 302


def test_after_round_status_needs_a_quiz_in_this_browser(client):
    assert client.get("/quiz/results/after-round").status_code == 404


def test_a_closed_workshop_shows_a_way_on_instead_of_choices(app):
    workshop_id, code = make_workshop(app)
    phone = app.test_client()
    phone.get("/lang/en")
    assert submit(phone, f"/j/{code}", action=f"/j/{code}").status_code == 302
    (_p, right, _w), *_rest = newest_items(app)
    assert submit(phone, "/quiz/1", {"choice": right}).status_code == 302
    set_workshop(app, workshop_id, workshops.close_workshop)

    soup = page(phone.get("/quiz/2"))
    assert soup.find("input", attrs={"name": "choice"}) is None, "nothing left to tick"
    assert soup.find("h1").get_text(strip=True) == "This workshop is closed"
    assert soup.find("a", href="/quiz/results")
    assert soup.find("a", href="/")
    late = phone.post("/quiz/2", data={"csrf_token": "x"})
    assert late.status_code in (303, 400)

    results = phone.get("/quiz/results")
    assert results.status_code == 200
    soup = page(results)
    assert soup.find("h1").get_text(strip=True) == "Your results so far"
    assert "1 of 1 correct" in soup.find("p", class_="score-total").get_text()
    assert "The workshop is over" in soup.find("section", class_="workshop-next").get_text()
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 1


def test_a_late_answer_to_a_closed_workshop_goes_back_to_the_page(app):
    workshop_id, code = make_workshop(app)
    phone = app.test_client()
    assert submit(phone, f"/j/{code}", action=f"/j/{code}").status_code == 302
    (_p, right, _w), *_rest = newest_items(app)
    form = page(phone.get("/quiz/1")).find("form", class_="question")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    set_workshop(app, workshop_id, workshops.close_workshop)
    response = phone.post("/quiz/1", data={"csrf_token": token, "choice": right})
    assert response.status_code == 303
    assert response.location.endswith("/quiz/1")
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 0


def test_the_question_is_the_page_heading_and_select_all_is_said_once(app, client):
    client.get("/lang/en")
    assert submit(client, "/", action="/start").status_code == 302
    with app.app_context():
        db = get_session()
        multiple = db.scalar(
            select(QuestionRevision)
            .where(QuestionRevision.type == "multiple")
            .order_by(QuestionRevision.id)
        )
        item = db.scalar(select(AttemptQuestion).where(AttemptQuestion.position == 1))
        item.revision_id = multiple.id
        item.choice_order = [c.key for c in multiple.choices]
        db.commit()
    soup = page(client.get("/quiz/1"))
    headings = soup.find_all("h1")
    assert len(headings) == 1
    assert headings[0].find_parent("legend") is not None
    assert soup.find_all("input", type="checkbox")
    text = soup.find("form", class_="question").get_text()
    assert text.count("Select all that apply") == 1


def test_the_bank_refuses_a_prompt_that_repeats_select_all(bank):
    from tipquiz.bank import repeats_select_all

    assert repeats_select_all({"en": "Which are true? Select all that apply.", "vi": "?"})
    assert repeats_select_all({"en": "?", "vi": "Đúng? Chọn tất cả các đáp án đúng."})
    assert not any(repeats_select_all(q.prompt) for topic in bank.topics for q in topic.questions)


def test_listen_is_added_by_the_script_only(app, client):
    client.get("/lang/vi")
    assert submit(client, "/", action="/start").status_code == 302
    soup = page(client.get("/quiz/1"))
    form = soup.find("form", class_="question")
    assert form["data-listen"] == "Nghe"
    assert soup.find("button", class_="listen") is None, "no button without JavaScript"
    # Served under its content-hashed name.
    assert soup.find("script", src=re.compile(r"^/static/participant\.[0-9a-f]+\.js$"))
    script = (ROOT / "static" / "participant.js").read_text()
    assert "speechSynthesis" in script and "vi-VN" in script


def test_save_111_downloads_a_contact_card_with_both_names(client):
    client.get("/lang/vi")
    response = client.get("/111.vcf")
    assert response.status_code == 200
    assert response.mimetype == "text/vcard"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    assert body.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert body.endswith("END:VCARD\r\n")
    assert "TEL;TYPE=VOICE:111\r\n" in unfolded
    assert "FN:Tổng đài 111 – Phòng\\, chống mua bán người\r\n" in unfolded
    assert "NICKNAME:Hotline 111 – Anti-trafficking\r\n" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    client.get("/lang/en")
    english = client.get("/111.vcf").get_data(as_text=True).replace("\r\n ", "")
    assert "FN:Hotline 111 – Anti-trafficking\r\n" in english


def test_vcard_lines_fold_between_characters():
    line = "NOTE:" + "mua bán người " * 20
    folded = fold(line)
    pieces = folded.split("\r\n ")
    assert "".join(pieces) == line
    assert all(len(p.encode()) <= 75 for p in pieces)
    card = hotline_vcard("en", "a, b; c\\d\nnext")
    assert "NOTE:a\\, b\\; c\\\\d\\nnext" in card.replace("\r\n ", "")
    assert set(HOTLINE_NAMES) == {"vi", "en"}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_share_page_previews_as_a_card_without_any_score(app, client):
    for locale, og_locale in (("vi", "vi_VN"), ("en", "en_US")):
        response = client.get(f"/share/{locale}")
        assert response.status_code == 200
        soup = page(response)
        assert soup.html["lang"] == locale

        def og(name: str, soup=soup) -> str:
            return soup.find("meta", property=f"og:{name}")["content"]

        assert og("locale") == og_locale
        assert og("url") == f"http://localhost/share/{locale}"
        assert og("title") and og("description")
        assert "111" in og("description")
        image = og("image")
        assert image.startswith("http://localhost/static/share/share-")
        path = image.removeprefix("http://localhost")
        with client.get(path) as png:
            assert png.status_code == 200
            assert png.mimetype == "image/png"
        static_file = ROOT / "static" / "share" / f"share-{locale}.png"
        assert png_size(static_file) == (1200, 630)
        assert (og("image:width"), og("image:height")) == ("1200", "630")
        assert soup.find("img", class_="share-card")["alt"]
        assert soup.find("a", href="/", class_="button")
        assert soup.find("a", href="tel:111")
        assert "%" not in soup.find("main").get_text(), "never a score"
    assert client.get("/share/fr").status_code == 404


def test_the_share_page_follows_a_language_the_reader_chose(client):
    client.get("/lang/en")
    response = client.get("/share/vi")
    assert response.status_code == 302
    assert response.location.endswith("/share/en")
    assert page(client.get("/share/en")).html["lang"] == "en"


def test_links_tapped_alone_are_marked_as_tap_targets(app, client):
    client.get("/lang/vi")
    take_quiz(app, client, miss={1})
    soup = page(client.get("/quiz/results"))
    for href in ("tel:113", "tel:+84981848484", "/sources"):
        assert "tap" in soup.find("main").find("a", href=href)["class"], href
    learn = soup.find("article", class_="topic-score").find("a", href=lambda h: "/learn/" in h)
    assert "tap" in learn["class"]
    home = page(client.get("/"))
    assert "tap" in home.find("a", href="/quiz/results")["class"]


def weight(client, response) -> int:
    """Bytes on the wire for the page and its stylesheets, both gzip-compressed."""
    css = b""
    for link in page(response).find_all("link", rel="stylesheet"):
        with client.get(link["href"]) as sheet:
            css += sheet.get_data()
    return len(gzip.compress(response.get_data())) + len(gzip.compress(css))


def test_a_long_workshop_review_continues_on_a_second_page_within_budget(app):
    owner_id = add_user(app, "lan", "facilitator")
    with app.app_context():
        db = get_session()
        code = workshops.create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Cả ngày",
            locale="vi",
            topic_keys=[t.key for t in db.scalars(select(Topic))],
            question_count=workshops.MAX_QUESTIONS,
        ).code
    phone = app.test_client()
    phone.get("/lang/vi")
    assert phone.get("/quiz/results/review").status_code == 404
    take_quiz(app, phone, miss=set(range(1, 31, 3)), start=f"/j/{code}", action=f"/j/{code}")
    results = phone.get("/quiz/results")
    soup = page(results)
    first = soup.find("section", class_="review").find_all("details", class_="review-item")
    assert len(first) == 8
    more = soup.find("a", href="/quiz/results/review")
    assert "22" in more.get_text()
    rest_page = phone.get("/quiz/results/review")
    rest = page(rest_page).find_all("details", class_="review-item")
    assert len(rest) == 22
    verdicts = [("is-wrong" in d["class"]) for d in first + rest]
    assert verdicts == sorted(verdicts, reverse=True), "missed first, across both pages"
    assert sum(verdicts) == 10
    assert weight(phone, results) < 15 * 1024
    assert weight(phone, rest_page) < 15 * 1024


def test_a_short_quiz_has_no_second_review_page(app, client):
    take_quiz(app, client, miss={3})
    assert page(client.get("/quiz/results")).find("a", href="/quiz/results/review") is None
    response = client.get("/quiz/results/review")
    assert response.status_code == 302
    assert response.location.endswith("/quiz/results")


def test_the_share_card_says_where_to_call_in_each_language(app):
    from flask import render_template
    from flask_babel import force_locale

    for locale, words in (("vi", "Tổng đài phòng, chống mua bán người"), ("en", "Hotline")):
        with app.test_request_context("/"), force_locale(locale):
            card = page_of(render_template("share/card.html", locale=locale))
        assert card.html["lang"] == locale
        assert card.find(class_="number").get_text() == "111"
        assert words in card.get_text()
        assert card.find("style") is None and card.find(style=True) is None


def page_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")
