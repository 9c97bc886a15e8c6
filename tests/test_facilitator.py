"""Facilitators' pages as they use them: create a workshop, run it with phones, read the results."""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from helpers import add_user, login, page, submit
from sqlalchemy import func, select

from tipquiz.db import get_session
from tipquiz.models import Answer, Attempt, Workshop

NEW = "/facilitator/workshops/new"


def facilitator(app, name: str = "lan", role: str = "facilitator"):
    add_user(app, name, role)
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, name).status_code == 302
    return client


def create(client, **fields) -> str:
    data = {
        "title": "Lớp 10A – Trường Chu Văn An",
        "language": "en",
        "topics": ["warning-signs", "online-risks"],
        "question_count": "4",
    }
    data.update(fields)
    response = submit(client, NEW, data, action=NEW)
    assert response.status_code == 302, page(response).find_all("p", class_="error")
    return response.location


def workshop_id(url: str) -> int:
    return int(re.search(r"/workshops/(\d+)", url).group(1))


def join_code(client, url: str) -> str:
    return page(client.get(url)).find("p", class_="join-code").get_text(strip=True)


def item_keys(app, phone, position: int, correct: bool | int) -> list[str]:
    """The right choices of this phone's question, or its n-th wrong one (``correct`` = n)."""
    with phone.session_transaction() as cookie:
        token = cookie["attempt"]
    with app.app_context():
        attempt = get_session().scalar(select(Attempt).where(Attempt.token == token))
        revision = attempt.items[position - 1].revision
        if correct is True:
            return sorted(revision.correct_keys)
        wrong = [c.key for c in revision.choices if not c.correct]
        return [wrong[min(int(correct), len(wrong) - 1)]]


def take_part(app, code: str, answers: list[bool | int] | None, questions: int = 4):
    """A phone joins by link and answers: True right, n the n-th wrong choice, None stops."""
    phone = app.test_client()
    phone.get("/lang/en")
    response = submit(phone, f"/j/{code}")
    assert response.status_code == 302 and response.location.endswith("/quiz/1")
    for position, how in enumerate((answers or [])[:questions], start=1):
        if how is None:
            break
        keys = item_keys(app, phone, position, how)
        assert submit(phone, f"/quiz/{position}", {"choice": keys}).status_code == 302
    return phone


@pytest.fixture
def running(app):
    """Lan's workshop of 4 questions: 3 phones all right, 2 on the first wrong answer, 1 idle."""
    lan = facilitator(app)
    url = create(lan)
    code = join_code(lan, url)
    for how in [True] * 3 + [0] * 2:
        take_part(app, code, [how] * 4)
    take_part(app, code, None)
    return lan, url, code


# Who may do what -------------------------------------------------------------------------------


def facilitator_urls(app, workshop: int) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("facilitator."):
            continue
        values = {"workshop_id": workshop, "slide": 2}
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        found += [(m, url) for m in sorted(rule.methods & {"GET", "POST"})]
    return found


def csrf_token(client, url: str = "/") -> str:
    return page(client.get(url)).find("input", attrs={"name": "csrf_token"})["value"]


def test_every_facilitator_route_refuses_anonymous_visitors_and_other_facilitators(app, running):
    _lan, url, _code = running
    workshop = workshop_id(url)
    routes = facilitator_urls(app, workshop)
    assert len(routes) >= 14
    anonymous = app.test_client()
    minh = facilitator(app, "minh")
    for method, target in routes:
        response = anonymous.open(target, method=method, data={"csrf_token": csrf_token(anonymous)})
        assert response.status_code == 302, (method, target)
        assert "/login" in response.location
        if "/workshops/" in target and not target.endswith("/new"):
            response = minh.open(target, method=method, data={"csrf_token": csrf_token(minh)})
            assert response.status_code == 404, (method, target, response.status_code)
    with app.app_context():
        stored = get_session().get(Workshop, workshop)
        assert stored.is_open and stored.current_round == "before", "nothing was changed"
    assert minh.get(f"/facilitator/workshops/{workshop + 100}/results").status_code == 404
    assert workshop_id(url) not in {
        workshop_id(a["href"])
        for a in page(minh.get("/facilitator/")).select("table.workshops a[href]")
    }


def test_admins_open_every_workshop_and_see_totals_over_every_attempt(app, running):
    _lan, url, code = running
    admin = facilitator(app, "boss", "admin")
    for method, target in facilitator_urls(app, workshop_id(url)):
        if method == "GET":
            assert admin.get(target).status_code == 200, target
    solo = app.test_client()
    submit(solo, "/", action="/start")
    soup = page(admin.get("/facilitator/"))
    rows = soup.find("table", class_="workshops").find("tbody").find_all("tr")
    assert [r.find("td", class_="code").get_text(strip=True) for r in rows] == [code]
    assert "lan" in rows[0].get_text()
    totals = soup.find("section", class_="totals")

    def figure(name: str) -> str:
        return totals.find("dd", attrs={"data-total": name}).get_text(strip=True)

    assert figure("joined") == "7"
    assert figure("in-workshops") == "6"
    assert figure("finished") == "5"
    assert figure("answers") == "20"
    assert figure("percent-correct") == "60%"
    assert totals.find("svg", class_="chart") is not None


# Creating a workshop ----------------------------------------------------------------------------


def test_create_a_workshop_and_get_its_code_link_and_qr(app):
    lan = facilitator(app)
    form = page(lan.get(NEW)).find("form", action=NEW)
    for name in ("title", "question_count"):
        field = form.find("input", attrs={"name": name})
        assert form.find("label", attrs={"for": field["id"]}) is not None
    boxes = form.find_all("input", attrs={"name": "topics"})
    assert len(boxes) == 6 and all(b.has_attr("checked") for b in boxes)
    assert {r["value"] for r in form.find_all("input", attrs={"name": "language"})} == {"vi", "en"}

    url = create(lan)
    soup = page(lan.get(url))
    assert soup.find("h1").get_text(strip=True) == "Lớp 10A – Trường Chu Văn An"
    code = soup.find("p", class_="join-code").get_text(strip=True)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)
    link = soup.find("a", class_="join-url")
    assert link["href"] == f"http://localhost/j/{code}"
    qr = soup.find("figure", class_="qr-figure").find("svg")
    assert qr["viewbox"].startswith("0 0 ") and qr.find("path")
    assert code in qr.find("title").get_text()
    assert len(soup.find("ol", class_="workshop-questions").find_all("li")) == 4

    response = lan.get(f"/facilitator/workshops/{workshop_id(url)}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    svg = ElementTree.fromstring(response.data)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.find(".//{http://www.w3.org/2000/svg}path") is not None

    handout = page(lan.get(f"/facilitator/workshops/{workshop_id(url)}/handout"))
    sheet = handout.find("article", class_="handout-sheet")
    assert sheet.find("p", class_="join-code").get_text(strip=True) == code
    assert sheet.find("svg", class_="qr") is not None
    assert f"/j/{code}" in sheet.get_text()
    assert handout.html["lang"] == "en"


def test_the_handout_is_in_the_workshop_language(app):
    lan = facilitator(app)
    url = create(lan, language="vi")
    assert page(lan.get(f"/facilitator/workshops/{workshop_id(url)}/handout")).html["lang"] == "vi"
    assert page(lan.get(url)).html["lang"] == "en", "the facilitator's own pages stay in theirs"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the workshop a title."),
        ({"title": "x" * 201}, "title", "Keep the title under 200 characters."),
        ({"topics": []}, "topics", "Choose at least one topic."),
        ({"topics": ["no-such-topic"]}, "topics", "Choose topics from the list."),
        ({"language": "fr"}, "language", "Choose Tiếng Việt or English."),
        ({"question_count": "3"}, "question_count", "Choose between 4 and 30 questions."),
        ({"question_count": "31"}, "question_count", "Choose between 4 and 30 questions."),
        (
            {"question_count": "ten"},
            "question_count",
            "Enter the number of questions as a whole number.",
        ),
        (
            {"topics": ["getting-help"], "question_count": "20"},
            "question_count",
            "The chosen topics have only 13 questions. Choose more topics or fewer questions.",
        ),
    ],
)
def test_bad_workshop_forms_get_a_message_and_create_nothing(app, fields, field, message):
    lan = facilitator(app)
    data = {"title": "Lớp 10A", "language": "en", "topics": ["getting-help"]}
    data["question_count"] = "4"
    data.update(fields)
    response = submit(lan, NEW, data, action=NEW)
    assert response.status_code == 422
    soup = page(response)
    assert soup.find("p", id=f"{field}-error").get_text(strip=True) == message
    assert soup.find("p", class_="flash-error") is not None
    with app.app_context():
        assert get_session().scalar(select(func.count(Workshop.id))) == 0


# Live results ------------------------------------------------------------------------------------


def counts_table(soup) -> dict[str, tuple[int, int, int]]:
    table = soup.find("table", class_="counts")
    return {
        row["data-round"]: tuple(
            int(row.find("td", attrs={"data-count": name}).get_text())
            for name in ("joined", "in-progress", "finished")
        )
        for row in table.find("tbody").find_all("tr")
    }


def question_types(app, code: str) -> dict[int, str]:
    """The type of each of a workshop's questions, by position."""
    with app.app_context():
        workshop = get_session().scalar(select(Workshop).where(Workshop.code == code))
        return {wq.position: wq.question.current_revision.type for wq in workshop.questions}


def test_results_show_counts_shares_and_the_wrong_answer_to_discuss(app, running):
    lan, url, code = running
    types = question_types(app, code)
    soup = page(lan.get(url + "/results"))
    assert counts_table(soup) == {"before": (6, 1, 5)}

    topics = soup.find("table", class_="topic-scores").find("tbody").find_all("tr")
    assert [r["data-topic"] for r in topics] == ["warning-signs", "online-risks"]
    for row in topics:
        assert row.find("td").get_text(" ", strip=True) == "60% (6/10)"
    topic_chart = soup.find("svg", id="chart-topics")
    assert [t.get_text() for t in topic_chart.find_all("text", class_="value")] == ["60%", "60%"]

    sections = soup.find_all("section", class_="question-result")
    assert len(sections) == 4
    for section in sections:
        figures = section.find("ul", class_="question-figures").get_text(" ", strip=True)
        assert figures == "5 answers, 60% correct"
        chart = section.find("svg", class_="chart")
        highlighted = chart.find_all("g", class_="most-chosen-wrong")
        assert len(highlighted) == 1
        # In a message question the wrong choice is an innocent phrase the room tapped.
        position = int(section["id"].removeprefix("question-"))
        label = (
            "▲ Innocent phrase tapped most"
            if types[position] == "message"
            else "▲ Most chosen wrong answer"
        )
        assert label in highlighted[0].get_text()
        assert highlighted[0].find("text", class_="value").get_text() == "40% (2)"
        for right in chart.find_all("g", class_="correct"):
            assert right.find("text", class_="value").get_text() == "60% (3)"
        table = section.find("table", class_="choice-shares")
        row = table.find("tr", class_="most-chosen-wrong")
        assert row["data-choice"] == highlighted[0]["data-key"]
        assert row.find("td").get_text(strip=True) == "40% (2)"
        assert {c["data-key"] for c in chart.find_all("g", class_="row")} == {
            r["data-choice"] for r in table.find("tbody").find_all("tr")
        }


def test_results_page_updates_itself_with_a_script_file_and_works_without_it(app, running):
    lan, url, _code = running
    soup = page(lan.get(url + "/results"))
    scripts = soup.find_all("script")
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", s["src"]) for s in scripts] == ["/static/dashboard.js"]
    assert all(not s.get_text(strip=True) for s in scripts)
    assert not soup.find_all(attrs={"style": True})
    assert soup.find("style") is None
    live = soup.find(attrs={"data-live-url": True})
    assert live["data-live-url"] == f"/facilitator/workshops/{workshop_id(url)}/results.json"
    refresh = soup.find("a", class_="refresh")
    assert refresh.get_text(strip=True) == "Refresh"
    assert refresh["href"] == url + "/results"
    fragments = {el["data-fragment"] for el in soup.find_all(attrs={"data-fragment": True})}
    assert {"counts", "topics", "topics-table", "q-1", "q-4-table"} <= fragments
    with lan.get("/static/dashboard.js") as script:
        assert script.status_code == 200
        assert b"data-live-url" in script.data
    assert page(lan.get(url)).find("script") is None, "only the live pages load the script"


def test_json_endpoint_gives_the_numbers_and_the_html_to_put_in_place(app, running):
    lan, url, code = running
    data = lan.get(url + "/results.json").get_json()
    assert data["workshop"]["code"] == code
    assert data["counts"]["before"] == {"joined": 6, "in_progress": 1, "finished": 5}
    assert data["counts"]["after"] == {"joined": 0, "in_progress": 0, "finished": 0}
    assert [t["scores"]["before"]["percent"] for t in data["topics"]] == [60, 60]
    for question in data["questions"]:
        assert question["scores"]["before"] == {"correct": 3, "answers": 5, "percent": 60}
        wrong = question["most_chosen_wrong"]["before"]
        picked = {c["key"]: c["percent"]["before"] for c in question["choices"]}
        assert picked[wrong] == 40
    soup = page(lan.get(url + "/results"))
    for name, html in data["fragments"].items():
        shown = soup.find(attrs={"data-fragment": name})
        sent = BeautifulSoup(html, "html.parser")
        assert list(sent.stripped_strings) == list(shown.stripped_strings), name
        assert [t.name for t in sent.find_all(True)] == [t.name for t in shown.find_all(True)]

    take_part(app, code, [True] * 4)
    again = lan.get(url + "/results.json", query_string={"part": ["counts", "nope"]}).get_json()
    assert list(again["fragments"]) == ["counts"]
    assert counts_table(BeautifulSoup(again["fragments"]["counts"], "html.parser")) == {
        "before": (7, 1, 6)
    }


def test_before_and_after_rounds_show_the_change(app, running):
    lan, url, code = running
    response = submit(lan, url, action=url + "/after-round")
    assert response.status_code == 302
    assert "after round has started" in page(lan.get(url)).find("p", class_="flash").get_text()
    for how in [True] * 4 + [1]:
        take_part(app, code, [how] * 4)
    soup = page(lan.get(url + "/results"))
    assert counts_table(soup) == {"before": (6, 1, 5), "after": (5, 0, 5)}
    for row in soup.find("table", class_="topic-scores").find("tbody").find_all("tr"):
        cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
        assert cells == ["60% (6/10)", "80% (8/10)", "+20 points"]
    for section in soup.find_all("section", class_="question-result"):
        change = section.find("li", attrs={"data-change": True}).get_text(" ", strip=True)
        assert change == "Change: +20 points"
        bars = section.find("g", class_="correct")
        assert [t.get_text() for t in bars.find_all("text", class_="round")] == ["Before", "After"]
    data = lan.get(url + "/results.json").get_json()
    assert [t["delta"] for t in data["topics"]] == [20, 20]
    assert {q["delta"] for q in data["questions"]} == {20}
    again = submit(lan, url, action=url + "/close")
    assert again.status_code == 302
    assert page(lan.get(url)).find("form", action=url + "/after-round") is None


def test_projector_view_shows_one_thing_at_a_time_in_big_type(app, running):
    lan, url, code = running
    first = page(lan.get(url + "/present"))
    assert "projector" in first.body["class"]
    assert first.find("p", class_="join-code").get_text(strip=True) == code
    assert first.find("svg", class_="qr") is not None
    assert counts_table(first) == {"before": (6, 1, 5)}
    assert first.find("a", rel="prev") is None
    assert first.find("span", class_="slide-number").get_text(strip=True) == "1 of 6"
    second = page(lan.get(first.find("a", rel="next")["href"]))
    assert second.find("svg", id="chart-topics") is not None
    third = page(lan.get(second.find("a", rel="next")["href"]))
    assert len(third.find_all("svg", class_="chart")) == 1
    assert third.find("g", class_="most-chosen-wrong") is not None
    assert third.find(attrs={"data-live-url": True})["data-live-url"].endswith(
        "results.json?present=1&part=q-1"
    )
    last = page(lan.get(url + "/present/6"))
    assert last.find("a", rel="next") is None
    assert lan.get(url + "/present/7").status_code == 404
    assert lan.get(url + "/present/0").status_code == 404


# Exports ----------------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_exports_hold_the_numbers_and_no_one_s_identity(app, running):
    lan, url, _code = running
    answers = read_csv(lan.get(url + "/answers.csv"))
    assert list(answers[0])[:4] == ["Workshop", "Date", "Participant", "Round"]
    assert len(answers) == 5 * 4
    assert sorted({int(a["Participant"]) for a in answers}) == [1, 2, 3, 4, 5]
    assert [
        sum(a["Answered correctly"] == "Yes" for a in answers if a["Participant"] == str(n))
        for n in range(1, 6)
    ] == [4, 4, 4, 0, 0]
    with app.app_context():
        asked = get_session().get(Workshop, workshop_id(url)).questions
        prompts = {q.question.prompt["en"] for q in asked}
    assert {a["Question"] for a in answers} == prompts

    summary = read_csv(lan.get(url + "/questions.csv"))
    assert {row["Question"] for row in summary} == prompts
    for row in summary:
        assert (
            row["Round"],
            row["Answers"],
            row["Correct answers"],
            row["Share correct (%)"],
        ) == ("Before", "5", "3", "60")
    assert sum(row["Most chosen wrong answer"] == "Yes" for row in summary) == 4


def test_a_closed_workshop_refuses_new_joins_and_new_answers(app):
    lan = facilitator(app)
    url = create(lan)
    code = join_code(lan, url)
    midway = take_part(app, code, [True, None])
    response = submit(lan, url, action=url + "/close")
    assert response.status_code == 302
    soup = page(lan.get(url))
    assert soup.find("strong", class_="status").get_text(strip=True) == "Closed"

    newcomer = app.test_client()
    assert newcomer.get(f"/j/{code}").status_code == 410
    response = newcomer.post(f"/j/{code}", data={"csrf_token": csrf_token(newcomer)})
    assert response.location.endswith(f"/j/{code}")
    assert page(midway.get("/quiz/2")).find("form", class_="question") is None
    late = {"csrf_token": csrf_token(midway), "choice": item_keys(app, midway, 2, True)}
    refused = midway.post("/quiz/2", data=late)
    assert refused.status_code == 303
    assert refused.location.endswith("/quiz/2")
    with app.app_context():
        db = get_session()
        assert db.scalar(select(func.count(Attempt.id))) == 1
        assert db.scalar(select(func.count(Answer.id))) == 1

    submit(lan, url, action=url + "/reopen")
    assert submit(midway, "/quiz/2", {"choice": item_keys(app, midway, 2, True)}).status_code == 302
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 2


def test_facilitator_buttons_need_the_form_token(app, running):
    lan, url, _code = running
    assert lan.post(url + "/close").status_code == 400
    with app.app_context():
        assert get_session().get(Workshop, workshop_id(url)).is_open
