"""Item statistics for the bank's keepers: facility, discrimination, choice shares and flags,
against examples worked by hand; and the admin page that shows and exports them."""

from __future__ import annotations

import csv
import io
import random

import pytest
from helpers import add_user, login, page
from test_learning import take

from tipquiz import item_statistics as stats
from tipquiz import workshops
from tipquiz.db import get_session
from tipquiz.models import Choice, QuestionRevision, User, Workshop

# Arithmetic ------------------------------------------------------------------------------------


def test_correlation_from_sums_worked_by_hand():
    # x = 1, 1, 0, 0 and y = 0.8, 0.6, 0.4, 0.2: covariance sum 0.4, Σ(x − x̄)² = 1,
    # Σ(y − ȳ)² = 0.2, so r = 0.4 / √0.2 = 0.894.
    r = stats.correlation(4, sum_x=2, sum_y=2.0, sum_yy=1.2, sum_xy=1.4)
    assert r == pytest.approx(0.8944, abs=1e-4)


def test_no_correlation_without_variation_or_with_one_answer():
    assert stats.correlation(3, sum_x=3, sum_y=1.5, sum_yy=0.9, sum_xy=1.5) is None
    assert stats.correlation(3, sum_x=1, sum_y=1.5, sum_yy=0.75, sum_xy=0.5) is None
    assert stats.correlation(1, sum_x=1, sum_y=0.5, sum_yy=0.25, sum_xy=0.5) is None


def item(answers=40, correct=20, discrimination=30.0, picks=(20, 10, 10), **extra):
    choices = [
        stats.ChoiceShare(key, {"en": key}, key == "a", n, 100 * n / answers)
        for key, n in zip("abc", picks, strict=True)
    ]
    values = {
        "question_key": "q",
        "prompt": {"en": "Q"},
        "topic_key": "t",
        "topic_title": {"en": "T"},
        "topic_position": 1,
        "question_position": 1,
        "revision": 1,
        "current": True,
        "type": "single",
        "answers": answers,
        "correct": correct,
        "discrimination": discrimination,
        "choices": choices,
    }
    values.update(extra)
    return stats.ItemStatistics(**values)


@pytest.mark.parametrize(
    ("found", "flags"),
    [
        (item(), []),
        (item(correct=37, picks=(37, 2, 1)), ["too_easy"]),
        (item(correct=36, picks=(36, 2, 2)), []),  # exactly 90 % is not "more than 90 %"
        (item(correct=7, picks=(7, 20, 13)), ["too_hard"]),
        (item(correct=8, picks=(8, 20, 12)), []),  # exactly 20 % is not "fewer than 20 %"
        (item(discrimination=-5.0), ["negative_discrimination"]),
        (item(discrimination=None), []),
        (item(picks=(20, 20, 0)), ["unpicked_choice"]),
        (
            item(correct=39, discrimination=-1.0, picks=(39, 1, 0)),
            ["too_easy", "negative_discrimination", "unpicked_choice"],
        ),
        (item(answers=19, correct=19, discrimination=-3.0, picks=(19, 0, 0)), []),
    ],
)
def test_flags_worked_by_hand(found, flags):
    assert found.flags == flags


def test_sorting_puts_items_without_a_value_last_either_way():
    items = [
        item(question_key="a", discrimination=10.0),
        item(question_key="b", discrimination=None),
        item(question_key="c", discrimination=-4.0),
    ]
    assert [i.question_key for i in stats.sort_items(items, "discrimination", False)] == list("cab")
    assert [i.question_key for i in stats.sort_items(items, "discrimination", True)] == list("acb")
    assert [i.question_key for i in stats.sort_items(items, "nonsense", False)] == list("abc")


# From stored answers ---------------------------------------------------------------------------


def workshop_of_four(db, owner, seed: int) -> Workshop:
    return workshops.create_workshop(
        db,
        owner=owner,
        title=f"Workshop {seed}",
        locale="en",
        topic_keys=["warning-signs", "getting-help"],
        question_count=4,
        rng=random.Random(seed),
    )


def build_answered(app) -> tuple[int, int]:
    """Five attempts right on questions {1, 2, 3, 4}, {1, 2, 3}, {1, 2}, {1} and none, in the
    workshop's order, so facilities are 80, 60, 40 and 20 %; another workshop's answers, all
    right on other questions, must stay out of the first workshop's figures."""
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshop_of_four(db, owner, 8)
        for right in ({1, 2, 3, 4}, {1, 2, 3}, {1, 2}, {1}, set()):
            take(db, workshop, right)
        other = workshop_of_four(db, owner, 99)
        for _ in range(3):
            take(db, other, {1, 2, 3, 4})
        return workshop.id, other.id


@pytest.fixture
def answered(app):
    workshop_id, other_id = build_answered(app)
    with app.app_context():
        db = get_session()
        yield db, db.get(Workshop, workshop_id), db.get(Workshop, other_id)


def test_a_workshops_item_statistics_worked_by_hand(answered):
    db, workshop, _other = answered
    found = {i.question_key: i for i in stats.item_statistics(db, workshop.id)}
    keys = [wq.question.key for wq in workshop.questions]
    assert set(found) == set(keys)
    assert [found[k].facility for k in keys] == [80.0, 60.0, 40.0, 20.0]
    assert [found[k].answers for k in keys] == [5, 5, 5, 5]
    # Question 1: right 1, 1, 1, 1, 0; rest shares 3/3, 2/3, 1/3, 0, 0. Covariance sum 0.4,
    # Σ(x − x̄)² = 0.8, Σ(rest − 0.4)² = 34/45: r = 0.4 / √(0.8 · 34/45) = 0.5145.
    assert found[keys[0]].discrimination == pytest.approx(51.45, abs=0.01)
    # Question 2: right 1, 1, 1, 0, 0; rest 3/3, 2/3, 1/3, 1/3, 0. Covariance sum 0.6,
    # Σ(x − x̄)² = 1.2, Σ(rest − 7/15)² = 26/45: r = 0.6 / √(1.2 · 26/45) = 0.7206.
    assert found[keys[1]].discrimination == pytest.approx(72.06, abs=0.01)
    first = found[keys[0]]
    shares = {c.key: c.share for c in first.choices}
    right = [c for c in first.choices if c.correct]
    assert all(shares[c.key] == 80.0 for c in right)
    assert sum(c.picked for c in first.choices if not c.correct) == 1
    assert first.current and first.revision == 1


def test_every_answer_counts_when_no_workshop_is_chosen(answered):
    db, workshop, other = answered
    everything = stats.item_statistics(db)
    assert sum(i.answers for i in everything) == 5 * 4 + 3 * 4
    in_other = {wq.question.key for wq in other.questions}
    for found in stats.item_statistics(db, other.id):
        assert found.question_key in in_other and found.facility == 100.0
        assert found.discrimination is None, "nobody differs, nothing to correlate"


def test_answers_to_each_revision_are_counted_apart(answered):
    db, workshop, _other = answered
    question = workshop.questions[0].question
    revision = QuestionRevision(question_id=question.id, number=2, type="single")
    revision.choices = [
        Choice(key=c.key, position=c.position, text=c.text, correct=c.correct)
        for c in question.current_revision.choices
    ]
    db.add(revision)
    question.revision_number = 2
    db.commit()
    take(db, workshop, {1})
    found = [i for i in stats.item_statistics(db, workshop.id) if i.question_key == question.key]
    assert [(i.revision, i.answers, i.current) for i in found] == [(1, 5, False), (2, 1, True)]


# The admin page --------------------------------------------------------------------------------


def admin_client(app):
    add_user(app, "root", "admin")
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, "root").status_code == 302
    return client


def rows(soup) -> list:
    return soup.select("table.item-statistics tbody tr")


def test_admins_sort_a_workshops_items_and_reach_them_from_the_nav(app):
    workshop_id, _other = build_answered(app)
    with app.app_context():
        code = get_session().get(Workshop, workshop_id).code
    client = admin_client(app)
    soup = page(client.get("/admin/"))
    link = soup.select_one("nav.admin-nav").find("a", string="Item statistics")
    soup = page(client.get(link["href"] + f"?workshop={code.lower()}&sort=facility"))
    facilities = [r.select_one("[data-stat=facility]").get_text(strip=True) for r in rows(soup)]
    assert facilities == ["20%", "40%", "60%", "80%"]
    header = soup.select_one("th[aria-sort]")
    assert header["aria-sort"] == "ascending" and "Facility" in header.get_text()
    soup = page(client.get(header.a["href"]))
    facilities = [r.select_one("[data-stat=facility]").get_text(strip=True) for r in rows(soup)]
    assert facilities == ["80%", "60%", "40%", "20%"]
    assert not soup.select("tr.flagged"), "five answers are too few to flag anything"


def test_flagged_items_link_to_their_editor_and_the_csv_has_them_all(app):
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshop_of_four(db, owner, 8)
        for _ in range(stats.MIN_ANSWERS):
            take(db, workshop, {1, 2, 3, 4})
        code = workshop.code
        keys = {wq.question.key for wq in workshop.questions}
    client = admin_client(app)
    soup = page(client.get(f"/admin/statistics?workshop={code}&flagged=1"))
    assert {r["data-key"] for r in rows(soup)} == keys
    for row in rows(soup):
        flags = {tag["data-flag"] for tag in row.select("[data-flag]")}
        assert "too_easy" in flags
        editor = row.find("a")["href"]
        assert editor == f"/admin/questions/{row['data-key']}"
        assert client.get(editor).status_code == 200
    download = soup.find("a", string="Download as CSV")["href"]
    response = client.get(download)
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    found = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {r["Question key"] for r in found} == keys
    assert {r["Facility (%)"] for r in found} == {"100.0"}
    assert all("Too easy" in r["Flags"] for r in found)


def test_an_unknown_workshop_code_is_not_found_and_facilitators_may_not_look(app):
    client = admin_client(app)
    response = client.get("/admin/statistics?workshop=ZZZZZZ")
    assert response.status_code == 404
    assert "No workshop has the code ZZZZZZ." in page(response).get_text()
    assert client.get("/admin/statistics.csv?workshop=<script>").status_code == 404
    add_user(app, "lan")
    other = app.test_client()
    assert login(other, "lan").status_code == 302
    assert other.get("/admin/statistics").status_code == 403
    assert other.get("/admin/statistics.csv").status_code == 403
