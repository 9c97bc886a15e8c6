"""A small run of the load benchmark: real gunicorn, real HTTP, then the database is checked.

Not timed: it proves that answers sent at once by many phones are all stored exactly once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import BACKENDS, postgres_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import load  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_thirty_phones_at_once_lose_nothing_and_count_nothing_twice(backend, tmp_path):
    log = tmp_path / "server.log"
    result = load.run(
        participants=30,
        questions=8,
        database_url=postgres_url() if backend == "postgresql" else None,
        concurrency=30,
        time_limit=240,
        floor=False,
        log_file=log,
    )
    assert result["error_count"] == 0, result["errors"]
    assert result["answers_acknowledged"] == 30 * 8
    check = result["database_check"]
    assert check["attempts"] == check["finished"] == 30
    assert check["answers"] == check["distinct_answered_questions"] == 30 * 8
    assert check["ok"]
    # The server's own log names no participant: no address, no browser.
    server_log = log.read_text()
    assert "/quiz/" in server_log
    assert "127.0.0.1 " not in server_log.replace("127.0.0.1:", "")
    assert "load-benchmark-phone" not in server_log
