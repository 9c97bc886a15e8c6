"""A phone on a slow network: compressed pages, a stylesheet cached for a year, one round trip
per quiz step with the script, the same safety without it."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from helpers import add_user, login, page
from playwright.sync_api import expect
from sqlalchemy import func, select
from test_participant import correct_keys, start_quiz

from tipquiz.assets import hashed_name
from tipquiz.db import get_session
from tipquiz.models import Answer, Attempt

ROOT = Path(__file__).resolve().parent.parent
SWAP = {"X-Swap": "1"}


def test_pages_are_compressed_for_browsers_that_ask(client):
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    html = plain.get_data()

    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert len(zipped.data) < len(html) * 0.6
    unzipped = gzip.decompress(zipped.data)
    assert page_title(unzipped) == page_title(html)

    smaller = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert smaller.headers["Content-Encoding"] == "br"
    assert page_title(brotli.decompress(smaller.data)) == page_title(html)


def page_title(body: bytes) -> str:
    return re.search(rb"<title>(.*?)</title>", body, re.S).group(1).decode()


def stylesheet_url(client) -> str:
    return page(client.get("/")).find("link", rel="stylesheet")["href"]


def test_static_files_have_hashed_names_cached_for_a_year(client):
    url = stylesheet_url(client)
    content = (ROOT / "static" / "site.css").read_bytes()
    assert re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", url)
    assert url == "/static/" + hashed_name("site.css", content)

    client.get("/lang/en")  # a session cookie, as every participant has
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", ""), "a new cookie must not refetch it"

    old = client.get("/static/site.css")
    assert old.status_code == 200 and old.data == content, "links made before still work"
    assert "immutable" not in old.headers.get("Cache-Control", "")
    old.close()
    assert client.get("/static/site.000000000000.css").status_code == 404

    script = page(client.get("/")).find("script")["src"]
    assert re.fullmatch(r"/static/quiz\.[0-9a-f]{12}\.js", script)
    assert client.get(script).headers["Cache-Control"].endswith("immutable")


def test_a_changed_file_gets_a_new_name():
    first = hashed_name("site.css", b"body { color: black }")
    assert first != hashed_name("site.css", b"body { color: navy }")
    assert first == hashed_name("site.css", b"body { color: black }")
    assert hashed_name("img/logo.svg", b"x").startswith("img/logo.")
    assert hashed_name("LICENSE", b"x").startswith("LICENSE.")


def test_quiz_pages_are_never_shared_but_may_use_the_back_forward_cache(app, client):
    start_quiz(client)
    response = client.get("/quiz/1")
    assert response.headers["Cache-Control"] == "private, no-cache"
    add_user(app, "lan")
    staff = app.test_client()
    login(staff, "lan")
    assert staff.get("/facilitator/").headers["Cache-Control"] == "no-store"


def csrf(client, url: str) -> str:
    return page(client.get(url)).find("input", attrs={"name": "csrf_token"})["value"]


def test_the_script_gets_each_step_in_one_response(app, client):
    client.get("/lang/en")
    token = csrf(client, "/")
    started = client.post("/start", data={"csrf_token": token}, headers=SWAP)
    assert started.status_code == 200, "the question itself, not a redirect"
    assert started.headers["X-Swap-Location"] == "/quiz/1"
    soup = page(started)
    assert soup.find("form", class_="question")["action"] == "/quiz/1"
    assert soup.find("p", class_="progress-label").get_text().startswith("Question 1 of 12")

    right = correct_keys(app, 1)
    answered = client.post("/quiz/1", data={"csrf_token": token, "choice": right}, headers=SWAP)
    assert answered.status_code == 200
    assert answered.headers["X-Swap-Location"] == "/quiz/1#feedback"
    assert answered.headers["X-Swap-Next"] == "/quiz/2"
    feedback, following = answered.get_data(as_text=True).split("<!--swap-next-->")
    assert page_of(feedback).find("h1", id="feedback-title").get_text(strip=True) == "Correct!"
    assert page_of(following).find("form", class_="question")["action"] == "/quiz/2"

    # A double tap, or the script retrying without itself: still one answer.
    again = client.post("/quiz/1", data={"csrf_token": token, "choice": right}, headers=SWAP)
    assert again.status_code == 200
    assert client.post("/quiz/1", data={"csrf_token": token, "choice": right}).status_code == 302
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 1

    # A refused answer (here a choice the question does not have: refused whatever its type)
    # goes back to its page by GET, so history never holds the POST; the script follows the
    # redirect and shows the page with its message.
    empty = client.post("/quiz/2", data={"csrf_token": token, "choice": "nope"}, headers=SWAP)
    assert empty.status_code == 303 and "error=choose" in empty.location
    assert "X-Swap-Location" not in empty.headers
    assert page(client.get(empty.location)).find("p", id="answer-error") is not None


def page_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_the_last_answer_comes_with_the_results(app, client):
    start_quiz(client)
    token = csrf(client, "/quiz/1")
    for position in range(1, 13):
        keys = correct_keys(app, position)
        response = client.post(
            f"/quiz/{position}", data={"csrf_token": token, "choice": keys}, headers=SWAP
        )
        assert response.status_code == 200
    assert response.headers["X-Swap-Next"] == "/quiz/results"
    results = response.get_data(as_text=True).split("<!--swap-next-->")[1]
    assert page_of(results).find("a", href="tel:111") is not None
    with app.app_context():
        attempt = get_session().scalar(select(Attempt))
        assert attempt.finished_at is not None


def test_joining_a_workshop_with_the_script_lands_on_its_first_question(app):
    from test_facilitator import create, facilitator, join_code

    lan = facilitator(app)
    code = join_code(lan, create(lan))
    phone = app.test_client()
    token = csrf(phone, f"/j/{code}")
    response = phone.post(f"/j/{code}", data={"csrf_token": token}, headers=SWAP)
    assert response.status_code == 200
    assert response.headers["X-Swap-Location"] == "/quiz/1"
    assert page(response).find("form", class_="question") is not None


def test_forms_say_sending_and_the_language_switch_after_start_lands_in_the_quiz(client):
    client.get("/lang/vi")
    form = page(client.get("/")).find("form", action="/start")
    assert form.has_attr("data-swap") and form["data-sending"] == "Đang gửi…"
    assert client.get("/start").location.endswith("/")
    start_quiz(client, "vi")
    assert client.get("/start").location.endswith("/quiz")
    question = page(client.get("/quiz/1"))
    assert question.find("form", class_="question")["data-sending"] == "Đang gửi…"
    assert all(s.get("src") for s in question.find_all("script")), "no inline script"


# In a browser --------------------------------------------------------------------------------


HOLD_FETCH = """() => {
  const send = window.realFetch || window.fetch;
  window.realFetch = send;
  window.sent = 0;
  window.fetch = (...args) => {
    window.sent += 1;
    return new Promise((resolve) => { window.release = () => resolve(send(...args)); });
  };
}"""


@pytest.mark.browser
def test_a_tapped_button_says_sending_once_and_the_page_is_safe_to_reload(app, browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    tab = context.new_page()
    tab.goto(server + "/")
    tab.evaluate(HOLD_FETCH)
    button = tab.locator("form.start button")
    button.click()
    expect(button).to_have_text("Sending…")
    expect(button).to_be_disabled()
    button.dispatch_event("click")
    tab.locator("form.start").evaluate("f => f.requestSubmit()")
    assert tab.evaluate("window.sent") == 1, "a second tap sends nothing"
    tab.evaluate("window.release()")
    expect(tab.locator("form.question")).to_be_visible()
    assert tab.url == server + "/quiz/1"

    tab.evaluate(HOLD_FETCH)
    tab.locator("ul.choices label, .message label.phrase").first.click()
    submit_button = tab.locator("form.question button[type=submit]")
    submit_button.click()
    expect(submit_button).to_have_text("Sending…")
    tab.evaluate("window.release()")
    expect(tab.locator("#feedback")).to_be_visible()
    assert tab.url == server + "/quiz/1#feedback"

    # The next question was in the same response: no request at all.
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.locator("#feedback a.button-primary").click()
    expect(tab.locator("form.question")).to_be_visible()
    assert tab.url == server + "/quiz/2"
    assert [url for url in requests if "/quiz/" in url] == []

    tab.reload()
    expect(tab.locator("form.question")).to_be_visible()
    tab.go_back()
    expect(tab.locator("#feedback")).to_be_visible()
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 1
    context.close()


@pytest.mark.browser
def test_without_javascript_the_quiz_still_posts_and_redirects(app, browser, server):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    tab = context.new_page()
    tab.goto(server + "/")
    tab.locator("form.start button").click()
    expect(tab.locator("form.question")).to_be_visible()
    tab.locator("ul.choices label, .message label.phrase").first.click()
    tab.locator("form.question button[type=submit]").click()
    expect(tab.locator("#feedback")).to_be_visible()
    assert tab.url.endswith("/quiz/1#feedback")
    context.close()
