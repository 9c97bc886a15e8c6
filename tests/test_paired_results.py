"""The facilitator's results page and projector show the paired before/after figures."""

from __future__ import annotations

import random

from bs4 import BeautifulSoup
from helpers import add_user, login, page
from test_learning import pair, take

from tipquiz import workshops
from tipquiz.db import get_session
from tipquiz.models import User


def figures(soup) -> dict[str, str]:
    section = soup.select_one("section.paired")
    return {
        tag["data-paired"]: tag.get_text(" ", strip=True) for tag in section.select("[data-paired]")
    }


def paired_workshop(app, scores: list[tuple[set[int], set[int]]], locale: str = "en") -> int:
    """A workshop of 4 questions where each (before, after) pair of right positions is a
    person who took both rounds; returns its id."""
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshops.create_workshop(
            db,
            owner=owner,
            title="Lớp 10A",
            locale=locale,
            topic_keys=["warning-signs", "getting-help"],
            question_count=4,
            rng=random.Random(8),
        )
        befores = [take(db, workshop, before) for before, _ in scores]
        take(db, workshop, {1})  # someone who leaves after the before round
        workshops.start_after_round(db, workshop)
        for before, (_, after) in zip(befores, scores, strict=True):
            pair(db, before, take(db, workshop, after))
        return workshop.id


def test_nothing_paired_shows_before_the_after_round(app):
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshops.create_workshop(
            db, owner=owner, title="T", locale="en", topic_keys=["warning-signs"], question_count=4
        )
        workshop_id = workshop.id
    client = app.test_client()
    login(client, "lan")
    soup = page(client.get(f"/facilitator/workshops/{workshop_id}/results"))
    assert soup.select_one("section.paired") is None


def test_the_results_page_shows_the_paired_figures_worked_by_hand(app):
    # Gains 50, 25, 0, −25 (see test_learning): 62.5 % → 75 %, +12.5 points, 95 % from −38.9
    # to +63.9, d_z 0.39; 2 improved, 1 the same, 1 worse; one person took only the before round.
    workshop_id = paired_workshop(
        app,
        [({1, 2}, {1, 2, 3, 4}), ({1}, {1, 2}), ({1, 2, 3}, {1, 2, 3}), ({1, 2, 3, 4}, {1, 2, 3})],
    )
    client = app.test_client()
    login(client, "lan")
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    soup = page(client.get(f"/facilitator/workshops/{workshop_id}/results"))
    found = figures(soup)
    assert found["paired"] == "4 people took both rounds and are paired."
    assert found["only-one"] == "Only before: 1. Only after: 0."
    assert "too few to mean much" in found["too-few"]
    assert found["before"] == "62%"  # 62.5 rounds to even
    assert found["after"] == "75%"
    assert found["gain"] == "+12 points"
    assert found["interval"] == "−39 to +64"
    assert found["effect"] == "+0.39"
    assert (found["improved"], found["same"], found["worse"]) == ("2", "1", "1")
    rows = soup.select("table.paired-questions tbody tr")
    assert [r.select_one("[data-count=wrong-to-right]").get_text() for r in rows] == list("0111")
    assert [r.select_one("[data-count=right-to-wrong]").get_text() for r in rows] == list("0001")
    assert {r.select_one("[data-p]").get_text() for r in rows} == {"1.000"}
    topics = soup.select("table.paired-topics tbody tr")
    assert [t["data-topic"] for t in topics] == ["warning-signs", "getting-help"]


def test_five_pairs_are_enough_and_the_projector_shows_them_in_the_workshops_language(app):
    scores = [({1}, {1, 2, 3, 4}), ({1, 2}, {1, 2, 3}), ({3}, {1, 3}), ({4}, {4})] + [
        (set(), {1, 2})
    ]
    workshop_id = paired_workshop(app, scores, locale="vi")
    client = app.test_client()
    login(client, "lan")
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    # Joining, the topics, then the same people before and after: the third slide.
    soup = page(client.get(f"/facilitator/workshops/{workshop_id}/present/3"))
    found = figures(soup)
    # Gains 75, 25, 25, 0, 50 points: mean 35; sd √(1600+100+100+1225+225)/4 = 28.50;
    # t(0.975, 4) = 2.776: 35 ± 35.4; d_z = 1.23 (a Vietnamese decimal comma on the projector).
    assert "too-few" not in found
    assert found["paired"] == "5 người đã làm cả hai vòng và được ghép cặp."
    assert found["gain"] == "+35 điểm"
    assert found["interval"] == "0 đến +70"  # −0.4 rounds to 0, with no sign
    assert found["effect"] == "+1,23"
    assert soup.select_one("table.paired-questions") is None, "the projector keeps it short"


def test_the_workshop_list_counts_people_not_attempts(app):
    """Five people in two rounds are five people; a sixth only started the after round."""
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshops.create_workshop(
            db, owner=owner, title="T", locale="en", topic_keys=["warning-signs"], question_count=4
        )
        befores = [take(db, workshop, {1}) for _ in range(5)]
        workshops.start_after_round(db, workshop)
        for number, before in enumerate(befores):
            pair(db, before, take(db, workshop, {1, 2}, finish=number > 0))
        take(db, workshop, {1}, finish=False)
        workshop_id = workshop.id
    client = app.test_client()
    login(client, "lan")
    soup = page(client.get("/facilitator/"))
    row = soup.find("a", href=f"/facilitator/workshops/{workshop_id}").find_parent("tr")
    joined, finished = (td.get_text(strip=True) for td in row.select("td.number"))
    assert (joined, finished) == ("6", "5")


def test_the_live_update_carries_the_paired_section(app):
    workshop_id = paired_workshop(app, [({1}, {1, 2}), ({2}, {2})])
    client = app.test_client()
    login(client, "lan")
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    url = f"/facilitator/workshops/{workshop_id}"
    soup = page(client.get(url + "/results"))
    assert soup.select_one("[data-fragment=paired] section.paired") is not None
    fragment = client.get(url + "/results.json").get_json()["fragments"]["paired"]
    found = figures(BeautifulSoup(fragment, "html.parser"))
    assert found["paired"] == "2 people took both rounds and are paired."
    assert found["gain"] == "+12 points"  # gains 25 and 0: 12.5 rounds to even
    only = client.get(url + "/results.json?part=counts").get_json()["fragments"]
    assert "paired" not in only
