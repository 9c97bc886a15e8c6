"""Scores per topic and their feedback bands."""

from __future__ import annotations

import pytest

from tipquiz.scoring import percent, score_band, topic_scores


@pytest.mark.parametrize(
    ("value", "band"),
    [(0, "low"), (49, "low"), (50, "mid"), (79, "mid"), (80, "high"), (100, "high")],
)
def test_bands_edges(value, band):
    assert score_band(value) == band


@pytest.mark.parametrize(
    ("correct", "total", "expected"), [(2, 3, 67), (1, 3, 33), (1, 2, 50), (0, 0, 0), (5, 5, 100)]
)
def test_percent_rounds_half_up(correct, total, expected):
    assert percent(correct, total) == expected


def test_topic_scores_tally_in_the_given_order():
    results = [("law", True), ("signs", False), ("signs", True), ("law", True), ("signs", True)]
    scores = topic_scores(results, order=["signs", "help", "law"])
    assert [(s.topic, s.correct, s.total, s.percent, s.band) for s in scores] == [
        ("signs", 2, 3, 67, "mid"),
        ("law", 2, 2, 100, "high"),
    ]
