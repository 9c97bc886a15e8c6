"""Paired before/after statistics: the distributions against printed tables, the gains and
McNemar's test against examples worked by hand, and a workshop's figures from stored answers."""

from __future__ import annotations

import math
import random

import pytest
from helpers import add_user
from hypothesis import given, settings
from hypothesis import strategies as st

from tipquiz import attempts, learning, workshops
from tipquiz.db import get_session
from tipquiz.models import Attempt, QuestionRevision, User, Workshop

# Distributions ---------------------------------------------------------------------------------

# t(0.975, df) from a printed table of Student's t distribution (two-sided 95 %).
T_TABLE = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    9: 2.262,
    10: 2.228,
    20: 2.086,
    30: 2.042,
    60: 2.000,
    120: 1.980,
}


@pytest.mark.parametrize(("df", "expected"), sorted(T_TABLE.items()))
def test_the_t_quantile_matches_the_printed_table(df, expected):
    assert learning.t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize(("p", "df", "expected"), [(0.995, 10, 3.169), (0.95, 5, 2.015)])
def test_other_levels_of_the_t_table(p, df, expected):
    assert learning.t_quantile(p, df) == pytest.approx(expected, abs=5e-4)
    assert learning.t_quantile(1 - p, df) == pytest.approx(-expected, abs=5e-4)


def test_the_t_distribution_with_one_degree_of_freedom_is_cauchy():
    for t in (-3.0, -0.5, 0.0, 0.7, 2.0, 40.0):
        assert learning.t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-12)


def test_many_degrees_of_freedom_approach_the_normal_distribution():
    assert learning.t_quantile(0.975, 100_000) == pytest.approx(1.95996, abs=1e-4)


def test_a_quantile_outside_zero_and_one_is_refused():
    for p in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError):
            learning.t_quantile(p, 3)


@pytest.mark.parametrize(
    ("b", "c", "expected"),
    [
        # 6 changed for the better and 1 for the worse: P(X ≤ 1) = (1 + 7) / 2⁷ = 1/16.
        (6, 1, 0.125),
        (1, 6, 0.125),
        # 8 for the better, none for the worse: 2 · (1/2)⁸.
        (8, 0, 0.0078125),
        # Equal changes both ways, or one change: no evidence at all.
        (3, 3, 1.0),
        (1, 0, 1.0),
        (0, 0, 1.0),
        # 10 against 2: P(X ≤ 2) = (1 + 12 + 66) / 4096.
        (10, 2, 2 * 79 / 4096),
    ],
)
def test_mcnemar_exact_p_values_worked_by_hand(b, c, expected):
    assert learning.mcnemar_p(b, c) == pytest.approx(expected, rel=1e-12)


# Gains -----------------------------------------------------------------------------------------


def test_a_paired_gain_worked_by_hand():
    # Gains 20, 0, 20, 20, −10: mean 10; squared deviations 100+100+100+100+400 = 800,
    # variance 800/4 = 200, sd 14.142; standard error 14.142/√5 = 6.325; t(0.975, 4) = 2.776,
    # so the interval is 10 ± 17.56; d_z = 10 / 14.142 = 0.707.
    gain = learning.paired_gain([50, 60, 70, 40, 80], [70, 60, 90, 60, 70])
    assert gain.n == 5
    assert gain.mean == pytest.approx(10.0)
    assert gain.sd == pytest.approx(14.1421, abs=1e-4)
    assert gain.low == pytest.approx(-7.56, abs=0.01)
    assert gain.high == pytest.approx(27.56, abs=0.01)
    assert gain.effect_size == pytest.approx(0.7071, abs=1e-4)
    assert (gain.improved, gain.same, gain.worse) == (3, 1, 1)


def test_gains_that_do_not_vary_have_no_width_and_no_effect_size():
    gain = learning.paired_gain([40, 50, 60], [60, 70, 80])
    assert (gain.mean, gain.sd, gain.low, gain.high) == (20.0, 0.0, 20.0, 20.0)
    assert gain.effect_size is None
    assert gain.improved == 3


def test_one_pair_has_a_gain_but_no_interval_and_none_has_nothing():
    one = learning.paired_gain([50], [75])
    assert (one.n, one.mean, one.sd, one.low, one.effect_size) == (1, 25.0, None, None, None)
    none = learning.paired_gain([], [])
    assert (none.n, none.mean, none.improved, none.same, none.worse) == (0, None, 0, 0, 0)


def test_scores_that_do_not_come_in_pairs_are_refused():
    with pytest.raises(ValueError):
        learning.paired_gain([50, 60], [70])


# A workshop ------------------------------------------------------------------------------------


def right(revision: QuestionRevision) -> list[str]:
    return sorted(revision.correct_keys)


def wrong(revision: QuestionRevision) -> list[str]:
    keys = [c.key for c in revision.choices if not c.correct]
    return keys[:1] or sorted(revision.correct_keys)[:1]


def take(db, workshop: Workshop, right_positions: set[int], finish: bool = True) -> Attempt:
    """One person's round: right on the workshop's questions at these positions, else wrong."""
    positions = {wq.question_id: wq.position for wq in workshop.questions}
    attempt = attempts.start_attempt(db, locale="en", count=4, workshop=workshop)
    items = attempt.items if finish else attempt.items[:2]
    for item in items:
        position = positions[item.revision.question_id]
        pick = right if position in right_positions else wrong
        attempts.record_answer(db, item, pick(item.revision))
    return attempt


def pair(db, before: Attempt, after: Attempt, how: str = "device") -> None:
    after.paired_attempt_id = before.id
    after.paired_by = how
    db.commit()


@pytest.fixture
def paired_room(app):
    """Four people who took both rounds, with scores (in the workshop's question order):

    P1 right on 1, 2 then on all: 50 → 100.   P2 right on 1 then 1, 2: 25 → 50.
    P3 right on 1, 2, 3 both times: 75 → 75.  P4 right on all then 1, 2, 3: 100 → 75.
    Besides them: one person only before, one only after, and one whose after round is not
    finished (their before round counts as "only before").
    """
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshops.create_workshop(
            db,
            owner=owner,
            title="Lớp 10A",
            locale="en",
            topic_keys=["warning-signs", "getting-help"],
            question_count=4,
            rng=random.Random(8),
        )
        befores = [take(db, workshop, s) for s in ({1, 2}, {1}, {1, 2, 3}, {1, 2, 3, 4})]
        alone_before = take(db, workshop, {1})
        unfinished_before = take(db, workshop, {2})
        workshops.start_after_round(db, workshop)
        afters = [take(db, workshop, s) for s in ({1, 2, 3, 4}, {1, 2}, {1, 2, 3}, {1, 2, 3})]
        for before, after, how in zip(
            befores, afters, ["device", "device", "code", "device"], strict=True
        ):
            pair(db, before, after, how)
        take(db, workshop, {1, 2, 3, 4})  # only after
        pair(db, unfinished_before, take(db, workshop, {1}, finish=False))
        assert alone_before.round == "before"
        yield db, db.get(Workshop, workshop.id)


def test_a_workshops_paired_figures_worked_by_hand(paired_room):
    db, workshop = paired_room
    found = learning.paired_results(db, workshop)
    assert (found.paired, found.by_device, found.by_code) == (4, 3, 1)
    assert (found.only_before, found.only_after) == (2, 1)
    assert found.before == pytest.approx(62.5)
    assert found.after == pytest.approx(75.0)
    # Gains 50, 25, 0, −25: mean 12.5, variance (37.5² + 12.5² + 12.5² + 37.5²) / 3 = 1041.67,
    # sd 32.27, standard error 16.14, t(0.975, 3) = 3.182: 12.5 ± 51.36; d_z = 0.387.
    gain = found.gain
    assert gain.mean == pytest.approx(12.5)
    assert gain.sd == pytest.approx(32.275, abs=1e-3)
    assert (gain.low, gain.high) == (
        pytest.approx(-38.86, abs=0.01),
        pytest.approx(63.86, abs=0.01),
    )
    assert gain.effect_size == pytest.approx(0.3873, abs=1e-4)
    assert (gain.improved, gain.same, gain.worse) == (2, 1, 1)
    assert not found.enough


def test_each_questions_changes_among_the_paired(paired_room):
    db, workshop = paired_room
    found = learning.paired_results(db, workshop)
    counts = [
        (q.position, q.both_right, q.wrong_to_right, q.right_to_wrong, q.both_wrong)
        for q in found.questions
    ]
    assert counts == [(1, 4, 0, 0, 0), (2, 3, 1, 0, 0), (3, 2, 1, 0, 1), (4, 0, 1, 1, 2)]
    assert [q.p_value for q in found.questions] == [1.0, 1.0, 1.0, 1.0]
    assert [q.key for q in found.questions] == [wq.question.key for wq in workshop.questions]


def test_each_topics_change_among_the_paired(paired_room):
    db, workshop = paired_room
    found = learning.paired_results(db, workshop)
    right_before = [{1, 2}, {1}, {1, 2, 3}, {1, 2, 3, 4}]
    right_after = [{1, 2, 3, 4}, {1, 2}, {1, 2, 3}, {1, 2, 3}]
    assert [t.key for t in found.topics] == ["warning-signs", "getting-help"]
    for topic in found.topics:
        positions = {wq.position for wq in workshop.questions if wq.question.topic.key == topic.key}
        assert len(positions) == 2
        before = sum(len(s & positions) for s in right_before) / 8 * 100
        after = sum(len(s & positions) for s in right_after) / 8 * 100
        assert topic.before == pytest.approx(before)
        assert topic.after == pytest.approx(after)
        assert topic.change == pytest.approx(after - before)


def test_a_workshop_without_pairs_has_counts_and_nothing_else(app):
    with app.app_context():
        db = get_session()
        owner = db.get(User, add_user(app, "lan"))
        workshop = workshops.create_workshop(
            db,
            owner=owner,
            title="Lớp 10A",
            locale="en",
            topic_keys=["warning-signs"],
            question_count=4,
        )
        take(db, workshop, {1})
        found = learning.paired_results(db, workshop)
        assert (found.paired, found.only_before, found.only_after) == (0, 1, 0)
        assert found.before is None and found.gain.mean is None
        assert all(t.before is None and t.change is None for t in found.topics)
        assert all(q.wrong_to_right == q.right_to_wrong == 0 for q in found.questions)


# Properties ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.01, 0.999), df=st.integers(1, 300))
def test_the_quantile_inverts_the_distribution_function(p, df):
    assert learning.t_cdf(learning.t_quantile(p, df), df) == pytest.approx(p, abs=1e-9)


@given(b=st.integers(0, 60), c=st.integers(0, 60))
def test_mcnemar_is_symmetric_and_a_probability(b, c):
    p = learning.mcnemar_p(b, c)
    assert p == learning.mcnemar_p(c, b)
    assert 0 < p <= 1


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=2, max_size=40)
)
def test_a_gain_lies_within_its_interval_and_everyone_is_counted_once(scores):
    gain = learning.paired_gain([b for b, _ in scores], [a for _, a in scores])
    assert gain.improved + gain.same + gain.worse == gain.n == len(scores)
    assert gain.low <= gain.mean + 1e-9 and gain.mean <= gain.high + 1e-9
