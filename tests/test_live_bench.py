"""A small run of the live benchmark: real gunicorn, phones following a led room, then the
database is checked. Not timed: it proves that phones follow the facilitator through every
question and that every acknowledged answer is stored exactly once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import BACKENDS, postgres_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import live as live_bench  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_twenty_phones_follow_a_led_room_and_lose_no_answer(backend):
    result = live_bench.run(
        phones=20,
        questions=3,
        database_url=postgres_url() if backend == "postgresql" else None,
        open_s=3.0,
        reveal_s=1.0,
        think=1.0,
        time_limit=180,
    )
    assert result["error_count"] == 0, result["errors"]
    assert result["follow"]["count"] == 20 * 3, "every phone saw every question"
    check = result["database_check"]
    assert check["attempts"] == 20
    assert check["answers_stored"] == check["distinct_answered_questions"]
    assert check["answers_stored"] == check["acknowledged"] == result["answer_ack"]["count"]
    assert check["acknowledged"] + result["refused_late"] == 20 * 3
