"""A facilitator-led room through its pages: facilitator, projector, remote and phones."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from helpers import add_user, login, page, submit
from sqlalchemy import func, select

from tipquiz.db import get_session
from tipquiz.models import Answer, Attempt, Workshop, utcnow

NEW = "/facilitator/workshops/new"


def facilitator(app, name="lan"):
    add_user(app, name)
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, name).status_code == 302
    return client


def create_led(client, **fields) -> int:
    data = {
        "title": "Lớp 10A",
        "language": "vi",
        "topics": ["warning-signs", "getting-help"],
        "question_count": "4",
        "mode": "led",
        "time_limit": "0",
    }
    data.update(fields)
    response = submit(client, NEW, data, action=NEW)
    assert response.status_code == 302, page(response).find_all("p", class_="error")
    return int(re.search(r"/workshops/(\d+)", response.location).group(1))


def code_of(app, workshop_id) -> str:
    with app.app_context():
        return get_session().get(Workshop, workshop_id).code


def join(app, code):
    phone = app.test_client()
    response = submit(phone, f"/j/{code}")
    assert response.status_code == 302
    assert response.location.endswith(f"/follow/{code}")
    return phone


def take_step(client, workshop_id, action=None, back="projector"):
    """Press the step button on the projector (or remote) as the facilitator would."""
    url = f"/lead/{workshop_id}" + ("/remote" if back == "remote" else "")
    soup = page(client.get(url))
    forms = soup.find_all("form", class_="step-form")
    if action is None:
        form = soup.find("form", attrs={"data-next-step": True})
    else:
        form = next(
            f for f in forms if f.find("input", attrs={"name": "action"})["value"] == action
        )
    fields = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    return client.post(form["action"], data=fields), fields


def room(phone, code):
    response = phone.get(f"/follow/{code}")
    assert response.status_code == 200
    return page(response)


def test_a_led_room_goes_from_lobby_to_question_reveal_next_and_end(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    code = code_of(app, workshop_id)
    phone, other = join(app, code), join(app, code)

    lobby = room(phone, code)
    assert lobby.find("section", class_="room-wait").find(attrs={"role": "status"}) is not None
    assert lobby.find("a", string=re.compile("Continue|Tiếp tục"))["href"] == f"/follow/{code}"
    assert lobby.find("form", class_="question") is None
    projector = page(lan.get(f"/lead/{workshop_id}"))
    assert projector.find("header", class_="site-header") is None
    assert projector.find(attrs={"data-live-joined": True}).get_text() == "2"
    assert projector.find("figure", class_="qr-figure").find("svg") is not None

    response, _ = take_step(lan, workshop_id)
    assert response.status_code == 302
    asked = room(phone, code)
    form = asked.find("form", class_="question")
    assert form["action"] == f"/follow/{code}/answer/1"
    letters = [s.get_text() for s in form.find_all("span", class_="letter")]
    assert letters[:2] == ["A", "B"]
    values = [i["value"] for i in form.find_all("input", attrs={"name": "choice"})]
    other_values = [
        i["value"] for i in room(other, code).find_all("input", attrs={"name": "choice"})
    ]
    assert values == other_values, "every phone shows the same choice order"
    projected = page(lan.get(f"/lead/{workshop_id}"))
    projected_text = [li.get_text(" ", strip=True) for li in projected.select("ol.room-choices li")]
    labels = [
        form.find("label", attrs={"for": f"choice-{v}"}).get_text(" ", strip=True) for v in values
    ]
    assert projected_text == labels, "the projector's B is the phones' B"

    response = submit(phone, f"/follow/{code}", {"choice": values[0]}, action=form["action"])
    assert response.status_code == 302
    waiting = room(phone, code)
    assert waiting.find("form", class_="question") is None
    assert waiting.find("h1", class_="room-status") is not None
    assert (
        page(lan.get(f"/lead/{workshop_id}")).find(attrs={"data-live-answered": True}).get_text()
        == "1"
    )

    take_step(lan, workshop_id)  # Reveal
    revealed = room(phone, code)
    feedback = revealed.find("section", id="feedback")
    assert feedback.find("li", class_="right") is not None
    assert feedback.find("div", class_="explanation") is not None
    missed = room(other, code).find("section", id="feedback")
    assert missed.find("h1").get_text(strip=True) != feedback.find("h1").get_text(strip=True)
    chart = page(lan.get(f"/lead/{workshop_id}")).find("svg", id="chart-reveal")
    assert chart.find("g", class_="correct") is not None

    take_step(lan, workshop_id)  # Next
    assert room(phone, code).find("form", class_="question")["action"].endswith("/answer/2")
    take_step(lan, workshop_id, action="end")
    results = room(phone, code)
    assert results.find("section", class_="get-help") is not None
    assert results.find("article", class_="topic-score") is not None
    ended = page(lan.get(f"/lead/{workshop_id}"))
    assert ended.find("svg", id="chart-topics") is not None
    assert ended.find("form", attrs={"data-next-step": True}) is None
    with app.app_context():
        db = get_session()
        assert db.scalar(select(func.count(Answer.id))) == 1
        assert db.scalar(select(func.count(Attempt.id)).where(Attempt.finished_at.is_(None))) == 0


def test_a_double_click_moves_the_room_once_and_says_so(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    take_step(lan, workshop_id)  # Start
    response, fields = take_step(lan, workshop_id)  # Reveal
    again = lan.post(f"/lead/{workshop_id}/step", data=fields)
    assert again.status_code == 302
    with app.app_context():
        workshop = get_session().get(Workshop, workshop_id)
        assert (workshop.phase, workshop.live_position) == ("reveal", 1)
    flash = page(lan.get(f"/lead/{workshop_id}")).find(class_="screen-flash")
    assert "already moved on" in flash.get_text()


def test_the_remote_drives_the_same_room(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    response, _ = take_step(lan, workshop_id, back="remote")
    assert response.location.endswith(f"/lead/{workshop_id}/remote")
    remote = page(lan.get(f"/lead/{workshop_id}/remote"))
    assert remote.find(class_="remote-state").get_text(strip=True).startswith("Question 1 of 4")
    assert remote.find("form", attrs={"data-next-step": True}).find("button").get_text(
        strip=True
    ) == ("Reveal")


def test_a_late_answer_is_refused_with_a_message_and_not_stored(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    code = code_of(app, workshop_id)
    phone = join(app, code)
    take_step(lan, workshop_id)
    asked = room(phone, code)
    form = asked.find("form", class_="question")
    choice = form.find("input", attrs={"name": "choice"})["value"]
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    take_step(lan, workshop_id)  # Reveal while the phone still shows the question
    late = phone.post(form["action"], data={"csrf_token": token, "choice": choice})
    assert late.status_code == 409
    message = page(late).find("p", class_="error", role="alert").get_text()
    assert "đã đóng" in message, "a clear message, in the phone's language"
    ahead = phone.post(f"/follow/{code}/answer/3", data={"csrf_token": token, "choice": choice})
    assert ahead.status_code == 409
    assert phone.get("/quiz/2").location.endswith(f"/follow/{code}"), "no answering ahead"
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 0


def test_a_late_joiner_and_a_reload_land_on_the_current_question(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    code = code_of(app, workshop_id)
    early = join(app, code)
    take_step(lan, workshop_id)
    take_step(lan, workshop_id)
    take_step(lan, workshop_id)  # question 2 open
    late = join(app, code)
    assert room(late, code).find("form", class_="question")["action"].endswith("/answer/2")
    form = room(early, code).find("form", class_="question")
    choice = form.find("input", attrs={"name": "choice"})["value"]
    submit(early, f"/follow/{code}", {"choice": choice}, action=form["action"])
    # Scanning the QR code again, or reopening the link, keeps the same attempt and answer.
    again = early.get(f"/j/{code}")
    assert again.location.endswith(f"/follow/{code}")
    assert room(early, code).find("h1", class_="room-status") is not None
    with app.app_context():
        assert get_session().scalar(select(func.count(Attempt.id))) == 2


def test_the_state_endpoint_is_tiny_anonymous_and_answers_304_when_nothing_changed(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    code = code_of(app, workshop_id)
    phone = app.test_client()
    first = phone.get(f"/follow/{code}/state")
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    tag = json.loads(first.data)["state"]
    assert first.headers["ETag"] == f'"{tag}"'
    same = phone.get(f"/follow/{code}/state", headers={"If-None-Match": f'"{tag}"'})
    assert same.status_code == 304 and same.data == b""
    take_step(lan, workshop_id)
    moved = phone.get(f"/follow/{code}/state", headers={"If-None-Match": f'"{tag}"'})
    assert moved.status_code == 200 and json.loads(moved.data)["state"] != tag
    assert phone.get("/follow/ZZZZZZ/state").status_code == 404
    assert phone.get("/follow/not-a-code/state").status_code == 404


def test_a_self_paced_workshop_has_no_room(app):
    lan = facilitator(app)
    workshop_id = create_led(lan, mode="self_paced")
    code = code_of(app, workshop_id)
    assert lan.get(f"/lead/{workshop_id}").status_code == 404
    assert app.test_client().get(f"/follow/{code}/state").status_code == 404
    phone = app.test_client()
    assert submit(phone, f"/j/{code}").location.endswith("/quiz/1")


def test_mode_changes_from_the_workshop_page_until_the_session_starts(app):
    lan = facilitator(app)
    workshop_id = create_led(lan, mode="self_paced")
    url = f"/facilitator/workshops/{workshop_id}"
    action = f"/lead/{workshop_id}/settings"
    form = page(lan.get(url)).find("form", action=action)
    assert form.find("label", attrs={"for": form.find("select")["id"]}) is not None
    response = submit(lan, url, {"mode": "led", "time_limit": "30"}, action=action)
    assert response.status_code == 302
    with app.app_context():
        workshop = get_session().get(Workshop, workshop_id)
        assert (workshop.mode, workshop.time_limit) == ("led", 30)
    bad = submit(lan, url, {"mode": "led", "time_limit": "7"}, action=action)
    assert bad.status_code == 302
    assert page(lan.get(url)).find("p", class_="flash-error") is not None
    take_step(lan, workshop_id)
    assert page(lan.get(url)).find("form", action=action) is None
    forced = lan.post(action, data={"mode": "self_paced", "time_limit": "0"})
    assert forced.status_code in (302, 400)
    with app.app_context():
        assert get_session().get(Workshop, workshop_id).mode == "led"


@pytest.mark.parametrize("fields", [{"mode": "race"}, {"time_limit": "5"}])
def test_a_bad_mode_or_time_limit_creates_nothing(app, fields):
    lan = facilitator(app)
    data = {
        "title": "X",
        "language": "vi",
        "topics": ["warning-signs"],
        "question_count": "4",
        **fields,
    }
    response = submit(lan, NEW, data, action=NEW)
    assert response.status_code == 422
    assert page(response).find("p", class_="error") is not None
    with app.app_context():
        assert get_session().scalar(select(func.count(Workshop.id))) == 0


def test_other_facilitators_cannot_see_or_drive_the_room(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    other = facilitator(app, "minh")
    for url in (
        f"/lead/{workshop_id}",
        f"/lead/{workshop_id}/remote",
        f"/lead/{workshop_id}/room.json",
    ):
        assert other.get(url).status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/lead/{workshop_id}").status_code == 302


def test_the_after_round_starts_in_the_lobby_and_phones_rejoin(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    code = code_of(app, workshop_id)
    phone = join(app, code)
    take_step(lan, workshop_id)
    take_step(lan, workshop_id, action="end")
    url = f"/facilitator/workshops/{workshop_id}"
    submit(lan, url, action=f"/facilitator/workshops/{workshop_id}/after-round")
    assert phone.get(f"/follow/{code}").location.endswith(f"/j/{code}")
    assert submit(phone, f"/j/{code}").location.endswith(f"/follow/{code}")
    assert room(phone, code).find(class_="room-wait") is not None
    with app.app_context():
        rounds = get_session().scalars(select(Attempt.round).order_by(Attempt.id)).all()
        assert rounds == ["before", "after"]


def test_an_answer_after_the_time_limit_is_refused_as_if_revealed(app):
    lan = facilitator(app)
    workshop_id = create_led(lan, time_limit="20")
    code = code_of(app, workshop_id)
    phone = join(app, code)
    take_step(lan, workshop_id)
    form = room(phone, code).find("form", class_="question")
    assert form.find("p", class_="time-left") is not None
    with app.app_context():
        db = get_session()
        workshop = db.get(Workshop, workshop_id)
        workshop.closes_at = utcnow() - timedelta(seconds=1)  # the 20 seconds have passed
        db.commit()
    choice = form.find("input", attrs={"name": "choice"})["value"]
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    late = phone.post(form["action"], data={"csrf_token": token, "choice": choice})
    assert late.status_code == 409
    assert room(phone, code).find("section", id="feedback") is not None
    assert page(lan.get(f"/lead/{workshop_id}")).find("svg", id="chart-reveal") is not None
    take_step(lan, workshop_id)  # Next, straight from the closed question
    assert room(phone, code).find("form", class_="question")["action"].endswith("/answer/2")
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 0


def test_every_lead_route_refuses_anonymous_visitors_and_other_facilitators(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    other = facilitator(app, "minh")
    anonymous = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("lead.")]
    assert len(rules) >= 5
    for rule in rules:
        url = rule.build({"workshop_id": workshop_id})[1]
        method = "POST" if "POST" in rule.methods else "GET"
        token = page(other.get("/facilitator/")).find("input", attrs={"name": "csrf_token"})
        data = {"csrf_token": token["value"], "action": "start", "version": "0"}
        assert other.open(url, method=method, data=data).status_code == 404, url
        assert anonymous.open(url, method=method).status_code in (302, 400), url
    with app.app_context():
        workshop = get_session().get(Workshop, workshop_id)
        assert (workshop.phase, workshop.live_version) == ("lobby", 0)


def test_phones_share_the_drawn_question_but_each_sends_its_own_token(app):
    lan = facilitator(app)
    workshop_id = create_led(lan)
    code = code_of(app, workshop_id)
    phones = [join(app, code) for _ in range(3)]
    take_step(lan, workshop_id)
    pages = [phone.get(f"/follow/{code}").get_data(as_text=True) for phone in phones]
    tokens = [
        page_.split('name="csrf_token" type="hidden" value="')[1].split('"')[0] for page_ in pages
    ]
    assert len(set(tokens)) == 3
    assert len({p.replace(t, "") for p, t in zip(pages, tokens, strict=True)}) == 1
    for phone in phones:
        form = room(phone, code).find("form", class_="question")
        choice = form.find("input", attrs={"name": "choice"})["value"]
        response = submit(phone, f"/follow/{code}", {"choice": choice}, action=form["action"])
        assert response.status_code == 302
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 3
